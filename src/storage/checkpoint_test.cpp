// Delta checkpoints: written every CHECKPOINT_INTERVAL commits, read back to the same snapshot as a replay
// from commit 0, used by replay, compatible with the checkpoints Spark writes (tests/data/delta-golden),
// and never the reason a commit fails.
#include "storage/checkpoint.h"

#include <gtest/gtest.h>

#include <set>

#include "blob/blob_store.h"
#include "common/error.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;
using testing::kPeople;
using testing::people;

// Snapshots are equal as a reader sees them: same version, protocol, schema and files (path, size,
// partition values, rows, tags, dataChange), same tombstones.
void expect_same(const Snapshot& a, const Snapshot& b, const std::string& what) {
  EXPECT_EQ(a.version, b.version) << what;
  EXPECT_EQ(a.timestamp, b.timestamp) << what;
  EXPECT_EQ(a.protocol.min_reader_version, b.protocol.min_reader_version) << what;
  EXPECT_EQ(a.protocol.min_writer_version, b.protocol.min_writer_version) << what;
  EXPECT_EQ(a.metadata.id, b.metadata.id) << what;
  EXPECT_EQ(a.metadata.partition_columns, b.metadata.partition_columns) << what;
  EXPECT_EQ(a.metadata.configuration, b.metadata.configuration) << what;
  EXPECT_EQ(a.metadata.created_time, b.metadata.created_time) << what;
  ASSERT_EQ(a.metadata.fields.size(), b.metadata.fields.size()) << what;
  for (size_t i = 0; i < a.metadata.fields.size(); ++i) {
    EXPECT_EQ(a.metadata.fields[i].name, b.metadata.fields[i].name) << what;
    EXPECT_EQ(a.metadata.fields[i].type, b.metadata.fields[i].type) << what;
  }
  ASSERT_EQ(a.files.size(), b.files.size()) << what;
  for (size_t i = 0; i < a.files.size(); ++i) {
    const AddFile &x = a.files[i], &y = b.files[i];
    EXPECT_EQ(x.path, y.path) << what;
    EXPECT_EQ(x.size, y.size) << what << " " << x.path;
    EXPECT_EQ(x.modification_time, y.modification_time) << what << " " << x.path;
    EXPECT_EQ(x.partition_values, y.partition_values) << what << " " << x.path;
    EXPECT_EQ(x.tags, y.tags) << what << " " << x.path;
    EXPECT_EQ(x.data_change, y.data_change) << what << " " << x.path;
    ASSERT_EQ(x.stats.has_value(), y.stats.has_value()) << what << " " << x.path;
    if (x.stats) {
      EXPECT_EQ(x.stats->num_records, y.stats->num_records) << what;
      EXPECT_EQ(x.stats->min_values, y.stats->min_values) << what;
      EXPECT_EQ(x.stats->max_values, y.stats->max_values) << what;
      EXPECT_EQ(x.stats->null_count, y.stats->null_count) << what;
    }
  }
  std::set<std::string> ta, tb;
  for (const auto& t : a.tombstones) ta.insert(t.path);
  for (const auto& t : b.tombstones) tb.insert(t.path);
  EXPECT_EQ(ta, tb) << what;
}

class CheckpointTest : public ::testing::Test {
 protected:
  catalog::TableInfo make_people(const std::string& name) {
    catalog::NewTable t;
    t.name = name;
    t.columns = kPeople;
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    return wh_->create_table(t);
  }
  void insert(const catalog::TableInfo& t, int64_t first, int64_t count) {
    auto w = wh_->writer(t);
    w->add(people(first, count));
    w->commit_insert();
  }
  fs::path log_dir(const catalog::TableInfo& t) const { return dir_.path() / "warehouse" / t.location / "_delta_log"; }
  DeltaLog log(const catalog::TableInfo& t) { return DeltaLog(store_, t.location, reader()); }
  CheckpointReader reader() { return make_checkpoint_reader(db_, store_, dir_.path() / "tmp"); }
  int64_t count(const std::string& table) { return testing::scalar(*wh_, "SELECT count(*) FROM " + table); }

  TempFolder dir_;
  std::unique_ptr<Warehouse> wh_ = std::make_unique<Warehouse>(testing::options_for(dir_.path()));
  blob::LocalBlobStore store_{dir_.path() / "warehouse"};
  query::Database db_{testing::unsandboxed()};
};

