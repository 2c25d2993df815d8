// The contract every BlobStore keeps, run against each implementation.
#include "blob/blob_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "blob/s3_blob_store.h"
#include "common/error.h"
#include "support/moto_server.h"
#include "support/temp_folder.h"

namespace superstore::blob {
namespace {

struct LocalStoreMaker {
  TempFolder folder;
  std::unique_ptr<BlobStore> make() { return std::make_unique<LocalBlobStore>(folder.path() / "root"); }
};

struct MemoryStoreMaker {
  std::unique_ptr<BlobStore> make() { return std::make_unique<MemoryBlobStore>(); }
};

// A fresh bucket on the shared moto server, under a prefix, so that keys outside the store's folder exist
// too. Null (and `skip` set) without moto.
struct S3StoreMaker {
  std::string skip;
  std::unique_ptr<BlobStore> make() {
    MotoServer* moto = MotoServer::shared(skip);
    if (!moto) return nullptr;
    S3Options options;
    options.bucket = MotoServer::fresh_bucket();
    options.prefix = "warehouse/main";
    options.endpoint = moto->endpoint();
    options.path_style = true;
    options.credentials = {"test-key", "test-secret", ""};
    options.first_backoff = std::chrono::milliseconds(5);
    S3Options whole_bucket = options;
    whole_bucket.prefix = "";
    S3BlobStore neighbour(whole_bucket);
    neighbour.create_bucket();
    neighbour.put("warehouse/main-2/not-ours", "x");  // shares the prefix's first letters, not its folder
    neighbour.put("elsewhere", "x");
    return std::make_unique<S3BlobStore>(options);
  }
};

template <typename Maker>
class BlobStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store = maker.make();
    if (!store) GTEST_SKIP() << skip_reason();
  }
  std::string skip_reason() {
    if constexpr (std::is_same_v<Maker, S3StoreMaker>) return maker.skip;
    return "";
  }
  // S3 has no folders: a key and a "folder" of the same name may coexist there (s3_blob_store.h).
  static constexpr bool kFoldersAreReal = !std::is_same_v<Maker, S3StoreMaker>;

  Maker maker;
  std::unique_ptr<BlobStore> store;
};

using Stores = ::testing::Types<LocalStoreMaker, MemoryStoreMaker, S3StoreMaker>;
class StoreNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, LocalStoreMaker>) return "Local";
    return std::is_same_v<T, MemoryStoreMaker> ? "Memory" : "S3";
  }
};
TYPED_TEST_SUITE(BlobStoreContract, Stores, StoreNames);

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::Internal;
}

TYPED_TEST(BlobStoreContract, PutThenGetReturnsTheBytes) {
  std::string bytes("binary\0data\xff", 12);
  this->store->put("a/b/c.bin", bytes);
  EXPECT_EQ(this->store->get("a/b/c.bin"), bytes);
  EXPECT_TRUE(this->store->exists("a/b/c.bin"));
  EXPECT_EQ(this->store->size("a/b/c.bin"), 12u);
}

TYPED_TEST(BlobStoreContract, EmptyBlobIsABlob) {
  this->store->put("empty", "");
  EXPECT_TRUE(this->store->exists("empty"));
  EXPECT_EQ(this->store->get("empty"), "");
  EXPECT_EQ(this->store->size("empty"), 0u);
}

TYPED_TEST(BlobStoreContract, PutReplacesWholeContent) {
  this->store->put("k", "a long first version");
  this->store->put("k", "v2");
  EXPECT_EQ(this->store->get("k"), "v2");
  EXPECT_EQ(this->store->size("k"), 2u);
}

TYPED_TEST(BlobStoreContract, AbsentBlobIsNotFound) {
  EXPECT_FALSE(this->store->exists("nope"));
  EXPECT_EQ(code_of([&] { this->store->get("nope"); }), ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { this->store->size("nope"); }), ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { this->store->get("nope/deeper"); }), ErrorCode::NotFound);
}

