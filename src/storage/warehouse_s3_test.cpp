// The warehouse on S3 (moto on loopback) beyond the shared storage tests: the local file cache as queries
// use it (cold, warm, bounded, shared by no two processes), dropped tables leaving the bucket, and a writer
// killed with SIGKILL in the middle of its uploads and commits.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "common/error.h"
#include "storage/test_support.h"
#include "storage/warehouse.h"

namespace superstore::storage {
namespace {

using testing::kPeople;
using testing::people;

class WarehouseS3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto o = testing::s3_options_for(dir_.path(), why);
    if (!o) GTEST_SKIP() << why;
    options_ = *o;
    wh_ = std::make_unique<Warehouse>(options_);
  }

  catalog::TableInfo make_people(const std::string& name) {
    catalog::NewTable t;
    t.name = name;
    t.columns = kPeople;
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    return wh_->create_table(t);
  }
  void insert(Warehouse& wh, const catalog::TableInfo& t, int64_t first, int64_t count) {
    auto w = wh.writer(t);
    w->add(people(first, count));
    w->commit_insert();
  }
  blob::S3BlobStore bucket() {
    blob::S3Options o = options_.s3;
    blob::parse_s3_url(options_.warehouse_url, o);
    return blob::S3BlobStore(o);
  }
  // A second warehouse on the same catalog and bucket with a cold cache of its own, as a second server
  // process would be.
  std::unique_ptr<Warehouse> second(uint64_t cache_bytes = kDefaultCacheBytes) {
    WarehouseOptions o = options_;
    o.cache_dir = dir_.path() / ("other-cache-" + std::to_string(++seconds_));
    o.cache_bytes = cache_bytes;
    return std::make_unique<Warehouse>(o);
  }

  TempFolder dir_;
  WarehouseOptions options_;
  std::unique_ptr<Warehouse> wh_;
  int seconds_ = 0;
};

TEST_F(WarehouseS3Test, AColdQueryCopiesTheFilesOnceAndAWarmOneReadsThemLocally) {
  auto t = make_people("people");
  insert(*wh_, t, 0, 5000);
  EXPECT_EQ(wh_->file_cache_stats()->bytes_downloaded, 0u) << "the writer's own files are cached as written";
  EXPECT_EQ(wh_->location(), options_.warehouse_url);

  auto reader = second();
  const auto files = reader->snapshot(t)->files.size();
  EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM people"), 5000);
  auto cold = *reader->file_cache_stats();
  EXPECT_EQ(cold.misses, static_cast<int64_t>(files));
  EXPECT_EQ(cold.bytes_downloaded, static_cast<uint64_t>(reader->snapshot(t)->total_bytes()));
  EXPECT_EQ(testing::scalar(*reader, "SELECT sum(id) FROM people"), 4999 * 5000 / 2);
  auto warm = *reader->file_cache_stats();
  EXPECT_EQ(warm.bytes_downloaded, cold.bytes_downloaded);
  EXPECT_EQ(warm.hits, static_cast<int64_t>(files));
}

TEST_F(WarehouseS3Test, ABoundedCacheEvictsAndAnswersStayRight) {
  auto a = make_people("a_people");
  auto b = make_people("b_people");
  insert(*wh_, a, 0, 3000);
  insert(*wh_, b, 0, 3000);
  const auto largest = std::max(wh_->snapshot(a)->total_bytes(), wh_->snapshot(b)->total_bytes());
  auto reader = second(static_cast<uint64_t>(largest) + 100);  // room for one table at a time
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM a_people"), 3000);
    EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM b_people"), 3000);
  }
  const auto stats = *reader->file_cache_stats();
  EXPECT_GE(stats.evictions, 5);
  EXPECT_LE(stats.bytes, static_cast<uint64_t>(largest) + 100);
}

TEST_F(WarehouseS3Test, AQueryNeedingMoreThanTheCacheIsTooLarge) {
  auto t = make_people("people");
  insert(*wh_, t, 0, 2000);
  auto reader = second(100);
  try {
    testing::scalar(*reader, "SELECT count(*) FROM people");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::TooLarge);
    EXPECT_NE(std::string(e.what()).find("CACHE_BYTES=100"), std::string::npos) << e.what();
  }
}

