#include <gtest/gtest.h>

#include <thread>

#include "query/database.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

using testing::error_of;

// Far too much work to ever finish within the test: 10^16 pairs.
const std::string kSlowQuery =
    "SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range = 3";

TEST(QueryTimeLimit, SlowQueryIsStoppedWithinBoundedTimeAndConnectionRecovers) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  auto started = std::chrono::steady_clock::now();
  std::string message = error_of([&] { run_user_query(conn, kSlowQuery, {}, std::chrono::milliseconds(500)); },
                                 ErrorCode::InvalidArgument);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(message, "query stopped after the time limit of 0.5 s; narrow it or add LIMIT");
  EXPECT_GE(elapsed, std::chrono::milliseconds(500));
  EXPECT_LT(elapsed, std::chrono::seconds(5));

  QueryPage after = run_user_query(conn, "SELECT 42 AS answer", {}, std::chrono::seconds(10));
  EXPECT_EQ(after.rows.dump(), R"([{"answer":42}])");
}

TEST(QueryTimeLimit, StreamingPhaseIsCoveredToo) {
  // Rows come out quickly but endlessly: the limit must also hold while chunks are being fetched.
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  auto started = std::chrono::steady_clock::now();
  std::string message =
      error_of([&] { run_user_query(conn, "SELECT * FROM range(1000000000000)", {}, std::chrono::seconds(1)); },
               ErrorCode::InvalidArgument);
  EXPECT_EQ(message, "query stopped after the time limit of 1 s; narrow it or add LIMIT");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(6));
  EXPECT_EQ(run_user_query(conn, "SELECT count(*) AS n FROM range(5)", {}, std::chrono::seconds(10)).rows[0]["n"], 5);
}

// One thread keeps every query's limit: a later query with a nearer deadline must not wait for an earlier
// query's farther one.
TEST(QueryTimeLimit, ANearerDeadlineFiresOnTimeWhileAFartherOneWaits) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection far_conn(db), near_conn(db);
  std::thread far([&] {
    error_of([&] { run_user_query(far_conn, kSlowQuery, {}, std::chrono::seconds(4)); }, ErrorCode::InvalidArgument);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto started = std::chrono::steady_clock::now();
  std::string message = error_of([&] { run_user_query(near_conn, kSlowQuery, {}, std::chrono::milliseconds(300)); },
                                 ErrorCode::InvalidArgument);
  EXPECT_EQ(message, "query stopped after the time limit of 0.3 s; narrow it or add LIMIT");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
  far.join();
}

TEST(QueryTimeLimit, FastQueryUnderTheLimitIsUntouched) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  for (int i = 0; i < 20; ++i) {
    QueryPage page =
        run_user_query(conn, "SELECT sum(i) AS s FROM range(1000) t(i)", {}, std::chrono::milliseconds(2000));
    EXPECT_EQ(page.rows[0]["s"], 499500);
  }
}

}  // namespace
}  // namespace superstore::query
