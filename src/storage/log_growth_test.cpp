// The log for the long run: checkpoints leave out expired tombstones, so they stay the size of the table
// and not of its history, while VACUUM and time travel within the retention still work; writes and queries
// catch up from the kept snapshot instead of replaying the log; and a young table (no checkpoint yet) is
// probed without a failed read.
#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <map>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "storage/checkpoint.h"
#include "storage/delta_paths.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;
using testing::kPeople;
using testing::people;

TEST(TombstoneRetention, TheLongerOfVacuumRetentionAndTheTablePropertyUnreadableKeepsAll) {
  const int64_t hour = 3'600'000, day = 24 * hour;
  Metadata m;
  EXPECT_EQ(tombstone_retention_ms(m, 7 * day), 7 * day) << "no property: VACUUM_RETENTION";
  const std::map<std::string, int64_t> cases = {{"interval 1 week", 7 * day},
                                                {"interval 30 days", 30 * day},
                                                {"INTERVAL 10 days 12 hours", 252 * hour},
                                                {"interval 1 hour", 7 * day}};  // shorter: ours wins
  for (const auto& [text, expected] : cases) {
    m.configuration["delta.deletedFileRetentionDuration"] = text;
    EXPECT_EQ(tombstone_retention_ms(m, 7 * day), expected) << text;
  }
  for (const char* bad : {"1 week", "interval", "interval 3 fortnights", "interval -1 day", "interval 1 day x"}) {
    m.configuration["delta.deletedFileRetentionDuration"] = bad;
    EXPECT_EQ(tombstone_retention_ms(m, 7 * day), INT64_MAX) << bad;
  }
  Snapshot s;
  s.tombstones = {{"old", 1'000, true, {}, 1}, {"new", 5'000, true, {}, 1}};
  drop_expired_tombstones(s, 6'000, INT64_MAX);
  EXPECT_EQ(s.tombstones.size(), 2u);
  drop_expired_tombstones(s, 6'000, 2'000);
  ASSERT_EQ(s.tombstones.size(), 1u);
  EXPECT_EQ(s.tombstones[0].path, "new");
}

class LogGrowthTest : public ::testing::Test {
 protected:
  void open(int64_t interval, int64_t retention_ms) {
    wh_.reset();
    WarehouseOptions o = testing::options_for(dir_.path());
    o.checkpoint_interval = interval;
    o.vacuum_retention_ms = retention_ms;
    o.vacuum_min_retention_ms = 0;
    wh_ = std::make_unique<Warehouse>(o);
  }
  catalog::TableInfo make_people() {
    catalog::NewTable t;
    t.name = "people";
    t.columns = kPeople;
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    return wh_->create_table(t);
  }
  // Ten rows over the four departments: the insert merges (removes) the newest small file of each.
  int64_t insert(const catalog::TableInfo& t, int64_t first) {
    auto w = wh_->writer(t);
    w->add(people(first, 10));
    return w->commit_insert().version;
  }
  std::string digest(int64_t version) {
    QueryOptions q;
    q.version = version;
    return wh_->query("SELECT count(*), sum(hash(id, name, dept, score)) FROM people", q).page.rows.at(0).dump();
  }
  fs::path table_dir(const catalog::TableInfo& t) const { return dir_.path() / "warehouse" / t.location; }
  std::set<std::string> files_on_disk(const catalog::TableInfo& t) { return testing::data_files_in(table_dir(t)); }
  DeltaLog log(const catalog::TableInfo& t) {
    return DeltaLog(store_, t.location, make_checkpoint_reader(db_, store_, dir_.path() / "tmp"));
  }

  TempFolder dir_;
  std::unique_ptr<Warehouse> wh_;
  blob::LocalBlobStore store_{dir_.path() / "warehouse"};
  query::Database db_{testing::unsandboxed()};
};

TEST_F(LogGrowthTest, CheckpointsAfterManyRewritesKeepOnlyRecentTombstones) {
  constexpr int64_t kRetention = 400;
  open(/*interval=*/5, kRetention);
  auto t = make_people();
  for (int64_t i = 0; i < 15; ++i) insert(t, i * 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(kRetention + 100));
  for (int64_t i = 15; i < 20; ++i) insert(t, i * 10);
  DeltaLog l = log(t);
  ASSERT_EQ(l.latest_version(), 20);
  ASSERT_EQ(l.last_checkpoint(), 20);

  // The checkpoint holds the live files and at most the removes of the last five commits; the full
  // replay holds a tombstone for every file ever replaced.
  const Snapshot replayed = l.snapshot(20, /*use_checkpoint=*/false);
  std::set<std::string> recent_removes;
  for (int64_t v = 16; v <= 20; ++v) {
    for (const auto& r : l.read_commit(v).removes) recent_removes.insert(r.path);
  }
  int64_t adds = 0, removes = 0;
  for (const auto& action : make_checkpoint_reader(db_, store_, dir_.path() / "tmp")(l.checkpoint_key(20), true)) {
    if (action.contains("add")) ++adds;
    if (action.contains("remove")) {
      ++removes;
      EXPECT_TRUE(recent_removes.count(uri_decode(action["remove"]["path"].get<std::string>()))) << action.dump();
    }
  }
  EXPECT_GE(replayed.tombstones.size(), 14u * 4);
  EXPECT_EQ(adds, static_cast<int64_t>(replayed.files.size()));
  EXPECT_LE(removes, static_cast<int64_t>(recent_removes.size()));
  const Snapshot from_checkpoint = l.snapshot(20);
  ASSERT_EQ(from_checkpoint.files.size(), replayed.files.size());
  for (size_t i = 0; i < replayed.files.size(); ++i) EXPECT_EQ(from_checkpoint.files[i].path, replayed.files[i].path);

  std::map<int64_t, std::string> rows_of;
  for (int64_t v = 0; v <= 20; ++v) rows_of[v] = digest(v);
  // Every data file looks an hour old: only tombstones (not file times) now tell which files recent
  // versions need.
  for (const auto& f : files_on_disk(t)) testing::age_file(table_dir(t) / f, std::chrono::hours(1));
  const std::set<std::string> on_disk = files_on_disk(t);

  // A retention longer than the checkpoints keep tombstones for reads the removes they dropped: every
  // version is younger than ten minutes, so nothing goes.
  const VacuumResult long_one = wh_->vacuum(t, {.retention_ms = 600'000});
  EXPECT_TRUE(long_one.files.files.empty()) << long_one.files.files.front().path;
  EXPECT_EQ(files_on_disk(t), on_disk);
  for (int64_t v = 0; v <= 20; ++v) EXPECT_EQ(digest(v), rows_of[v]) << "version " << v;

  // Within the tombstone retention the checkpoint's tombstones suffice: exactly the files no version
  // current since the cutoff needs go, and those versions still read.
  const VacuumResult short_one = wh_->vacuum(t, {.retention_ms = kRetention});
  std::set<std::string> needed;
  int64_t first_kept = 20;
  for (int64_t v = 20; v >= 0; --v) {
    if (v < 20 && l.read_commit(v + 1).info.timestamp < short_one.cutoff_ms) break;
    first_kept = v;
    for (const auto& f : l.snapshot(v, false).files) needed.insert(f.path);
  }
  std::set<std::string> expected, deleted;
  for (const auto& f : on_disk) {
    if (!needed.count(f)) expected.insert(f);
  }
  for (const auto& f : short_one.files.files) deleted.insert(f.path);
  EXPECT_EQ(deleted, expected);
  EXPECT_GE(deleted.size(), 10u * 4);
  for (int64_t v = first_kept; v <= 20; ++v) EXPECT_EQ(digest(v), rows_of[v]) << "version " << v;
  try {
    digest(first_kept - 1);
    ADD_FAILURE() << "version " << first_kept - 1 << " lost files to the vacuum";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound) << e.what();
    EXPECT_NE(std::string(e.what()).find("VACUUM"), std::string::npos) << e.what();
  }
}

// Neither a write nor a query replays the log once the warehouse has read it: with no checkpoints and
// the old commits gone, both still work, from the kept snapshot and the commits after it.
TEST_F(LogGrowthTest, WritesAndQueriesCatchUpFromTheKeptSnapshot) {
  open(/*interval=*/0, 168 * 3'600'000LL);
  auto t = make_people();
  for (int64_t i = 0; i < 6; ++i) insert(t, i * 10);
  EXPECT_EQ(testing::scalar(*wh_, "SELECT count(*) FROM people"), 60);
  for (int64_t v = 0; v <= 6; ++v) fs::remove(store_.local_path(log(t).commit_key(v)).value());
  for (int64_t i = 6; i < 9; ++i) EXPECT_EQ(insert(t, i * 10), i + 1);
  EXPECT_EQ(testing::scalar(*wh_, "SELECT count(*) FROM people"), 90);
  EXPECT_EQ(testing::scalar(*wh_, "SELECT sum(id) FROM people"), 89 * 90 / 2);
  EXPECT_THROW(log(t).snapshot(), Error) << "a replay from commit 0 cannot read this log any more";
}

// A checkpoint keeps the tombstones of VACUUM_RETENTION (thousands on a busy table); a query needs none, so
// the warehouse reads a table without them, and what needs them (the next checkpoint, the reclaimable
// files) reads them again.
TEST_F(LogGrowthTest, AQueryReadsNoCheckpointTombstonesYetCheckpointsAndUpkeepKeepThem) {
  open(/*interval=*/5, /*retention_ms=*/600'000);
  auto t = make_people();
  for (int64_t i = 0; i < 12; ++i) insert(t, i * 10);
  DeltaLog l = log(t);
  const Snapshot full = l.snapshot(), light = l.snapshot(std::nullopt, true, /*with_tombstones=*/false);
  EXPECT_TRUE(full.all_tombstones);
  EXPECT_FALSE(light.all_tombstones);
  ASSERT_EQ(light.files.size(), full.files.size());
  for (size_t i = 0; i < full.files.size(); ++i) EXPECT_EQ(light.files[i].path, full.files[i].path);
  EXPECT_GE(full.tombstones.size(), 11u * 4);
  EXPECT_LE(light.tombstones.size(), 2u * 4) << "only the removes of commits 11 and 12";

  // Every file looks an hour old, older than the retention of ten minutes: only tombstones tell that the
  // removed ones are still needed by recent versions, so none is reclaimable.
  for (const auto& f : files_on_disk(t)) testing::age_file(table_dir(t) / f, std::chrono::hours(1));
  open(5, 600'000);
  EXPECT_EQ(wh_->query("SELECT count(*) AS n FROM people", {}).page.rows.at(0).dump(), R"({"n":120})");
  EXPECT_FALSE(wh_->snapshot(t)->all_tombstones) << "the query's snapshot, kept";
  EXPECT_EQ(wh_->upkeep(t).reclaimable_files, 0);

  // The checkpoint of version 15, written on a base read without tombstones, still holds every one.
  open(5, 600'000);
  wh_->query("SELECT count(*) FROM people", {});
  for (int64_t i = 12; i < 15; ++i) insert(t, i * 10);
  ASSERT_EQ(l.last_checkpoint(), 15);
  std::set<std::string> from_checkpoint, replayed;
  for (const auto& r : l.snapshot(15).tombstones) from_checkpoint.insert(r.path);
  for (const auto& r : l.snapshot(15, /*use_checkpoint=*/false).tombstones) replayed.insert(r.path);
  EXPECT_EQ(from_checkpoint, replayed);
  EXPECT_GE(replayed.size(), 14u * 4);
}

TEST_F(LogGrowthTest, CatchUpReadsOnlyTheNewCommitsAndAYoungTableNeedsNoFailedRead) {
  open(/*interval=*/0, 168 * 3'600'000LL);
  auto t = make_people();
  for (int64_t i = 0; i < 4; ++i) insert(t, i * 10);
  testing::CountingStore counting(store_);
  DeltaLog l(counting, t.location, make_checkpoint_reader(db_, counting, dir_.path() / "tmp"));
  // No checkpoint, so no _last_checkpoint: its absence costs no read that throws.
  EXPECT_EQ(l.latest_version(), 4);
  const Snapshot at4 = l.snapshot();
  EXPECT_EQ(counting.failed_gets, 0);
  EXPECT_EQ(l.last_checkpoint(), -1);

  for (int64_t i = 4; i < 7; ++i) insert(t, i * 10);
  counting.lists = counting.gets = 0;
  const std::optional<Snapshot> at7 = l.catch_up(at4, 8);
  ASSERT_TRUE(at7);
  EXPECT_EQ(at7->version, 7);
  EXPECT_EQ(at7->timestamp, l.read_commit(7).info.timestamp);
  EXPECT_EQ(counting.lists, 0);
  EXPECT_EQ(counting.gets, 4 + 1) << "commits 5, 6, 7, the miss at 8, and read_commit(7) above";
  const Snapshot replayed = l.snapshot(7, false);
  ASSERT_EQ(at7->files.size(), replayed.files.size());
  for (size_t i = 0; i < replayed.files.size(); ++i) EXPECT_EQ(at7->files[i].path, replayed.files[i].path);
  EXPECT_EQ(at7->tombstones.size(), replayed.tombstones.size());
  EXPECT_FALSE(l.catch_up(at4, 2)) << "more new commits than allowed: the caller reads a checkpoint instead";
  EXPECT_EQ(l.catch_up(*at7, 8)->version, 7);
  EXPECT_EQ(counting.failed_gets, 0);
}

}  // namespace
}  // namespace superstore::storage
