// Writes that fail for want of room (a full disk, a quota, the process's file size limit) answer
// Error(InsufficientStorage) and leave nothing behind; a build that fails removes its table's folder; and
// the start-up sweep of DATA_DIR/tmp removes only our own leftovers.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <fstream>

#include "common/error.h"
#include "storage/temp_sweep.h"
#include "storage/test_support.h"
#include "storage/warehouse.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;

using testing::kPeople;
using testing::people;

std::vector<fs::path> parquet_files_below(const fs::path& folder) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().extension() == ".parquet") found.push_back(entry.path());
  }
  return found;
}

// Lowers this process's file size limit (RLIMIT_FSIZE) for its lifetime: a write past it fails with
// EFBIG, the kernel's own refusal, which DuckDB's Parquet writer meets as it would a full disk. SIGXFSZ,
// which the kernel also sends, is ignored meanwhile, as a server must.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    saved_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &lowered), 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, saved_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t saved_handler_{};
};

catalog::NewTable people_table() {
  catalog::NewTable t;
  t.name = "people";
  t.columns = kPeople;
  t.sort_keys = {"id"};
  return t;
}

TEST(DiskFull, AMicroPartitionThatCannotBeWrittenIs507AndLeavesNoFile) {
  TempFolder dir;
  Warehouse wh(testing::options_for(dir.path()));
  const catalog::TableInfo table = wh.create_table(people_table());
  const fs::path folder = dir.path() / "warehouse" / table.location;
  const ColumnBatch rows = people(0, 200'000);  // several MB of Parquet
  try {
    FileSizeLimit limit(256 * 1024);
    auto w = wh.writer(table);
    w->add(rows);
    w->commit_insert();
    ADD_FAILURE() << "the write succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InsufficientStorage);
    EXPECT_EQ(http_status(e.code()), 507);
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("file too large for the process's file size limit while writing micro-partition '", 0), 0u)
        << message;
    EXPECT_NE(message.find("of table 'people'"), std::string::npos) << message;
  }
  EXPECT_TRUE(parquet_files_below(folder).empty()) << "the half-written file stayed";
  EXPECT_EQ(wh.snapshot(table)->version, 0);
  // With room again, the same write goes through.
  auto w = wh.writer(table);
  w->add(rows);
  EXPECT_EQ(w->commit_insert().version, 1);
  EXPECT_EQ(testing::scalar(wh, "SELECT count(*) FROM people"), 200'000);
}

TEST(DiskFull, ATableWhoseBuildFailsLeavesNeitherFolderNorCatalogEntry) {
  TempFolder dir;
  Warehouse wh(testing::options_for(dir.path()));
  catalog::NewTable t = people_table();
  t.partition_keys = {"dept"};
  t.sort_keys = {};
  EXPECT_THROW(wh.build_table(t,
                              [&](TableWriter& writer) {
                                writer.add(people(0, 1000));
                                // Files and a commit of the new table are on disk when the failure comes.
                                writer.commit_insert();
                                fail(ErrorCode::InsufficientStorage, "no space left on device while writing a test");
                              }),
               Error);
  EXPECT_TRUE(wh.catalog().list_tables(true).empty());
  EXPECT_TRUE(parquet_files_below(dir.path() / "warehouse").empty());
  EXPECT_FALSE(fs::exists(dir.path() / "warehouse" / "main" / "public" / "people-1"));
}

TEST(DiskFull, TheStartUpSweepRemovesOnlyOurOldTempFiles) {
  TempFolder dir;
  const fs::path tmp = dir.path() / "tmp";
  fs::create_directories(tmp / "upload-folder");
  for (const char* name : {"upload-0123.csv", "result-abcd.parquet", "result-ef.csv", "spill-Xy12Zq", "notes.txt",
                           "duckdb_temp_storage-0.tmp", "new-upload.csv"}) {
    std::ofstream(tmp / name) << "0123456789";
  }
  const auto started = fs::file_time_type::clock::now();
  // Written after the start: a request of this server owns it.
  std::ofstream(tmp / "upload-after.csv") << "x";
  fs::last_write_time(tmp / "upload-after.csv", started + std::chrono::seconds(1));
  for (const char* name : {"upload-0123.csv", "result-abcd.parquet", "result-ef.csv", "spill-Xy12Zq", "notes.txt",
                           "duckdb_temp_storage-0.tmp", "new-upload.csv"}) {
    fs::last_write_time(tmp / name, started - std::chrono::minutes(5));
  }
  const SweepReport report = sweep_temp_dir(tmp, started);
  EXPECT_EQ(report.files, 4);
  EXPECT_EQ(report.bytes, 40);
  for (const char* gone : {"upload-0123.csv", "result-abcd.parquet", "result-ef.csv", "spill-Xy12Zq"}) {
    EXPECT_FALSE(fs::exists(tmp / gone)) << gone;
  }
  for (const char* kept :
       {"notes.txt", "duckdb_temp_storage-0.tmp", "new-upload.csv", "upload-after.csv", "upload-folder"}) {
    EXPECT_TRUE(fs::exists(tmp / kept)) << kept;
  }
  EXPECT_EQ(sweep_temp_dir(dir.path() / "missing", started).files, 0);
}

}  // namespace
}  // namespace superstore::storage
