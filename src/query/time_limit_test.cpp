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

// The limit counts from QueryControl::started (the request's start), not from when DuckDB got the query.
TEST(QueryTimeLimit, CountsFromTheStartOfTheRequest) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  const QueryControl late{std::chrono::seconds(2), {}, std::chrono::steady_clock::now() - std::chrono::seconds(3)};
  EXPECT_EQ(error_of([&] { run_user_query(conn, "SELECT 1 AS x", {}, late); }, ErrorCode::InvalidArgument),
            "query stopped after the time limit of 2 s; narrow it or add LIMIT");
  const QueryControl in_time{std::chrono::seconds(10), {}, std::chrono::steady_clock::now() - std::chrono::seconds(3)};
  EXPECT_EQ(run_user_query(conn, "SELECT 1 AS x", {}, in_time).rows.dump(), R"([{"x":1}])");
}

// A page whose JSON would pass PageRequest::max_bytes stops being built there: TooLarge, with the way out.
TEST(QueryResultSize, APageOverItsByteLimitIsTooLarge) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  const std::string sql = "SELECT repeat('x', 1000) AS s FROM range(100)";  // about 100 KB of JSON
  const std::string message = error_of(
      [&] { run_user_query(conn, sql, {.page = 1, .per_page = 100, .max_bytes = 50'000}, std::chrono::seconds(30)); },
      ErrorCode::TooLarge);
  EXPECT_NE(message.find("limit of 50000 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("\"format\": \"csv\""), std::string::npos) << message;
  // The same rows fit a larger limit, and a smaller page fits the small one.
  QueryPage page =
      run_user_query(conn, sql, {.page = 1, .per_page = 100, .max_bytes = 200'000}, std::chrono::seconds(30));
  EXPECT_EQ(page.rows.size(), 100u);
  EXPECT_LE(static_cast<int64_t>(page.rows.dump().size()), 200'000);
  page = run_user_query(conn, sql, {.page = 2, .per_page = 10, .max_bytes = 50'000}, std::chrono::seconds(30));
  EXPECT_EQ(page.rows.size(), 10u);
  EXPECT_EQ(page.total, 100);
}

// Every cell of a wide row is appended without a key lookup (it used to take seconds for 100,000 columns),
// in order and under its unique name.
TEST(QueryResultSize, AWideRowKeepsItsColumnsInOrder) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  std::string sql = "SELECT 0 AS c";
  for (int i = 1; i < 3000; ++i) sql += ", " + std::to_string(i) + " AS c";
  QueryPage page = run_user_query(conn, sql, {}, std::chrono::seconds(60));
  ASSERT_EQ(page.rows.size(), 1u);
  ASSERT_EQ(page.rows[0].size(), 3000u);
  int expected = 0;
  for (const auto& [name, value] : page.rows[0].items()) {
    EXPECT_EQ(name, expected == 0 ? "c" : "c_" + std::to_string(expected + 1));
    EXPECT_EQ(value, expected++);
  }
}

}  // namespace
}  // namespace superstore::query
