// The external sort of regenerable writes (key_runs.h): sort-key bytes order rows as the writer's
// comparison does, and a write whose keys outgrow a small FAKE_DATA_MEMORY spills, merges and writes the
// very files of a write that holds every key in memory, for every kind of sort key.
#include "storage/key_runs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "common/error.h"
#include "storage/test_support.h"
#include "storage/warehouse.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;
using testing::kPeople;
using testing::people;

// The oracle: ascending, nulls last, NaN above every number and equal to NaN, -0.0 equal to 0.0,
// strings as unsigned bytes, a shorter prefix first.
int compare_rows(const ColumnBatch& b, size_t x, size_t y) {
  for (const Column& c : b.columns) {
    const bool nx = c.is_null(x), ny = c.is_null(y);
    if (nx || ny) {
      if (nx != ny) return nx ? 1 : -1;
      continue;
    }
    int d = 0;
    if (c.type() == ColumnType::String) {
      const std::string_view a = c.string_at(x), z = c.string_at(y);
      for (size_t i = 0; d == 0 && i < std::min(a.size(), z.size()); ++i) {
        d = static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(z[i]);
      }
      if (d == 0) d = a.size() < z.size() ? -1 : (a.size() > z.size() ? 1 : 0);
    } else if (c.type() == ColumnType::Float64) {
      const double a = c.double_at(x), z = c.double_at(y);
      if (std::isnan(a) || std::isnan(z)) {
        d = std::isnan(a) == std::isnan(z) ? 0 : (std::isnan(a) ? 1 : -1);
      } else {
        d = a < z ? -1 : (a > z ? 1 : 0);
      }
    } else {
      d = c.int_at(x) < c.int_at(y) ? -1 : (c.int_at(x) > c.int_at(y) ? 1 : 0);
    }
    if (d != 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

TEST(KeyRuns, SortKeyBytesOrderRowsAsTheWriterComparesThem) {
  const std::vector<std::optional<int64_t>> ints = {
      std::nullopt, std::numeric_limits<int64_t>::min(), -1, 0, 1, std::numeric_limits<int64_t>::max()};
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::optional<double>> doubles = {std::nullopt, -inf, -1.5, -0.0, 0.0, 1e-300, 2.5, inf, nan, -nan};
  const std::vector<std::optional<std::string>> strings = {
      std::nullopt, "", "a", std::string("a\0", 2), std::string("a\0b", 3), "ab", "b", "\xff", std::string("\0", 1)};
  ColumnBatch b({{"i", ColumnType::Int64}, {"d", ColumnType::Float64}, {"s", ColumnType::String}});
  for (const auto& i : ints) {
    for (const auto& d : doubles) {
      for (const auto& s : strings) {
        i ? b[0].push_int(*i) : b[0].push_null();
        d ? b[1].push_double(*d) : b[1].push_null();
        s ? b[2].push_string(*s) : b[2].push_null();
      }
    }
  }
  // Each column alone and all three: the key bytes of one column must not run into the next's.
  for (const std::vector<size_t>& cols : std::vector<std::vector<size_t>>{{0}, {1}, {2}, {2, 1, 0}, {1, 2}}) {
    ColumnBatch keys;
    for (size_t c : cols) keys.schema.push_back(b.schema[c]), keys.columns.push_back(b.columns[c]);
    std::vector<std::string> bytes(keys.rows());
    for (size_t r = 0; r < keys.rows(); ++r) append_sort_key(keys, r, bytes[r]);
    int wrong = 0;
    for (size_t x = 0; x < keys.rows(); ++x) {
      for (size_t y = 0; y < keys.rows(); ++y) {
        const int got = bytes[x].compare(bytes[y]);
        wrong += (got < 0 ? -1 : (got > 0 ? 1 : 0)) != compare_rows(keys, x, y);
      }
    }
    EXPECT_EQ(wrong, 0) << "columns starting at " << cols.front();
  }
}

// The merge on its own: runs of 1 to 19 (the tree of losers with a leaf count of every kind, not only
// powers of two), partitions that some runs lack, keys sharing long prefixes and differing in any byte
// (bytes above 0x7f among them), keys longer than a cursor's buffer, and takes of every size, which
// continue where the last one stopped; the rows come out in (key, row) order.
TEST(KeyRuns, MergedRunsGiveEveryRowInKeyThenRowOrder) {
  std::mt19937_64 random(20);
  for (const size_t run_count : {1, 2, 3, 5, 8, 19}) {
    TempFolder dir;
    SpilledRuns runs(dir.path());
    struct Item {
      std::string key;
      uint64_t row;
    };
    std::map<int32_t, std::vector<Item>> expected;  // by partition
    uint64_t row = 0;
    for (size_t r = 0; r < run_count; ++r) {
      std::map<int32_t, std::vector<Item>> run;
      const size_t n = 1 + random() % 3000;
      for (size_t i = 0; i < n; ++i, ++row) {
        const auto partition = static_cast<int32_t>(random() % 4 == 0 ? 7 : random() % 3);
        if (partition == 1 && r % 2 == 1) continue;  // odd runs lack partition 1
        std::string key(random() % 20, 'k');
        for (char& ch : key) ch = static_cast<char>(random() % 4 == 0 ? random() % 256 : 'k');
        if (random() % 500 == 0) key.assign(100'000 + random() % 1000, static_cast<char>(random() % 256));
        run[partition].push_back({key, row * 7 % 100'003});  // rows not in key order
      }
      for (auto& [partition, items] : run) {
        std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
          return a.key != b.key ? a.key < b.key : a.row < b.row;  // std::string compares as memcmp
        });
        runs.begin_partition(partition);
        for (const Item& item : items) runs.add(item.key, item.row);
        auto& all = expected[partition];
        all.insert(all.end(), items.begin(), items.end());
      }
      runs.end_run();
    }
    EXPECT_EQ(runs.runs(), run_count);
    for (auto& [partition, items] : expected) {
      std::sort(items.begin(), items.end(),
                [](const Item& a, const Item& b) { return a.key != b.key ? a.key < b.key : a.row < b.row; });
      std::vector<uint64_t> got;
      while (got.size() < items.size()) {
        const auto n =
            std::min<int64_t>(static_cast<int64_t>(random() % 700), static_cast<int64_t>(items.size() - got.size()));
        runs.take(partition, n, 64 << 10, got);
      }
      std::vector<uint64_t> want;
      for (const Item& item : items) want.push_back(item.row);
      EXPECT_TRUE(got == want) << run_count << " runs, partition " << partition;
    }
    std::vector<uint64_t> more;
    EXPECT_THROW(runs.take(expected.rbegin()->first, 1, 64 << 10, more), superstore::Error)
        << "the runs hold no more rows";
  }
}

std::map<std::string, std::string> files_of(Warehouse& wh, const catalog::TableInfo& t, const fs::path& data_dir) {
  std::map<std::string, std::string> out;
  for (const auto& f : wh.snapshot(t)->files) {
    std::ifstream in(data_dir / "warehouse" / t.location / f.path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    out[f.path] = bytes.str();
  }
  return out;
}

// The sort keys of the writer's other tests (timestamps with NULLs, integers, a double with NULLs,
// strings with NULLs, dates), none, and a sort by a partition's own rows order; 1 MiB holds about 14,000
// rows' keys, so 60,000 rows make several runs.
TEST(KeyRuns, ASmallBudgetSpillsAndWritesTheSameFiles) {
  ColumnBatch all = people(1, 60'000);
  const std::vector<std::vector<std::string>> sort_key_sets = {{"joined", "id"}, {"age", "id"},     {"score"}, {"name"},
                                                               {"born"},         {"level", "born"}, {}};
  TempFolder roomy_dir, small_dir;
  WarehouseOptions roomy_options = testing::options_for(roomy_dir.path()), small_options = roomy_options;
  small_options.data_dir = small_dir.path();
  small_options.fake_data_memory = 1 << 20;
  Warehouse roomy(roomy_options), small(small_options);
  for (size_t k = 0; k < sort_key_sets.size(); ++k) {
    catalog::NewTable nt;
    nt.name = "people_" + std::to_string(k);
    nt.columns = kPeople;
    nt.partition_keys = {"dept"};
    nt.sort_keys = sort_key_sets[k];
    nt.target_file_bytes = 256 << 10;
    std::map<std::string, std::string> files[2];
    for (int s = 0; s < 2; ++s) {
      Warehouse& wh = s == 0 ? roomy : small;
      const catalog::TableInfo t = wh.create_table(nt);
      const uint64_t runs_before = spilled_runs_total();
      auto w = wh.writer(t);
      RegenerableRows source;
      source.rows = all.rows();
      source.scan = [&](const std::vector<std::string>& names, const RegenerableRows::Consumer& consume) {
        for (uint64_t first = 0; first < all.rows(); first += 4096) {
          std::vector<uint64_t> range;
          for (uint64_t i = first; i < std::min<uint64_t>(all.rows(), first + 4096); ++i) range.push_back(i);
          ColumnBatch part = all.take(range), keys;
          for (const auto& name : names) {
            keys.schema.push_back(part.schema[part.index_of(name)]);
            keys.columns.push_back(part.columns[part.index_of(name)]);
          }
          consume(keys);
        }
      };
      source.fetch = [&](std::span<const uint64_t> indices) { return all.take(indices); };
      w->add_regenerable(source);
      EXPECT_EQ(w->commit_insert().rows, 60'000);
      const uint64_t runs = spilled_runs_total() - runs_before;
      if (s == 0) {
        EXPECT_EQ(runs, 0u) << nt.name;
      } else {
        EXPECT_GE(runs, 2u) << nt.name;
      }
      files[s] = files_of(wh, t, s == 0 ? roomy_dir.path() : small_dir.path());
    }
    EXPECT_GT(files[0].size(), 4u) << nt.name;
    EXPECT_TRUE(files[0] == files[1]) << nt.name << ": the spilled write's files differ";
  }
  EXPECT_TRUE(fs::is_empty(small_dir.path() / "tmp"));
}

}  // namespace
}  // namespace superstore::storage