// OPTIMIZE reads the files it compacts: a warehouse whose cache has never seen them must fetch them from
// the bucket first (a cold second process), and the compacted table keeps every row.
TEST_F(WarehouseS3Test, OptimizeFromAColdCacheFetchesTheFilesItCompacts) {
  auto t = make_people("people");
  for (int64_t round = 0; round < 3; ++round) {
    const ColumnBatch rows = people(round * 500, 500);
    RegenerableRows source;  // regenerable writes merge no earlier file: each leaves small files
    source.rows = rows.rows();
    source.scan = [&rows](const std::vector<std::string>& names, const RegenerableRows::Consumer& consume) {
      ColumnBatch keys;
      for (const auto& name : names) {
        keys.schema.push_back(rows.schema[rows.index_of(name)]);
        keys.columns.push_back(rows.columns[rows.index_of(name)]);
      }
      consume(keys);
    };
    source.fetch = [&rows](std::span<const uint64_t> indices) { return rows.take(indices); };
    auto w = wh_->writer(t);
    w->add_regenerable(source, UINT64_MAX);
    w->commit_insert();
  }
  const size_t files_before = wh_->snapshot(t)->files.size();
  auto cold = second();
  const WriteResult r = cold->optimize(t);
  EXPECT_GE(r.version, 0);
  EXPECT_EQ(r.rows, 1500);
  EXPECT_GT(cold->file_cache_stats()->bytes_downloaded, 0u) << "the compacted files came from the bucket";
  EXPECT_LT(cold->snapshot(t)->files.size(), files_before);
  auto reader = second();
  EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM people"), 1500);
  EXPECT_EQ(testing::scalar(*reader, "SELECT sum(id) FROM people"), 1499 * 1500 / 2);
}

TEST_F(WarehouseS3Test, DeletesAndTimeTravelWorkOnS3) {
  auto t = make_people("people");
  insert(*wh_, t, 0, 1000);
  insert(*wh_, t, 1000, 1000);
  wh_->delete_where(t, "id % 2 = 0");
  auto reader = second();
  EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM people"), 1000);
  QueryOptions old;
  old.version = 1;
  EXPECT_EQ(reader->query("SELECT count(*) FROM people", old).page.rows.at(0).begin()->get<int64_t>(), 1000);
}

