// TableWriter::add_regenerable: rows fetched in their final order land in the same folders, sorted and
// measured as staged inserts are; the oracles are DuckDB reading the written files and the staged path.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/error.h"
#include "query/database.h"
#include "storage/file_stats.h"
#include "storage/file_writer.h"
#include "storage/test_support.h"
#include "storage/warehouse.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;
using testing::kPeople;
using testing::people;

// The rows of `all` at these indices, in this order.
ColumnBatch pick(const ColumnBatch& all, std::span<const uint64_t> indices) {
  ColumnBatch out(all.schema);
  for (size_t c = 0; c < all.columns.size(); ++c) {
    const Column& from = all[c];
    for (uint64_t i : indices) {
      if (from.is_null(i)) {
        out[c].push_null();
      } else if (from.type() == ColumnType::String) {
        out[c].push_string(from.string_at(i));
      } else if (from.type() == ColumnType::Float64) {
        out[c].push_double(from.double_at(i));
      } else {
        out[c].push_int(from.int_at(i));
      }
    }
  }
  return out;
}

// Only the columns of `batch` called `names`, in the batch's order.
ColumnBatch only(ColumnBatch batch, const std::vector<std::string>& names) {
  ColumnBatch out;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (std::find(names.begin(), names.end(), batch.schema[c].name) == names.end()) continue;
    out.schema.push_back(batch.schema[c]);
    out.columns.push_back(std::move(batch.columns[c]));
  }
  return out;
}

// A source over rows held in memory, handed out in batches of 1000 by scan().
RegenerableRows source_of(const ColumnBatch& all, uint64_t claimed_rows) {
  RegenerableRows r;
  r.rows = claimed_rows;
  r.scan = [&all](const std::vector<std::string>& columns, const RegenerableRows::Consumer& consume) {
    for (uint64_t first = 0; first < all.rows(); first += 1000) {
      std::vector<uint64_t> range;
      for (uint64_t i = first; i < std::min<uint64_t>(all.rows(), first + 1000); ++i) range.push_back(i);
      consume(only(pick(all, range), columns));
    }
  };
  r.fetch = [&all](std::span<const uint64_t> indices) { return pick(all, indices); };
  return r;
}

class RegenerableWriterTest : public testing::WarehouseFixture {
 protected:
  catalog::TableInfo make(const std::string& name, std::vector<std::string> sort, int64_t target) {
    catalog::NewTable t;
    t.name = name;
    t.columns = kPeople;
    t.partition_keys = {"dept"};
    t.sort_keys = std::move(sort);
    t.target_file_bytes = target;
    return wh_.create_table(t);
  }
  std::string path_of(const catalog::TableInfo& t, const AddFile& f) {
    return query::quote_literal((table_dir(t) / f.path).string());
  }
};

