// OPTIMIZE and VACUUM on a real warehouse: compaction keeps every row and the sort order in one
// dataChange-false commit that older versions do not notice; vacuum deletes exactly the files no version
// within the retention window references (and old orphans), and every retained version still reads.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "storage/table_vacuum.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;
using testing::age_file;
using testing::kPeople;
using testing::people;

// Rows handed to the writer as regenerable rows, as file imports and fake data are: such a write merges
// no earlier file, so every one leaves small files of its own.
RegenerableRows regenerable(const ColumnBatch& rows) {
  RegenerableRows source;
  source.rows = rows.rows();
  source.scan = [&rows](const std::vector<std::string>& names, const RegenerableRows::Consumer& consume) {
    ColumnBatch keys;
    for (const auto& name : names) {
      const size_t at = rows.index_of(name);
      keys.schema.push_back(rows.schema[at]);
      keys.columns.push_back(rows.columns[at]);
    }
    consume(keys);
  };
  source.fetch = [&rows](std::span<const uint64_t> indices) { return rows.take(indices); };
  return source;
}

class UpkeepTest : public ::testing::Test {
 protected:
  catalog::TableInfo make_people(const std::string& name) {
    catalog::NewTable t;
    t.name = name;
    t.columns = kPeople;
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    return wh_->create_table(t);
  }
  // `count` rows with ids first.. in a shuffled order, as one regenerable write.
  int64_t insert_shuffled(const catalog::TableInfo& t, int64_t first, int64_t count) {
    ColumnBatch rows = people(first, count);
    std::vector<uint64_t> order(static_cast<size_t>(count));
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(static_cast<uint64_t>(first)));
    ColumnBatch shuffled = rows.take(order);
    auto w = wh_->writer(t);
    w->add_regenerable(regenerable(shuffled), UINT64_MAX);
    return w->commit_insert().version;
  }
  // A digest of every row of every column at `version` (latest when empty).
  std::string digest(std::optional<int64_t> version = {}) {
    QueryOptions q;
    q.version = version;
    auto page = wh_->query(
        "SELECT count(*), sum(hash(id, name, dept, age, score, active, joined, born, level)) FROM people", q);
    return page.page.rows.at(0).dump();
  }
  fs::path table_dir(const catalog::TableInfo& t) const { return dir_.path() / "warehouse" / t.location; }
  std::set<std::string> files_on_disk(const catalog::TableInfo& t) { return testing::data_files_in(table_dir(t)); }
  DeltaLog log(const catalog::TableInfo& t) { return DeltaLog(store_, t.location); }

  TempFolder dir_;
  std::unique_ptr<Warehouse> wh_ = std::make_unique<Warehouse>([this] {
    WarehouseOptions o = testing::options_for(dir_.path());
    o.vacuum_min_retention_ms = 0;
    return o;
  }());
  blob::LocalBlobStore store_{dir_.path() / "warehouse"};
  query::Database db_{testing::unsandboxed()};
  query::Connection conn_{db_};
};

TEST_F(UpkeepTest, OptimizeKeepsEveryRowAndSortsEachPartition) {
  auto t = make_people("people");
  for (int64_t i = 0; i < 8; ++i) insert_shuffled(t, i * 100, 100);
  const int64_t before_version = wh_->snapshot(t)->version;
  const auto before_files = wh_->snapshot(t)->files;
  ASSERT_EQ(before_files.size(), 8u * 4) << "each write leaves one small file per department";
  EXPECT_EQ(wh_->upkeep(t).small_files, 32);
  const std::string rows = digest();

  WriteResult r = wh_->optimize(t);
  EXPECT_EQ(r.version, before_version + 1);
  EXPECT_EQ(r.rows, 800);
  EXPECT_EQ(r.files_removed, 32);
  EXPECT_EQ(r.files_added, 4);
  EXPECT_EQ(digest(), rows);
  EXPECT_EQ(digest(before_version), rows) << "the version before reads its own files, all still there";
  EXPECT_EQ(wh_->upkeep(t).small_files, 4) << "one file per department, each still below half the target";

  const Commit c = log(t).read_commit(r.version);
  EXPECT_EQ(c.info.operation, "OPTIMIZE");
  for (const auto& a : c.adds) EXPECT_FALSE(a.data_change) << a.path;
  for (const auto& x : c.removes) EXPECT_FALSE(x.data_change) << x.path;
  const auto history = wh_->history(t, 1);
  EXPECT_EQ(history.at(0).rows_added, 0);
  EXPECT_EQ(history.at(0).rows_removed, 0);

  for (const auto& f : wh_->snapshot(t)->files) {
    auto sorted = conn_.execute(
        "SELECT count(*) FILTER (WHERE id < prev) FROM (SELECT id, lag(id) OVER (ORDER BY "
        "file_row_number) AS prev FROM read_parquet(" +
        query::quote_literal((table_dir(t) / f.path).string()) + ", file_row_number = true))");
    EXPECT_EQ(sorted.get_int64(0, 0), 0) << f.path << " is not sorted by id";
    EXPECT_EQ(f.stats->num_records, 200) << f.path;
  }
  EXPECT_EQ(wh_->optimize(t).version, -1) << "nothing left to compact: no new version";
}

