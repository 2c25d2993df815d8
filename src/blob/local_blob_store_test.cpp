// What only the local store does: real files, temp files, paths for DuckDB.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "blob/blob_store.h"
#include "common/error.h"
#include "support/temp_folder.h"

namespace superstore::blob {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

TEST(LocalBlobStore, CreatesItsRootAndKeepsItAbsolute) {
  TempFolder folder;
  LocalBlobStore store(folder.path() / "a" / "b" / "");
  EXPECT_TRUE(fs::is_directory(folder.path() / "a" / "b"));
  EXPECT_TRUE(store.root().is_absolute());
  EXPECT_EQ(store.root(), folder.path() / "a" / "b");
}

TEST(LocalBlobStore, RootBlockedByAFileIsAClearError) {
  TempFolder folder;
  std::ofstream(folder.path() / "file") << "x";
  try {
    LocalBlobStore store(folder.path() / "file");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_NE(std::string(e.what()).find("file"), std::string::npos) << e.what();
  }
}

TEST(LocalBlobStore, LocalPathIsTheRealFileBothWays) {
  TempFolder folder;
  LocalBlobStore store(folder.path());
  store.put("db/s/t-1/dept=Sales/1.parquet", "PAR1");
  auto path = store.local_path("db/s/t-1/dept=Sales/1.parquet");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, folder.path() / "db/s/t-1/dept=Sales/1.parquet");
  EXPECT_EQ(read_file(*path), "PAR1");

  // An engine writing its own file there makes a blob like any other.
  auto written = store.local_path("db/s/t-1/dept=Sales/2.parquet");
  std::ofstream(*written, std::ios::binary) << "by duckdb";
  EXPECT_EQ(store.get("db/s/t-1/dept=Sales/2.parquet"), "by duckdb");
  EXPECT_EQ(store.list("db/s/t-1").size(), 2u);
}

TEST(LocalBlobStore, LeftoverTempFilesAreNeverListed) {
  TempFolder folder;
  LocalBlobStore store(folder.path());
  store.put("t/_delta_log/0.json", "{}");
  // What a writer killed between write and rename leaves behind.
  std::ofstream(folder.path() / "t/_delta_log/.ss-tmp-0123456789abcdef") << "half";
  fs::create_directories(folder.path() / "t/.ss-tmp-folder");
  std::ofstream(folder.path() / "t/.ss-tmp-folder/x") << "hidden";
  EXPECT_EQ(store.list(""), std::vector<std::string>{"t/_delta_log/0.json"});
  EXPECT_EQ(store.list("t/_delta_log/"), std::vector<std::string>{"t/_delta_log/0.json"});
}

TEST(LocalBlobStore, TempFilesOfWritesInFlightAreNeverListed) {
  TempFolder folder;
  LocalBlobStore store(folder.path());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::string bytes(256 * 1024, 'x');
    for (int i = 0; i < 40; ++i) store.put("w/" + std::to_string(i % 4), bytes);
    done = true;
  });
  while (!done) {
    for (const auto& key : store.list("w")) ASSERT_TRUE(key.size() == 3 && key.starts_with("w/")) << key;
  }
  writer.join();
  EXPECT_EQ(store.list("w"), (std::vector<std::string>{"w/0", "w/1", "w/2", "w/3"}));
}

TEST(LocalBlobStore, SucceedingWritesLeaveNoTempFiles) {
  TempFolder folder;
  LocalBlobStore store(folder.path());
  store.put("a/b", "1");
  store.put("a/b", "2");
  EXPECT_TRUE(store.put_if_absent("a/c", "3"));
  EXPECT_FALSE(store.put_if_absent("a/c", "4"));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder.path() / "a")) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"b", "c"}));
}

TEST(LocalBlobStore, NamesNoKeyCouldHaveAreSkipped) {
  TempFolder folder;
  LocalBlobStore store(folder.path());
  std::ofstream(folder.path() / "back\\slash") << "x";
  std::ofstream(folder.path() / "ok") << "x";
  EXPECT_EQ(store.list(""), std::vector<std::string>{"ok"});
}

TEST(LocalBlobStore, BlobsSurviveANewStoreOnTheSameFolder) {
  TempFolder folder;
  LocalBlobStore(folder.path()).put("k", "kept");
  LocalBlobStore again(folder.path());
  EXPECT_EQ(again.get("k"), "kept");
}

TEST(MemoryBlobStore, HasNoLocalPaths) {
  MemoryBlobStore store;
  store.put("k", "v");
  EXPECT_FALSE(store.local_path("k").has_value());
}

}  // namespace
}  // namespace superstore::blob
