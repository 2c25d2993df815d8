// The S3 store beyond the shared contract (blob_store_test.cpp): URL parsing, multipart uploads, retries
// on injected faults and what bad credentials do, against moto's S3 server on loopback.
#include "blob/s3_blob_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "common/error.h"
#include "support/fault_proxy.h"
#include "support/moto_server.h"
#include "support/temp_folder.h"

namespace superstore::blob {
namespace {

std::string random_bytes(size_t size) {
  std::mt19937_64 random(size);
  std::string bytes(size, '\0');
  for (auto& b : bytes) b = static_cast<char>(random());
  return bytes;
}

class S3Store : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    moto = MotoServer::shared(why);
    if (!moto) GTEST_SKIP() << why;
    options.bucket = MotoServer::fresh_bucket();
    options.prefix = "wh";
    options.endpoint = moto->endpoint();
    options.path_style = true;
    options.credentials = {"test-key", "test-secret-do-not-print", ""};
    options.first_backoff = std::chrono::milliseconds(5);
    options.part_bytes = 5ULL << 20;
    S3BlobStore(options).create_bucket();
  }

  // A store that reaches moto through `proxy`.
  std::unique_ptr<S3BlobStore> through(const FaultProxy& proxy, int max_attempts = 5) {
    S3Options o = options;
    o.endpoint = proxy.endpoint();
    o.max_attempts = max_attempts;
    return std::make_unique<S3BlobStore>(o);
  }

  MotoServer* moto = nullptr;
  S3Options options;
};

TEST(S3Url, ReadsBucketAndPrefix) {
  S3Options o;
  parse_s3_url("s3://my-bucket/warehouse/prod/", o);
  EXPECT_EQ(o.bucket, "my-bucket");
  EXPECT_EQ(o.prefix, "warehouse/prod");
  parse_s3_url("s3://my-bucket", o);
  EXPECT_EQ(o.prefix, "");
  for (const char* bad : {"http://b/x", "s3://", "s3://Upper/x", "s3://b/../x", "s3://ok-bucket/a//b"}) {
    try {
      parse_s3_url(bad, o);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find("WAREHOUSE_URL"), std::string::npos) << e.what();
    }
  }
}

TEST(S3Url, RejectsPartsSmallerThanS3Allows) {
  S3Options o;
  o.bucket = "b-b";
  o.part_bytes = 1 << 20;
  EXPECT_THROW(S3BlobStore{o}, Error);
}

TEST_F(S3Store, MultipartPutAndFileTransfersRoundTrip) {
  S3BlobStore store(options);
  const std::string big = random_bytes((12 << 20) + 3);  // three parts: 5 MiB, 5 MiB, 2 MiB + 3 bytes
  store.put("t/part-0.parquet", big);
  EXPECT_EQ(store.size("t/part-0.parquet"), big.size());
  EXPECT_TRUE(store.get("t/part-0.parquet") == big);

  TempFolder folder;
  const std::string medium = random_bytes((6 << 20) + 1);
  std::ofstream(folder.file("up.bin"), std::ios::binary) << medium;
  store.put_file("t/part-1.parquet", folder.file("up.bin"));
  store.get_to_file("t/part-1.parquet", folder.file("down.bin"));
  std::ifstream in(folder.file("down.bin"), std::ios::binary);
  EXPECT_TRUE(std::string(std::istreambuf_iterator<char>(in), {}) == medium);
  EXPECT_EQ(store.list("t"), (std::vector<std::string>{"t/part-0.parquet", "t/part-1.parquet"}));
  EXPECT_THROW(store.get_to_file("t/absent", folder.file("none.bin")), Error);
}

// A large upload is bound by round trips, so its parts travel four at a time (and no more: each holds
// S3_PART_BYTES of memory); they still assemble in order.
TEST_F(S3Store, MultipartPartsTravelFourAtATime) {
  std::atomic<int> in_flight{0}, most{0};
  FaultProxy proxy(moto->port(), [&](int, const std::string& line) {
    if (line.find("partNumber=") != std::string::npos) {
      const int now = ++in_flight;
      for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      // Long enough that all four parts are in flight together on a loaded machine too (150 ms once
      // saw only three).
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      --in_flight;
    }
    return Fault::None;
  });
  auto store = through(proxy);
  const std::string big = random_bytes((25 << 20) + 7);  // six parts of 5 MiB, the last one short
  store->put("t/big.parquet", big);
  EXPECT_TRUE(store->get("t/big.parquet") == big);
  EXPECT_EQ(most, 4);
}