// VACUUM judges files the log does not name by the listing's LastModified on S3 as by file times locally:
// a young orphan stays (a write may be about to commit it), an old one goes with the replaced files.
TEST_F(WarehouseS3Test, VacuumDeletesReplacedFilesAndOldOrphansByTheirListedAge) {
  options_.vacuum_min_retention_ms = 0;
  wh_ = std::make_unique<Warehouse>(options_);
  auto t = make_people("people");
  insert(*wh_, t, 0, 100);
  const auto first_files = wh_->snapshot(t)->files;
  insert(*wh_, t, 100, 100);  // merges (replaces) every file of the first insert
  const auto live = wh_->snapshot(t)->files;
  blob::S3BlobStore store = bucket();
  const std::string orphan = t.location + "/dept=HR/999001.parquet";
  store.put(orphan, "not committed by anyone");

  const VacuumResult keep_all = wh_->vacuum(t, {.retention_ms = 3'600'000, .dry_run = true});
  EXPECT_TRUE(keep_all.files.files.empty());
  EXPECT_EQ(keep_all.files.orphans_of_unknown_age, 0) << "the listing tells every file's age";

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const VacuumResult done = wh_->vacuum(t, {.retention_ms = 1});
  std::set<std::string> deleted, expected{"dept=HR/999001.parquet"};
  for (const auto& f : done.files.files) deleted.insert(f.path);
  for (const auto& f : first_files) expected.insert(f.path);
  EXPECT_EQ(deleted, expected);
  EXPECT_FALSE(store.exists(orphan));
  for (const auto& f : first_files) EXPECT_FALSE(store.exists(t.location + "/" + f.path)) << f.path;
  for (const auto& f : live) EXPECT_TRUE(store.exists(t.location + "/" + f.path)) << f.path;
  auto reader = second();
  EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM people"), 200);
  QueryOptions old;
  old.version = 1;
  try {
    reader->query("SELECT count(*) FROM people", old);
    ADD_FAILURE() << "version 1's files were vacuumed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound) << e.what();
    EXPECT_NE(std::string(e.what()).find("VACUUM"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(wh_->vacuum(t, {.retention_ms = 1}).files.files.empty()) << "a second vacuum finds nothing";
}

TEST_F(WarehouseS3Test, PurgingADroppedTableEmptiesItsFolderInTheBucket) {
  auto t = make_people("people");
  insert(*wh_, t, 0, 100);
  EXPECT_FALSE(bucket().list(t.location).empty());
  wh_->drop_table(t.id);
  wh_->purge_dropped_table(t.id);
  EXPECT_TRUE(bucket().list(t.location).empty());
}

// The child side of the crash test: inserts into the table until killed. Runs only when re-executed by
// AWriterKilledDuringItsCommitsLeavesEveryTableReadable, whose settings it takes from the environment.
TEST(WarehouseS3CrashChild, InsertUntilKilled) {
  const char* url = std::getenv("SS_CRASH_WAREHOUSE_URL");
  if (!url) GTEST_SKIP() << "run by AWriterKilledDuringItsCommitsLeavesEveryTableReadable only";
  WarehouseOptions o = testing::options_for(std::getenv("SS_CRASH_DATA_DIR"));
  o.warehouse_url = url;
  o.s3.endpoint = std::getenv("SS_CRASH_S3_ENDPOINT");
  o.s3.path_style = true;
  o.s3.credentials = {"test-key", "test-secret", ""};
  o.cache_dir = std::string(std::getenv("SS_CRASH_DATA_DIR")) + "/child-cache";
  Warehouse wh(o);
  const auto t = wh.table("people");
  for (int64_t i = 0;; ++i) {
    auto w = wh.writer(t);
    w->add(people(i * 500, 500));
    w->commit_insert();
  }
}

TEST_F(WarehouseS3Test, AWriterKilledDuringItsCommitsLeavesEveryTableReadable) {
  auto t = make_people("people");
  std::mt19937 random(std::random_device{}());
  int64_t rows = 0;
  for (int kill_round = 0; kill_round < 3; ++kill_round) {
    const pid_t child = ::fork();
    if (child == 0) {
      // exec at once: the parent has threads, so nothing but exec is safe here.
      ::setenv("SS_CRASH_WAREHOUSE_URL", options_.warehouse_url.c_str(), 1);
      ::setenv("SS_CRASH_DATA_DIR", dir_.path().c_str(), 1);
      ::setenv("SS_CRASH_S3_ENDPOINT", options_.s3.endpoint.c_str(), 1);
      std::freopen("/dev/null", "w", stdout);
      ::execl("/proc/self/exe", "storage_test", "--gtest_filter=WarehouseS3CrashChild.InsertUntilKilled", nullptr);
      std::_Exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + random() % 2000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped on its own (status " << status << ")";

    // Every version is whole: 500 rows per insert of the killed writers (each earlier round added two
    // versions of its own, which cancel out), and each file it names is in the bucket.
    auto reader = second();
    const auto snap = reader->snapshot(t);
    rows = (snap->version - 2 * kill_round) * 500;
    EXPECT_EQ(snap->total_rows(), rows) << "round " << kill_round;
    EXPECT_EQ(testing::scalar(*reader, "SELECT count(*) FROM people"), rows);
    auto store = bucket();
    for (const auto& f : snap->files) EXPECT_TRUE(store.exists(t.location + "/" + f.path)) << f.path;
    // And the table goes on: the next write commits after the last one the killed writer made.
    insert(*reader, t, 1'000'000 + kill_round, 1);
    EXPECT_EQ(reader->snapshot(t)->total_rows(), rows + 1);
    wh_->delete_where(t, "id >= 1000000");  // back to whole inserts of 500 for the next round's check
  }
  EXPECT_GT(rows, 0) << "the killed writers never committed, so the kills tested nothing";
}

}  // namespace
}  // namespace superstore::storage