// The probe for blobs that are often missing (the log's next version, _last_checkpoint): no exception.
TYPED_TEST(BlobStoreContract, GetIfExistsAnswersAbsenceWithoutAnError) {
  this->store->put("a/b", std::string("x\0y", 3));
  EXPECT_EQ(this->store->get_if_exists("a/b"), std::string("x\0y", 3));
  EXPECT_EQ(this->store->get_if_exists("a/nope"), std::nullopt);
  EXPECT_EQ(this->store->get_if_exists("nope/deeper"), std::nullopt);
  if (TestFixture::kFoldersAreReal) {
    EXPECT_EQ(this->store->get_if_exists("a"), std::nullopt) << "a folder";
  }
  EXPECT_EQ(code_of([&] { this->store->get_if_exists("../x"); }), ErrorCode::InvalidArgument);
}

// VACUUM judges orphans by the listing's times and sizes; stores that keep times give them to the second
// (S3's LastModified) or better.
TYPED_TEST(BlobStoreContract, ListInfoGivesSizesAndModificationTimes) {
  const int64_t before =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  this->store->put("t/a.parquet", "12345");
  this->store->put("t/sub/b.parquet", "");
  this->store->put("t-2/c.parquet", "xyz");
  const std::vector<BlobInfo> listed = this->store->list_info("t");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].key, "t/a.parquet");
  EXPECT_EQ(listed[0].size, 5u);
  EXPECT_EQ(listed[1].key, "t/sub/b.parquet");
  EXPECT_EQ(listed[1].size, 0u);
  const int64_t after =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const auto& b : listed) {
    if (std::is_same_v<TypeParam, MemoryStoreMaker>) {
      EXPECT_FALSE(b.modified_ms) << "the memory store keeps no times";
      continue;
    }
    ASSERT_TRUE(b.modified_ms) << b.key;
    EXPECT_GE(*b.modified_ms, before - 1000) << b.key;  // S3 gives whole seconds
    EXPECT_LE(*b.modified_ms, after + 1000) << b.key;
  }
  EXPECT_TRUE(this->store->list_info("nowhere").empty());
}

TYPED_TEST(BlobStoreContract, FolderIsNotABlob) {
  this->store->put("dir/file", "x");
  EXPECT_FALSE(this->store->exists("dir"));
  EXPECT_EQ(code_of([&] { this->store->get("dir"); }), ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { this->store->size("dir"); }), ErrorCode::NotFound);
}

TYPED_TEST(BlobStoreContract, BlobAndFolderCannotShareAName) {
  if (!TestFixture::kFoldersAreReal) GTEST_SKIP() << "S3 has no folders; the rule is not enforced there";
  this->store->put("dir/file", "x");
  EXPECT_EQ(code_of([&] { this->store->put("dir", "y"); }), ErrorCode::Conflict);
  EXPECT_EQ(code_of([&] { this->store->put_if_absent("dir", "y"); }), ErrorCode::Conflict);
  EXPECT_EQ(code_of([&] { this->store->put("dir/file/under", "y"); }), ErrorCode::Conflict);
  EXPECT_EQ(code_of([&] { this->store->put_if_absent("dir/file/under", "y"); }), ErrorCode::Conflict);
  EXPECT_EQ(this->store->list(""), std::vector<std::string>{"dir/file"});
}

TYPED_TEST(BlobStoreContract, ListIsRecursiveSortedAndBoundedByFolder) {
  for (const char* key : {"db/s/t-1/_delta_log/00000000000000000001.json",
                          "db/s/t-1/_delta_log/00000000000000000000.json", "db/s/t-1/dept=Sales/2.parquet",
                          "db/s/t-1/dept=HR/1.parquet", "db/s/t-10/x.parquet", "db/s/t-1.txt", "other/y"}) {
    this->store->put(key, "x");
  }
  std::vector<std::string> expected{"db/s/t-1/_delta_log/00000000000000000000.json",
                                    "db/s/t-1/_delta_log/00000000000000000001.json", "db/s/t-1/dept=HR/1.parquet",
                                    "db/s/t-1/dept=Sales/2.parquet"};
  EXPECT_EQ(this->store->list("db/s/t-1/"), expected);
  EXPECT_EQ(this->store->list("db/s/t-1"), expected);
  EXPECT_EQ(this->store->list("db/s/t-1/_delta_log/"),
            (std::vector<std::string>{"db/s/t-1/_delta_log/00000000000000000000.json",
                                      "db/s/t-1/_delta_log/00000000000000000001.json"}));
  EXPECT_EQ(this->store->list("").size(), 7u);
  EXPECT_EQ(this->store->list("").front(), "db/s/t-1.txt");
  EXPECT_TRUE(this->store->list("nowhere/").empty());
  EXPECT_TRUE(this->store->list("other/y").empty());  // a blob is not a folder
}