TEST_F(S3Store, ListPagesPastAThousandKeys) {
  S3BlobStore store(options);
  std::vector<std::thread> writers;
  for (int t = 0; t < 5; ++t) {
    writers.emplace_back([&, t] {
      for (int i = t; i < 1005; i += 5) store.put("many/" + std::to_string(10000 + i), "x");
    });
  }
  for (auto& w : writers) w.join();
  const auto keys = store.list("many");
  ASSERT_EQ(keys.size(), 1005u);  // S3 answers at most 1000 keys a page
  EXPECT_EQ(keys.front(), "many/10000");
  EXPECT_EQ(keys.back(), "many/11004");
}

TEST_F(S3Store, InjectedServerErrorsAreRetried) {
  FaultProxy proxy(moto->port(), [](int n, const std::string&) { return n % 2 == 0 ? Fault::Answer500 : Fault::None; });
  auto store = through(proxy);
  store->put("a/x", "1");
  EXPECT_TRUE(store->put_if_absent("a/y", "2"));
  EXPECT_FALSE(store->put_if_absent("a/y", "3"));
  EXPECT_EQ(store->get("a/y"), "2");
  EXPECT_EQ(store->list("a"), (std::vector<std::string>{"a/x", "a/y"}));
  store->remove("a/x");
  EXPECT_FALSE(store->exists("a/x"));
  EXPECT_GE(proxy.faults(), 7);
}

TEST_F(S3Store, DroppedConnectionsAreRetried) {
  FaultProxy proxy(moto->port(),
                   [](int n, const std::string&) { return n % 3 == 0 ? Fault::DropBeforeServer : Fault::None; });
  auto store = through(proxy);
  const std::string big = random_bytes((11 << 20));
  store->put("big", big);  // multipart: its parts are dropped too
  EXPECT_TRUE(store->get("big") == big);
  EXPECT_GE(proxy.faults(), 3);
}

TEST_F(S3Store, APutIfAbsentWhoseAnswerWasLostStillWinsOnce) {
  FaultProxy proxy(moto->port(), [](int n, const std::string&) {
    return n == 0 ? Fault::DropAfterServer : Fault::None;  // the commit lands, its answer is lost
  });
  auto store = through(proxy);
  EXPECT_TRUE(store->put_if_absent("_delta_log/0.json", "mine"));
  EXPECT_FALSE(store->put_if_absent("_delta_log/0.json", "someone else's"));
  EXPECT_EQ(store->get("_delta_log/0.json"), "mine");
}

TEST_F(S3Store, PersistentFailuresEndInAClearErrorAndLeaveNothing) {
  FaultProxy proxy(moto->port(), [](int, const std::string& line) {
    return line.starts_with("PUT") ? Fault::Answer500 : Fault::None;
  });
  auto store = through(proxy, 3);
  try {
    store->put("k", "v");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_NE(message.find("PUT s3://" + options.bucket + "/wh/k"), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 500 (InternalError: injected by the test proxy) after 3 attempts"), std::string::npos)
        << message;
  }
  // Both parts are in flight at once and each fails three times; the upload is aborted.
  EXPECT_THROW(store->put("big", random_bytes(6 << 20)), Error);
  EXPECT_TRUE(store->list("").empty());
  EXPECT_EQ(proxy.faults(), 3 + 2 * 3);
}

TEST_F(S3Store, BadCredentialsGiveAClearErrorAndWriteNothing) {
  S3BlobStore store(options);
  moto->require_known_credentials(true);
  for (const auto& attempt : std::vector<std::function<void()>>{
           [&] { store.put("t/_delta_log/0.json", "{}"); }, [&] { store.put_if_absent("t/_delta_log/1.json", "{}"); },
           [&] { store.put("t/big.parquet", random_bytes(6 << 20)); }, [&] { store.list("t"); }}) {
    try {
      attempt();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("HTTP 403"), std::string::npos) << message;
      EXPECT_NE(message.find("check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"), std::string::npos) << message;
      EXPECT_EQ(message.find("test-secret-do-not-print"), std::string::npos) << message;
    }
  }
  moto->require_known_credentials(false);
  EXPECT_TRUE(store.list("").empty());
}

}  // namespace
}  // namespace superstore::blob