TEST_F(CheckpointTest, EveryTenthCommitWritesOneThatReadsBackAsTheReplay) {
  auto t = make_people("people");
  for (int64_t i = 0; i < 22; ++i) insert(t, i * 10, 10);
  wh_->delete_where(t, "id % 3 = 0");  // version 23: tombstones and rewritten files
  for (int64_t v : {10, 20}) {
    EXPECT_TRUE(fs::exists(log_dir(t) / (std::string(18, '0') + std::to_string(v) + ".checkpoint.parquet"))) << v;
  }
  EXPECT_EQ(log(t).checkpoint_versions(), (std::vector<int64_t>{10, 20}));
  nlohmann::json last = nlohmann::json::parse(store_.get(t.location + "/_delta_log/_last_checkpoint"));
  EXPECT_EQ(last["version"], 20);
  EXPECT_EQ(last["numOfAddFiles"], log(t).snapshot(20, false).files.size());
  EXPECT_EQ(last["sizeInBytes"], store_.size(log(t).checkpoint_key(20)));

  DeltaLog l = log(t);
  for (int64_t v = 0; v <= l.latest_version(); ++v) {
    expect_same(l.snapshot(v, true), l.snapshot(v, false), "version " + std::to_string(v));
  }
}

TEST_F(CheckpointTest, ReplayStartsFromTheNewestCheckpoint) {
  auto t = make_people("people");
  for (int64_t i = 0; i < 12; ++i) insert(t, i * 10, 10);
  const int64_t rows = count("people");
  // Without commits 0-9 only the checkpoint of version 10 can tell what the table holds.
  for (int v = 0; v < 10; ++v) fs::remove(log_dir(t) / (std::string(19, '0') + std::to_string(v) + ".json"));
  wh_ = std::make_unique<Warehouse>(testing::options_for(dir_.path()));  // no cached snapshot
  EXPECT_EQ(count("people"), rows);
  EXPECT_EQ(wh_->snapshot(t)->version, 12);
  EXPECT_EQ(wh_->snapshot(t, 10)->total_rows(), 100);
  EXPECT_THROW(log(t).snapshot(12, false), Error) << "commit 0 is gone, so only the checkpoint can be used";
}

// The log's names grow by one per commit forever; the newest version is found from _last_checkpoint and
// a few probes instead, and a stale or broken _last_checkpoint still gives the right answer.
TEST_F(CheckpointTest, TheLatestVersionIsFoundWithoutListingTheLog) {
  auto t = make_people("people");
  for (int64_t i = 0; i < 23; ++i) insert(t, i * 10, 10);
  testing::CountingStore counting(store_);
  DeltaLog probed(counting, t.location, make_checkpoint_reader(db_, counting, dir_.path() / "tmp"));
  EXPECT_EQ(probed.latest_version(), 23);
  expect_same(probed.snapshot(), log(t).snapshot(23, false), "latest, from the checkpoint of 20");
  expect_same(probed.snapshot(21), log(t).snapshot(21, false), "21, after the checkpoint");
  EXPECT_EQ(counting.lists, 0);
  expect_same(probed.snapshot(5), log(t).snapshot(5, false), "5, before it");
  EXPECT_EQ(counting.lists, 1) << "an older version lists the log to find its checkpoint";

  const std::string last = t.location + "/_delta_log/_last_checkpoint";
  store_.put(last, R"({"version": 10, "size": 1})");  // stale: the newest is 20
  expect_same(probed.snapshot(), log(t).snapshot(23, false), "from a stale _last_checkpoint");
  EXPECT_EQ(probed.latest_version(), 23);
  counting.lists = 0;
  for (const char* broken : {"not json", R"({"version": "20"})", R"({"version": 90})"}) {
    store_.put(last, broken);
    EXPECT_EQ(probed.latest_version(), 23) << broken;
    expect_same(probed.snapshot(), log(t).snapshot(23, false), broken);
  }
  EXPECT_EQ(counting.lists, 6) << "a broken _last_checkpoint falls back to listing";
}

TEST_F(CheckpointTest, AFailedCheckpointNeverFailsItsCommit) {
  auto t = make_people("people");
  // Checkpoints are made in DATA_DIR/tmp; without it every checkpoint write fails.
  fs::remove_all(dir_.path() / "tmp");
  for (int64_t i = 0; i < 10; ++i) ASSERT_NO_THROW(insert(t, i * 10, 10)) << i;
  EXPECT_EQ(wh_->snapshot(t)->version, 10);
  EXPECT_TRUE(log(t).checkpoint_versions().empty());
  EXPECT_EQ(count("people"), 100);
  fs::create_directories(dir_.path() / "tmp");
  for (int64_t i = 10; i < 20; ++i) insert(t, i * 10, 10);
  EXPECT_EQ(log(t).checkpoint_versions(), (std::vector<int64_t>{20}));
}

