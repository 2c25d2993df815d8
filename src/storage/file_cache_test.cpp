// The local copy cache of a remote store's files: fills on demand, evicts least recently used, never a
// pinned file, downloads a wanted file once, and leaves nothing behind a failed download.
#include "storage/file_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "support/temp_folder.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;

class FileCacheTest : public ::testing::Test {
 protected:
  AddFile file(const std::string& path, size_t size) {
    store.put("t/" + path, std::string(size, path[0]));
    AddFile add;
    add.path = path;
    add.size = static_cast<int64_t>(size);
    return add;
  }
  std::unique_ptr<FileCache> make(uint64_t max_bytes) {
    return std::make_unique<FileCache>(
        folder.path() / "cache", max_bytes,
        [this](const std::string& key, const fs::path& to) {
          ++downloads;
          if (slow) std::this_thread::sleep_for(std::chrono::milliseconds(100));
          if (key.ends_with(failing)) fail(ErrorCode::Internal, "injected download failure");
          std::ofstream(to, std::ios::binary) << store.get(key);
        },
        [this](const std::string& key, const fs::path& from) {
          std::ifstream in(from, std::ios::binary);
          store.put(key, std::string(std::istreambuf_iterator<char>(in), {}));
        });
  }
  bool cached(const FileCache& cache, const std::string& path) { return fs::exists(cache.dir() / "t" / path); }

  TempFolder folder;
  blob::MemoryBlobStore store;
  std::atomic<int> downloads{0};
  bool slow = false;
  std::string failing = "never";
};

TEST_F(FileCacheTest, FetchCopiesOnceThenHits) {
  auto cache = make(1000);
  std::vector<AddFile> files{file("a=1/1.parquet", 100), file("a=2/2.parquet", 100)};
  {
    auto pin = cache->fetch("t", files);
    EXPECT_EQ(downloads, 2);
    std::ifstream in(cache->dir() / "t/a=2/2.parquet");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), std::string(100, 'a'));
  }
  auto again = cache->fetch("t", files);
  EXPECT_EQ(downloads, 2);
  EXPECT_EQ(cache->stats().hits, 2);
  EXPECT_EQ(cache->stats().misses, 2);
  EXPECT_EQ(cache->stats().bytes, 200u);
}

TEST_F(FileCacheTest, EvictsLeastRecentlyUsedButNeverAPinnedFile) {
  auto cache = make(300);
  AddFile a = file("a", 100), b = file("b", 100), c = file("c", 100), d = file("d", 100), e = file("e", 100);
  auto pin_a = cache->fetch("t", {a});
  cache->fetch("t", {b});
  cache->fetch("t", {c});
  cache->fetch("t", {b});  // b is now more recent than c
  cache->fetch("t", {d});  // over the bound: c goes (a is pinned, b was used later)
  EXPECT_TRUE(cached(*cache, "a"));
  EXPECT_TRUE(cached(*cache, "b"));
  EXPECT_FALSE(cached(*cache, "c"));
  EXPECT_TRUE(cached(*cache, "d"));
  pin_a.reset();
  cache->fetch("t", {e});  // a, released, is now the least recent
  EXPECT_FALSE(cached(*cache, "a"));
  EXPECT_EQ(cache->stats().bytes, 300u);
  EXPECT_EQ(cache->stats().evictions, 2);
}

TEST_F(FileCacheTest, PinsMayHoldMoreThanTheBoundUntilReleased) {
  auto cache = make(200);
  auto first = cache->fetch("t", {file("a", 100), file("b", 100)});
  auto second = cache->fetch("t", {file("c", 100)});
  EXPECT_EQ(cache->stats().bytes, 300u);
  first.reset();
  EXPECT_EQ(cache->stats().bytes, 200u);
  EXPECT_TRUE(cached(*cache, "c"));
}

TEST_F(FileCacheTest, OneQueryLargerThanTheCacheIsRefused) {
  auto cache = make(150);
  try {
    cache->fetch("t", {file("a", 100), file("b", 100)});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::TooLarge);
    EXPECT_NE(std::string(e.what()).find("CACHE_BYTES=150"), std::string::npos) << e.what();
  }
  EXPECT_EQ(downloads, 0);
}

TEST_F(FileCacheTest, AFailedDownloadLeavesNothingAndIsTriedAgain) {
  auto cache = make(1000);
  std::vector<AddFile> files{file("a", 10), file("b", 10)};
  failing = "b";
  EXPECT_THROW(cache->fetch("t", files), Error);
  EXPECT_FALSE(cached(*cache, "b"));
  for (const auto& entry : fs::recursive_directory_iterator(cache->dir())) {
    EXPECT_EQ(entry.path().filename().string().find(".ss-tmp-"), std::string::npos) << entry.path();
  }
  failing = "never";
  const int before = downloads;
  auto pin = cache->fetch("t", files);
  EXPECT_TRUE(cached(*cache, "b"));
  EXPECT_GE(downloads - before, 1);
}

TEST_F(FileCacheTest, ConcurrentQueriesDownloadAFileOnce) {
  auto cache = make(1000);
  AddFile a = file("a", 10);
  slow = true;
  std::vector<std::thread> queries;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    queries.emplace_back([&] {
      auto pin = cache->fetch("t", {a});
      std::ifstream in(cache->dir() / "t/a");
      ok += std::string(std::istreambuf_iterator<char>(in), {}) == std::string(10, 'a');
    });
  }
  for (auto& q : queries) q.join();
  EXPECT_EQ(downloads, 1);
  EXPECT_EQ(ok, 6);
}

TEST_F(FileCacheTest, DownloadsRunSideBySide) {
  auto cache = make(1000);
  std::vector<AddFile> files;
  for (int i = 0; i < 8; ++i) files.push_back(file(std::to_string(i), 10));
  slow = true;  // 100 ms each: one after another would take 800 ms
  const auto start = std::chrono::steady_clock::now();
  cache->fetch("t", files);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(600));
  EXPECT_EQ(downloads, 8);
}

TEST_F(FileCacheTest, UploadKeepsTheWrittenFileWarm) {
  auto cache = make(1000);
  fs::create_directories(cache->dir() / "t/new");
  std::ofstream(cache->dir() / "t/new/1.parquet") << "fresh";
  cache->upload("t/new/1.parquet");
  EXPECT_EQ(store.get("t/new/1.parquet"), "fresh");
  AddFile add;
  add.path = "new/1.parquet";
  add.size = 5;
  cache->fetch("t", {add});
  EXPECT_EQ(downloads, 0);
  cache->forget("t");
  EXPECT_FALSE(cached(*cache, "new/1.parquet"));
  EXPECT_EQ(cache->stats().bytes, 0u);
}

TEST_F(FileCacheTest, ProcessFoldersOfGoneProcessesAreSwept) {
  fs::create_directories(folder.path() / "c" / "999999999");
  fs::create_directories(folder.path() / "c" / "keep-me");
  const fs::path mine = FileCache::process_dir(folder.path() / "c");
  EXPECT_EQ(mine.filename().string(), std::to_string(::getpid()));
  EXPECT_FALSE(fs::exists(folder.path() / "c" / "999999999"));
  EXPECT_TRUE(fs::exists(folder.path() / "c" / "keep-me"));
}

}  // namespace
}  // namespace superstore::storage