// Every sort-key kind: timestamps with NULLs then ids, packed integers (one or two, negative ones too), a
// double with NULLs, and strings with NULLs. Files are small, so each partition gets several.
TEST_F(RegenerableWriterTest, FilesAreSortedAcrossEachPartitionAndMeasuredLikeADirectRead) {
  const ColumnBatch all = people(1, 30'000);
  const std::vector<std::vector<std::string>> sort_key_sets = {{"joined", "id"}, {"age", "id"}, {"score"},
                                                               {"name"},         {"born"},      {"level", "born"}};
  for (size_t k = 0; k < sort_key_sets.size(); ++k) {
    const auto& keys = sort_key_sets[k];
    auto t = make("people_" + std::to_string(k), keys, 64 << 10);
    auto w = wh_.writer(t);
    w->add_regenerable(source_of(all, all.rows()));
    WriteResult r = w->commit_insert();
    EXPECT_EQ(r.rows, 30'000);
    auto snap = wh_.snapshot(t);
    EXPECT_EQ(snap->total_rows(), 30'000);

    std::string order;
    for (const auto& key : keys) order += key + " NULLS LAST, ";
    std::map<std::string, std::vector<const AddFile*>> by_dept;  // files in id order, which is write order
    for (const auto& f : snap->files) by_dept[*f.partition_values.at("dept")].push_back(&f);
    auto id = [](const AddFile* f) { return std::stoll(f->tags.at("micro_partition_id")); };
    for (auto& [dept, files] : by_dept)
      std::sort(files.begin(), files.end(), [&](auto a, auto b) { return id(a) < id(b); });
    EXPECT_EQ(by_dept.size(), 4u);
    for (const auto& [dept, files] : by_dept) {
      EXPECT_GT(files.size(), 1u) << dept;
      std::string rows;
      for (size_t i = 0; i < files.size(); ++i) {
        const AddFile& f = *files[i];
        EXPECT_EQ(fs::path(f.path).parent_path().filename().string().rfind("dept=", 0), 0u) << f.path;
        rows += std::string(rows.empty() ? "" : " UNION ALL ") + "SELECT " + std::to_string(i) +
                " AS f, file_row_number AS r, * FROM read_parquet(" + path_of(t, f) + ", file_row_number = true)";
        FileStats truth = compute_file_stats(conn_, "(SELECT * FROM read_parquet(" + path_of(t, f) + "))",
                                             std::vector<ColumnDef>(kPeople.begin(), kPeople.end()));
        truth.min_values.erase("dept");
        truth.max_values.erase("dept");
        truth.null_count.erase("dept");
        truth.distinct_count.erase("dept");
        EXPECT_EQ(f.stats->num_records, truth.num_records) << f.path;
        EXPECT_EQ(f.stats->min_values, truth.min_values) << f.path;
        EXPECT_EQ(f.stats->max_values, truth.max_values) << f.path;
        EXPECT_EQ(f.stats->null_count, truth.null_count) << f.path;
        EXPECT_EQ(f.stats->distinct_count, truth.distinct_count) << f.path;
      }
      // The files of a partition, read in order, are the partition's rows sorted by the keys.
      auto misplaced = conn_.execute("SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY " + order +
                                     "f, r) AS by_keys, row_number() OVER (ORDER BY f, r) AS stored FROM (" + rows +
                                     ")) WHERE by_keys <> stored");
      EXPECT_EQ(misplaced.get_int64(0, 0), 0) << dept << " sorted by " << order;
    }
    // The same rows as a staged insert of the same batch.
    auto staged = make("staged_" + std::to_string(k), keys, 64 << 10);
    auto sw = wh_.writer(staged);
    sw->add(all);
    sw->commit_insert();
    QueryOptions o;
    o.per_page = 100;
    const std::string agg =
        "SELECT dept, count(*), count(name), sum(age), sum(score), min(joined), max(born), "
        "count(DISTINCT id) FROM ";
    auto ours = wh_.query(agg + t.name + " GROUP BY dept ORDER BY dept", o).page.rows;
    auto theirs = wh_.query(agg + staged.name + " GROUP BY dept ORDER BY dept", o).page.rows;
    EXPECT_EQ(ours, theirs);
  }
}

// Pass one reads only the partition and sort keys; the files are then sized from a sample of whole rows,
// so each partition gets the number of files its rows' raw size calls for.
TEST_F(RegenerableWriterTest, PassOneReadsOnlyTheKeysAndASampleSizesTheFiles) {
  const ColumnBatch all = people(1, 20'000);
  const int64_t target = 32 << 10;
  auto t = make("keys_only", {"joined", "id"}, target);
  RegenerableRows source = source_of(all, all.rows());
  std::vector<std::vector<std::string>> asked;
  source.scan = [&, scan = source.scan](const std::vector<std::string>& columns,
                                        const RegenerableRows::Consumer& consume) {
    asked.push_back(columns);
    scan(columns, consume);
  };
  auto w = wh_.writer(t);
  w->add_regenerable(source);
  EXPECT_EQ(w->commit_insert().rows, 20'000);
  EXPECT_EQ(asked, (std::vector<std::vector<std::string>>{{"id", "dept", "joined"}}));

  std::map<std::string, std::vector<uint64_t>> rows_of;
  for (uint64_t i = 0; i < all.rows(); ++i) rows_of[std::string(all[2].string_at(i))].push_back(i);
  std::map<std::string, int64_t> files;
  for (const auto& f : wh_.snapshot(t)->files) ++files[*f.partition_values.at("dept")];
  ASSERT_EQ(files.size(), rows_of.size());
  for (const auto& [dept, rows] : rows_of) {
    const auto n = static_cast<int64_t>(rows.size());
    const int64_t per_file = rows_per_file(n, raw_size(pick(all, rows)), target);
    const int64_t wanted = (n + per_file - 1) / per_file;
    EXPECT_GT(wanted, 2) << dept;
    EXPECT_NEAR(static_cast<double>(files[dept]), static_cast<double>(wanted), 1.0) << dept;
  }
}

TEST_F(RegenerableWriterTest, BeyondTheLimitRowsTakeTheStagedPathToTheSameTable) {
  const ColumnBatch all = people(1, 2'500);
  auto over = make("over_limit", {"joined", "id"}, 0);
  auto w = wh_.writer(over);
  RegenerableRows source = source_of(all, all.rows());
  int fetches = 0;
  source.fetch = [&](std::span<const uint64_t> indices) {
    ++fetches;
    return pick(all, indices);
  };
  w->add_regenerable(source, 1'000);
  EXPECT_EQ(fetches, 0) << "past the limit the rows are read once and staged, never fetched";
  EXPECT_EQ(w->commit_insert().rows, 2'500);
  auto within = make("within_limit", {"joined", "id"}, 0);
  auto v = wh_.writer(within);
  v->add_regenerable(source_of(all, all.rows()));
  v->commit_insert();
  auto a = wh_.snapshot(over), b = wh_.snapshot(within);
  ASSERT_EQ(a->files.size(), b->files.size());
  for (size_t i = 0; i < a->files.size(); ++i) {
    EXPECT_EQ(a->files[i].partition_values, b->files[i].partition_values);
    EXPECT_EQ(a->files[i].stats->num_records, b->files[i].stats->num_records);
    EXPECT_EQ(a->files[i].stats->min_values, b->files[i].stats->min_values);
    EXPECT_EQ(a->files[i].stats->distinct_count, b->files[i].stats->distinct_count);
    // Same rows in the same order: sorted by (joined, id), and ids are unique.
    auto differing = conn_.execute(
        "SELECT count(*) FROM (SELECT id, file_row_number AS r FROM read_parquet(" + path_of(over, a->files[i]) +
        ", file_row_number = true)) x FULL JOIN (SELECT id, "
        "file_row_number AS r FROM read_parquet(" +
        path_of(within, b->files[i]) + ", file_row_number = true)) y USING (r) WHERE x.id IS DISTINCT FROM y.id");
    EXPECT_EQ(differing.get_int64(0, 0), 0) << a->files[i].path;
  }
}

TEST_F(RegenerableWriterTest, ASourceThatMiscountsItsRowsCommitsNothing) {
  const ColumnBatch all = people(1, 2'500);
  auto t = make("people", {"id"}, 0);
  auto w = wh_.writer(t);
  try {
    w->add_regenerable(source_of(all, 3'000));
    FAIL() << "a source with fewer rows than it claims was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gave 2500 rows, not 3000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(wh_.snapshot(t)->total_rows(), 0);
  EXPECT_TRUE(wh_.snapshot(t)->files.empty());
}

TEST_F(RegenerableWriterTest, RowsWithTheWrongColumnsAreRefused) {
  ColumnBatch wrong({{"id", ColumnType::Int64}});
  wrong[0].push_int(1);
  auto t = make("people", {"id"}, 0);
  auto w = wh_.writer(t);
  RegenerableRows r;
  r.rows = 1;
  r.scan = [&](const std::vector<std::string>&, const RegenerableRows::Consumer& consume) { consume(wrong); };
  r.fetch = [&](std::span<const uint64_t>) { return wrong; };
  EXPECT_THROW(w->add_regenerable(r), Error);
  EXPECT_TRUE(wh_.snapshot(t)->files.empty());
}

}  // namespace
}  // namespace superstore::storage