TEST_F(CheckpointTest, IntervalZeroWritesNone) {
  wh_.reset();
  WarehouseOptions o = testing::options_for(dir_.path());
  o.checkpoint_interval = 0;
  wh_ = std::make_unique<Warehouse>(o);
  auto t = make_people("people");
  for (int64_t i = 0; i < 11; ++i) insert(t, i * 10, 10);
  EXPECT_TRUE(log(t).checkpoint_versions().empty());
}

TEST_F(CheckpointTest, StoresWithoutLocalPathsRoundTripThroughATemporaryFile) {
  auto t = make_people("people");
  for (int64_t i = 0; i < 3; ++i) insert(t, i * 10, 10);
  const Snapshot s = log(t).snapshot();
  blob::MemoryBlobStore memory;
  DeltaLog in_memory(memory, "t", make_checkpoint_reader(db_, memory, dir_.path() / "tmp"));
  for (int64_t v = 0; v <= s.version; ++v) ASSERT_TRUE(in_memory.try_commit(v, log(t).read_commit(v)));
  write_checkpoint(db_, memory, in_memory, s, dir_.path() / "tmp");
  EXPECT_TRUE(memory.exists("t/_delta_log/_last_checkpoint"));
  expect_same(in_memory.snapshot(s.version, true), s, "in memory");
  for (const auto& entry : fs::directory_iterator(dir_.path() / "tmp")) {
    EXPECT_NE(entry.path().filename().string().rfind("checkpoint-", 0), 0u) << "left behind: " << entry.path();
  }
}

// Spark's checkpoint (golden table) is read to the same state as its JSON commits; a checkpoint we write
// of that table uses the same column names as Spark's, so other readers find what they look for.
TEST(CheckpointGolden, SparksCheckpointReadsAsTheReplayAndOursUsesItsSchema) {
  const fs::path golden = fs::path(SUPERSTORE_TESTDATA_DIR) / "delta-golden";
  const std::string table = "basic-with-inserts-deletes-checkpoint";
  ASSERT_TRUE(fs::exists(golden / table / "_delta_log")) << golden << " is part of the repository";
  TempFolder tmp;
  query::Database db(testing::unsandboxed());
  blob::LocalBlobStore store(golden);
  DeltaLog log(store, table, make_checkpoint_reader(db, store, tmp.path()));
  ASSERT_EQ(log.checkpoint_versions(), (std::vector<int64_t>{10}));
  for (int64_t v = 10; v <= 13; ++v) {
    const Snapshot from_checkpoint = log.snapshot(v, true), replayed = log.snapshot(v, false);
    EXPECT_EQ(from_checkpoint.total_rows(), replayed.total_rows()) << v;
    std::set<std::string> a, b;
    for (const auto& f : from_checkpoint.files) a.insert(f.path + "@" + std::to_string(f.size));
    for (const auto& f : replayed.files) b.insert(f.path + "@" + std::to_string(f.size));
    EXPECT_EQ(a, b) << v;
    EXPECT_EQ(from_checkpoint.metadata.id, replayed.metadata.id);
  }

  // Our checkpoint of version 10, beside Spark's.
  blob::LocalBlobStore copy(tmp.path() / "copy");
  for (int64_t v = 0; v <= 10; ++v) copy.put(log.commit_key(v), store.get(log.commit_key(v)));
  DeltaLog ours(copy, table);
  write_checkpoint(db, copy, ours, log.snapshot(10, false), tmp.path());
  query::Connection conn(db);
  auto columns = [&](const fs::path& file) {
    std::set<std::string> names;
    auto r = conn.execute("SELECT name FROM parquet_schema(" + query::quote_literal(file.string()) + ")");
    for (size_t i = 0; i < r.row_count(); ++i) names.insert(r.get_string(0, i));
    return names;
  };
  const std::string name = std::string(18, '0') + "10.checkpoint.parquet";
  const std::set<std::string> spark = columns(golden / table / "_delta_log" / name);
  std::set<std::string> mine = columns(tmp.path() / "copy" / table / "_delta_log" / name);
  for (const auto& c : mine) {
    // DuckDB and Spark name a map's and a list's inner groups differently; the fields themselves match.
    if (c == "key_value" || c == "key" || c == "value" || c == "list" || c == "element" || c == "duckdb_schema")
      continue;
    EXPECT_TRUE(spark.count(c)) << "column '" << c << "' of our checkpoint is not in Spark's";
  }
  for (const char* action : {"add", "remove", "metaData", "protocol", "txn"}) EXPECT_TRUE(mine.count(action));
  // And it reads back to the same table.
  DeltaLog ours_read(copy, table, make_checkpoint_reader(db, copy, tmp.path()));
  EXPECT_EQ(ours_read.snapshot(10, true).total_rows(), log.snapshot(10, false).total_rows());
}

}  // namespace
}  // namespace superstore::storage