TEST_F(UpkeepTest, VacuumDeletesExactlyWhatNoRetainedVersionNeeds) {
  auto t = make_people("people");
  std::vector<int64_t> versions;
  for (int64_t i = 0; i < 4; ++i) {
    versions.push_back(insert_shuffled(t, i * 100, 100));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  wh_->delete_where(t, "id % 5 = 0");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  wh_->optimize(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  wh_->delete_where(t, "id < 50");
  const DeltaLog l = log(t);
  const int64_t latest = l.latest_version();
  std::map<int64_t, std::string> rows_of;
  for (int64_t v = 0; v <= latest; ++v) rows_of[v] = digest(v);

  // Versions from `first_kept` on stay readable: the cutoff lies just after the commit of first_kept.
  const int64_t first_kept = latest - 2;
  const int64_t cutoff = l.read_commit(first_kept).info.timestamp + 1;
  ASSERT_LT(cutoff, l.read_commit(first_kept + 1).info.timestamp) << "commits too close together";
  std::set<std::string> needed;
  for (int64_t v = first_kept; v <= latest; ++v) {
    for (const auto& f : l.snapshot(v).files) needed.insert(f.path);
  }
  // Orphans of killed writes: one older than the cutoff, one a write might still be about to commit.
  const std::string old_orphan = "dept=HR/999001.parquet", young_orphan = "dept=HR/999002.parquet";
  fs::copy_file(table_dir(t) / l.snapshot().files.front().path, table_dir(t) / old_orphan);
  fs::copy_file(table_dir(t) / l.snapshot().files.front().path, table_dir(t) / young_orphan);
  age_file(table_dir(t) / old_orphan, std::chrono::milliseconds(now_ms() - cutoff + 60'000));

  const std::set<std::string> on_disk = files_on_disk(t);
  std::set<std::string> expected;
  for (const auto& f : on_disk) {
    if (!needed.count(f) && f != young_orphan) expected.insert(f);
  }
  ASSERT_TRUE(expected.count(old_orphan));
  ASSERT_GT(expected.size(), 5u);

  const VacuumReport dry = vacuum_files(store_, l, cutoff, /*dry_run=*/true);
  EXPECT_EQ(files_on_disk(t), on_disk) << "a dry run deletes nothing";
  const VacuumReport done = vacuum_files(store_, l, cutoff, /*dry_run=*/false);
  std::set<std::string> listed, deleted;
  for (const auto& f : dry.files) listed.insert(f.path);
  for (const auto& f : done.files) deleted.insert(f.path);
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(deleted, expected);
  EXPECT_EQ(dry.bytes, done.bytes);
  std::set<std::string> left = files_on_disk(t);
  for (const auto& f : expected) EXPECT_FALSE(left.count(f)) << f;
  EXPECT_EQ(left.size(), on_disk.size() - expected.size());

  for (int64_t v = first_kept; v <= latest; ++v) EXPECT_EQ(digest(v), rows_of[v]) << "version " << v;
  EXPECT_ANY_THROW(digest(first_kept - 1)) << "its files were removed before the cutoff";
  EXPECT_TRUE(vacuum_files(store_, l, cutoff, false).files.empty()) << "a second vacuum finds nothing";
}

TEST_F(UpkeepTest, WarehouseVacuumHonoursTheMinimumAndRemovesOldDroppedTables) {
  wh_.reset();
  WarehouseOptions o = testing::options_for(dir_.path());
  o.vacuum_min_retention_ms = 3'600'000;
  wh_ = std::make_unique<Warehouse>(o);
  auto t = make_people("people");
  insert_shuffled(t, 0, 10);
  try {
    wh_->vacuum(t, {.retention_ms = 60'000});
    FAIL() << "a retention below the minimum must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("VACUUM_MIN_RETENTION"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(wh_->vacuum(t, {}).files.files.empty());

  // A dropped generation of the same name goes once it was dropped longer ago than the retention.
  wh_.reset();
  o.vacuum_min_retention_ms = 0;
  wh_ = std::make_unique<Warehouse>(o);
  wh_->drop_table(t.id);
  auto again = make_people("people");
  insert_shuffled(again, 0, 10);
  EXPECT_TRUE(fs::exists(table_dir(t)));
  EXPECT_TRUE(wh_->vacuum(again, {.retention_ms = 3'600'000}).dropped_tables.empty()) << "dropped just now";
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  VacuumResult dry = wh_->vacuum(again, {.retention_ms = 1, .dry_run = true});
  EXPECT_EQ(dry.dropped_tables, std::vector<int64_t>{t.id});
  EXPECT_GT(dry.dropped_bytes, 0);
  EXPECT_TRUE(fs::exists(table_dir(t)));
  VacuumResult done = wh_->vacuum(again, {.retention_ms = 1});
  EXPECT_EQ(done.dropped_tables, std::vector<int64_t>{t.id});
  EXPECT_FALSE(fs::exists(table_dir(t)));
  EXPECT_THROW(wh_->catalog().get_table(t.id), Error);
  EXPECT_EQ(testing::scalar(*wh_, "SELECT count(*) FROM people"), 10);
}

TEST_F(UpkeepTest, UpkeepCountsSmallFilesAndReclaimableBytes) {
  wh_.reset();
  WarehouseOptions o = testing::options_for(dir_.path());
  o.vacuum_retention_ms = 0;  // what vacuum would delete right now
  o.vacuum_min_retention_ms = 0;
  wh_ = std::make_unique<Warehouse>(o);
  auto t = make_people("people");
  insert_shuffled(t, 0, 100);
  insert_shuffled(t, 100, 100);
  TableUpkeep before = wh_->upkeep(t);
  EXPECT_EQ(before.small_files, 8);
  EXPECT_EQ(before.small_file_bytes, wh_->snapshot(t)->total_bytes());
  EXPECT_EQ(before.reclaimable_bytes, 0);
  EXPECT_EQ(before.checkpoint_version, -1);
  const int64_t old_bytes = wh_->snapshot(t)->total_bytes();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  wh_->optimize(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  TableUpkeep after = wh_->upkeep(t);
  EXPECT_EQ(after.small_files, 4);
  EXPECT_EQ(after.reclaimable_files, 8);
  EXPECT_EQ(after.reclaimable_bytes, old_bytes);
  EXPECT_EQ(wh_->vacuum(t, {}).files.bytes, old_bytes);
  EXPECT_EQ(wh_->upkeep(t).reclaimable_bytes, 0);
}

// GET /table/{id} asks for these figures with every page of files; the folder is listed once a minute at
// most (many requests for a big table on S3), and what was committed or removed since comes from the log.
TEST_F(UpkeepTest, UpkeepListsTheFolderOnceAndJudgesLaterChangesByTheLog) {
  wh_.reset();
  WarehouseOptions o = testing::options_for(dir_.path());
  o.vacuum_retention_ms = 0;
  o.vacuum_min_retention_ms = 0;
  wh_ = std::make_unique<Warehouse>(o);
  auto t = make_people("people");
  insert_shuffled(t, 0, 100);
  insert_shuffled(t, 100, 100);
  EXPECT_EQ(wh_->upkeep(t).reclaimable_files, 0);
  const std::string orphan = "dept=HR/999001.parquet";
  fs::copy_file(table_dir(t) / wh_->snapshot(t)->files.front().path, table_dir(t) / orphan);
  age_file(table_dir(t) / orphan, std::chrono::hours(2));
  EXPECT_EQ(wh_->upkeep(t).reclaimable_files, 0) << "the listing of a moment ago is kept";
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  wh_->optimize(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(wh_->upkeep(t).reclaimable_files, 8) << "the files OPTIMIZE replaced, known from the log";
  const VacuumResult v = wh_->vacuum(t, {});
  EXPECT_EQ(v.files.files.size(), 9u) << "the vacuum lists afresh: the orphan too";
  EXPECT_EQ(wh_->upkeep(t).reclaimable_files, 0);
  EXPECT_EQ(wh_->upkeep(t).checkpoint_version, -1);
}

}  // namespace
}  // namespace superstore::storage