TYPED_TEST(BlobStoreContract, ListRejectsBadPrefixes) {
  EXPECT_EQ(code_of([&] { this->store->list("../"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of([&] { this->store->list("/"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of([&] { this->store->list("/etc"); }), ErrorCode::InvalidArgument);
}

TYPED_TEST(BlobStoreContract, RemoveDeletesAndToleratesAbsence) {
  this->store->put("a/x", "1");
  this->store->put("a/y", "2");
  this->store->remove("a/x");
  EXPECT_FALSE(this->store->exists("a/x"));
  EXPECT_EQ(this->store->list("a"), std::vector<std::string>{"a/y"});
  EXPECT_NO_THROW(this->store->remove("a/x"));
  EXPECT_NO_THROW(this->store->remove("never/was"));
  EXPECT_NO_THROW(this->store->remove("a"));  // a folder: no blob of that name, so nothing to do
  EXPECT_TRUE(this->store->exists("a/y"));
}

TYPED_TEST(BlobStoreContract, PutIfAbsentNeverReplaces) {
  EXPECT_TRUE(this->store->put_if_absent("log/0.json", "first"));
  EXPECT_FALSE(this->store->put_if_absent("log/0.json", "second"));
  EXPECT_EQ(this->store->get("log/0.json"), "first");
  this->store->remove("log/0.json");
  EXPECT_TRUE(this->store->put_if_absent("log/0.json", "third"));
  EXPECT_EQ(this->store->get("log/0.json"), "third");
}

TYPED_TEST(BlobStoreContract, PutIfAbsentHasExactlyOneWinnerUnderContention) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 20; ++round) {
    std::string key = "t/_delta_log/" + std::to_string(round) + ".json";
    std::latch start(kThreads);
    std::vector<int> won(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        won[t] = this->store->put_if_absent(key, "writer " + std::to_string(t) + std::string(10000, 'x'));
      });
    }
    for (auto& thread : threads) thread.join();
    int winners = 0, winner = -1;
    for (int t = 0; t < kThreads; ++t) {
      if (won[t]) ++winners, winner = t;
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    EXPECT_EQ(this->store->get(key), "writer " + std::to_string(winner) + std::string(10000, 'x'));
  }
  EXPECT_EQ(this->store->list("t").size(), 20u);
}

TYPED_TEST(BlobStoreContract, ReadersNeverSeeHalfAPut) {
  const std::string a(1 << 20, 'a'), b(1 << 20, 'b');
  this->store->put("big", a);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 30; ++i) this->store->put("big", i % 2 ? a : b);
    done = true;
  });
  int reads = 0;
  while (!done || reads == 0) {
    std::string seen = this->store->get("big");
    ASSERT_TRUE(seen == a || seen == b) << "saw " << seen.size() << " bytes of mixed content";
    ++reads;
  }
  writer.join();
}

TYPED_TEST(BlobStoreContract, EveryOperationRejectsBadKeys) {
  for (const std::string& key : {std::string("../escape"), std::string("/abs"), std::string("a//b"), std::string("")}) {
    EXPECT_EQ(code_of([&] { this->store->put(key, "x"); }), ErrorCode::InvalidArgument) << key;
    EXPECT_EQ(code_of([&] { this->store->put_if_absent(key, "x"); }), ErrorCode::InvalidArgument) << key;
    EXPECT_EQ(code_of([&] { this->store->get(key); }), ErrorCode::InvalidArgument) << key;
    EXPECT_EQ(code_of([&] { this->store->exists(key); }), ErrorCode::InvalidArgument) << key;
    EXPECT_EQ(code_of([&] { this->store->size(key); }), ErrorCode::InvalidArgument) << key;
    EXPECT_EQ(code_of([&] { this->store->remove(key); }), ErrorCode::InvalidArgument) << key;
    EXPECT_EQ(code_of([&] { this->store->local_path(key); }), ErrorCode::InvalidArgument) << key;
  }
}

TYPED_TEST(BlobStoreContract, ConcurrentPutsOfDistinctKeysAllLand) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        this->store->put("p/dept=" + std::to_string(i % 3) + "/" + std::to_string(t) + "-" + std::to_string(i), "v");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(this->store->list("p").size(), 200u);
}

}  // namespace
}  // namespace superstore::blob
