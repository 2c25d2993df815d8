// FAKE_DATA_MEMORY: a small budget makes fake-data writes spill sorted runs of their keys to DATA_DIR/tmp
// and merge them back, and still gives byte for byte the Parquet files of the default budget, which
// holds every key in memory: the built-in tables at scale 20, a spec table sorted by a nullable string,
// and an advance that rewrites files.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "fakedata/lifecycle.h"
#include "fakedata/spec/spec.h"
#include "storage/key_runs.h"
#include "storage/test_support.h"

namespace superstore::fakedata {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSmallBudget = 1 << 20;  // the least FAKE_DATA_MEMORY: every table of scale 20 spills

// Every Parquet file below the warehouse by its table and partition, with its bytes; ids taken out. Table
// and file ids come from catalog counters that tables built at once, and a table's files written at once,
// draw from in whatever order their threads reach them, so two equal worlds may number the same files
// differently: a partition's files are keyed "<table>/<partition>/#k", k counting them in byte order.
std::map<std::string, std::string> parquet_files(const fs::path& data_dir) {
  const fs::path root = data_dir / "warehouse";
  std::map<std::string, std::vector<std::string>> by_partition;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".parquet" || e.path().string().find("_delta_log") != std::string::npos) continue;
    const std::string relative = fs::relative(e.path().parent_path(), root).string();  // db/schema/name-id/...
    const size_t table_end = relative.find('/', relative.find('/', relative.find('/') + 1) + 1);
    const std::string table = relative.substr(0, table_end);
    const std::string key = table.substr(0, table.rfind('-')) + relative.substr(std::min(table_end, relative.size()));
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    by_partition[key].push_back(bytes.str());
  }
  std::map<std::string, std::string> out;
  for (auto& [partition, files] : by_partition) {
    std::sort(files.begin(), files.end());
    for (size_t k = 0; k < files.size(); ++k) out[partition + "/#" + std::to_string(k)] = std::move(files[k]);
  }
  return out;
}

// Paths whose bytes differ or that only one side has.
std::vector<std::string> differences(const std::map<std::string, std::string>& a,
                                     const std::map<std::string, std::string>& b) {
  std::vector<std::string> out;
  for (const auto& [path, bytes] : a) {
    auto it = b.find(path);
    if (it == b.end() || it->second != bytes) out.push_back(path);
  }
  for (const auto& [path, bytes] : b) {
    if (!a.count(path)) out.push_back(path);
  }
  return out;
}

storage::WarehouseOptions with_budget(const fs::path& dir, int64_t bytes) {
  storage::WarehouseOptions o = storage::testing::options_for(dir);
  o.fake_data_memory = bytes;
  return o;
}

const char* const kTicketsSpec = R"(tables:
  - name: tickets
    rows: 80000
    partition_by: [kind]
    sort_by: [city, seats]
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: kind, type: String, gen: {choice: {bug: 60, task: 30, epic: 10}}}
      - {name: city, type: String, null: 0.2, gen: {words: city}}
      - {name: seats, type: Int32, gen: {int: {min: 1, max: 200, skew: 1.3}}}
)";

// Creates the built-in tables at scale 20 and the spec table, then advances 60 days, under `budget`;
// returns the spill runs this took and leaves the files in `dir`.
uint64_t build_world(const fs::path& dir, int64_t budget) {
  const uint64_t runs_before = storage::spilled_runs_total();
  storage::Warehouse wh(with_budget(dir, budget));
  LifecycleOptions o;
  o.scale = 20;
  o.spec_tables = compile_specs({{"tickets", kTicketsSpec}});
  create_missing(wh, o);
  AdvanceOptions a;
  a.days = 60;
  advance(wh, a);
  EXPECT_TRUE(fs::is_empty(dir / "tmp")) << "the spill files have no names and are gone";
  return storage::spilled_runs_total() - runs_before;
}

TEST(FakeDataMemory, ASmallBudgetSpillsAndWritesTheSameFilesAsTheDefault) {
  TempFolder roomy, small;
  EXPECT_EQ(build_world(roomy.path(), kDefaultFakeDataMemory), 0u) << "scale 20 fits in the default budget";
  EXPECT_GT(build_world(small.path(), kSmallBudget), 8u) << "each large table spills several runs";
  const auto expected = parquet_files(roomy.path());
  EXPECT_GT(expected.size(), 30u);
  EXPECT_EQ(differences(expected, parquet_files(small.path())), std::vector<std::string>{});
}

}  // namespace
}  // namespace superstore::fakedata
