#include "query/database.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/allocator.h"
#include "common/types.h"
#include "query/test_support.h"

namespace superstore::query {
namespace {

using testing::error_of;

using testing::open_plain;

TEST(QueryDatabase, ResultGivesNamesTypesAndTypedValues) {
  Database db = open_plain();
  Connection conn(db);
  Result r = conn.execute(
      "SELECT 42::BIGINT AS n, 2.5::DOUBLE AS d, 'héllo' AS s, true AS b, NULL::INTEGER AS missing, "
      "DATE '2024-01-31' AS day, TIMESTAMPTZ '1970-01-01 00:00:01+00' AS ts, 12.34::DECIMAL(9,2) AS dec, "
      "[1, 2] AS list");
  ASSERT_EQ(r.column_count(), 9u);
  ASSERT_EQ(r.row_count(), 1u);
  EXPECT_EQ(r.column_name(0), "n");
  EXPECT_EQ(r.column_type(0), "BIGINT");
  EXPECT_EQ(r.column_type(2), "VARCHAR");
  EXPECT_EQ(r.column_type(6), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(r.column_type(7), "DECIMAL(9,2)");
  EXPECT_EQ(r.column_type(8), "INTEGER[]");
  EXPECT_EQ(r.get_int64(0, 0), 42);
  EXPECT_DOUBLE_EQ(r.get_double(0, 0), 42.0);
  EXPECT_DOUBLE_EQ(r.get_double(1, 0), 2.5);
  EXPECT_EQ(r.get_string(2, 0), "héllo");
  EXPECT_TRUE(r.get_bool(3, 0));
  EXPECT_TRUE(r.is_null(4, 0));
  EXPECT_FALSE(r.is_null(0, 0));
  EXPECT_EQ(r.get_int64(5, 0), superstore::days_from_civil(2024, 1, 31));
  EXPECT_EQ(r.get_int64(6, 0), 1'000'000);
  EXPECT_DOUBLE_EQ(r.get_double(7, 0), 12.34);
  EXPECT_EQ(r.get_string(8, 0), "[1, 2]");
  EXPECT_EQ(r.get_string(0, 0), "42");
  EXPECT_EQ(r.value_as_json(4, 0), nullptr);
  EXPECT_EQ(r.value_as_json(6, 0), "1970-01-01T00:00:01Z");
}

TEST(QueryDatabase, AccessorsRefuseNullsWrongTypesAndBadIndexes) {
  Database db = open_plain();
  Connection conn(db);
  Result r = conn.execute("SELECT NULL::BIGINT AS n, 'x' AS s");
  EXPECT_NE(error_of([&] { r.get_int64(0, 0); }, ErrorCode::Internal).find("'n' is NULL"), std::string::npos);
  EXPECT_NE(error_of([&] { r.get_int64(1, 0); }, ErrorCode::Internal).find("'s' is VARCHAR"), std::string::npos);
  EXPECT_NE(error_of([&] { r.get_bool(1, 0); }, ErrorCode::Internal).find("not BOOLEAN"), std::string::npos);
  error_of([&] { r.is_null(0, 1); }, ErrorCode::Internal);
  error_of([&] { r.column_name(2); }, ErrorCode::Internal);
}

TEST(QueryDatabase, ManyChunksAreAllReachable) {
  Database db = open_plain();
  Connection conn(db);
  Result r = conn.execute("SELECT i, i::VARCHAR AS s FROM range(10000) t(i) ORDER BY i");
  ASSERT_EQ(r.row_count(), 10000u);
  for (size_t row : {0u, 2047u, 2048u, 5000u, 9999u}) {
    EXPECT_EQ(r.get_int64(0, row), static_cast<int64_t>(row));
    EXPECT_EQ(r.get_string(1, row), std::to_string(row));
  }
}

TEST(QueryDatabase, ResultOutlivesConnectionAndDatabase) {
  std::optional<Result> kept;
  {
    Database db = open_plain();
    Connection conn(db);
    kept.emplace(conn.execute("SELECT 'a rather long string that is not inlined' AS s FROM range(3)"));
  }
  EXPECT_EQ(kept->get_string(0, 2), "a rather long string that is not inlined");
}

TEST(QueryDatabase, ExecuteRunsSeveralStatementsAndReportsSqlErrors) {
  Database db = open_plain();
  Connection conn(db);
  Result r = conn.execute("CREATE TEMP TABLE t(a INTEGER); INSERT INTO t VALUES (1), (2); SELECT sum(a) FROM t");
  EXPECT_EQ(r.get_int64(0, 0), 3);
  std::string message = error_of([&] { conn.execute("SELECT * FROM no_such_table"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("no_such_table"), std::string::npos) << message;
  error_of([&] { conn.execute(std::string("SELECT 1\0; DROP TABLE t", 23)); }, ErrorCode::InvalidArgument);
}

TEST(QueryDatabase, PreparedParametersBindEveryKind) {
  Database db = open_plain();
  Connection conn(db);
  Result r = conn.execute("SELECT $1 + 1 AS i, $2 * 2 AS d, $3 || '!' AS s, $4 IS NULL AS n, NOT $5 AS b",
                          {int64_t{41}, 1.25, std::string("it's"), nullptr, true});
  EXPECT_EQ(r.get_int64(0, 0), 42);
  EXPECT_DOUBLE_EQ(r.get_double(1, 0), 2.5);
  EXPECT_EQ(r.get_string(2, 0), "it's!");
  EXPECT_TRUE(r.get_bool(3, 0));
  EXPECT_FALSE(r.get_bool(4, 0));
  // A string literal must bind as text and a plain int as an integer, not as bool or double.
  Result typed = conn.execute("SELECT typeof($1), typeof($2)", {"abc", 7});
  EXPECT_EQ(typed.get_string(0, 0), "VARCHAR");
  EXPECT_EQ(typed.get_string(1, 0), "BIGINT");
  std::string message = error_of([&] { conn.execute("SELECT ?", {}); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("1 placeholders; got 0"), std::string::npos) << message;
}

TEST(QueryDatabase, QuotingRoundTripsThroughDuckDb) {
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  error_of([] { quote_literal(std::string("a\0b", 3)); }, ErrorCode::InvalidArgument);
  Database db = open_plain();
  Connection conn(db);
  std::string tricky = "it's \"quoted\" \\ ; --";
  Result r = conn.execute("SELECT " + quote_literal(tricky) + " AS " + quote_identifier(tricky));
  EXPECT_EQ(r.get_string(0, 0), tricky);
  EXPECT_EQ(r.column_name(0), tricky);
}

TEST(QueryDatabase, ReferencedTablesListsWhatAQueryReads) {
  Database db = open_plain();
  Connection conn(db);
  auto names = conn.referenced_tables(
      "SELECT * FROM sales s JOIN main.people p ON s.id = p.id WHERE s.x IN (SELECT x FROM other)");
  EXPECT_EQ(names, (std::vector<std::string>{"other", "people", "sales"}));
  EXPECT_TRUE(conn.referenced_tables("SELEC nonsense").empty());
}

TEST(QueryDatabase, InterruptFromAnotherThreadStopsAStatementAndConnectionRecovers) {
  Database db = open_plain();
  Connection conn(db);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    conn.interrupt();
  });
  auto started = std::chrono::steady_clock::now();
  std::string message = error_of([&] { conn.execute("SELECT count(*) FROM range(100000000) a, range(100000000) b"); },
                                 ErrorCode::InvalidArgument);
  stopper.join();
  EXPECT_NE(message.find("Interrupted"), std::string::npos) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(conn.execute("SELECT 7").get_int64(0, 0), 7);
}

TEST(QueryDatabase, RejectsBadOptions) {
  std::string message = error_of([] { Database(DatabaseOptions{.sandboxed = false, .memory_limit = "lots"}); },
                                 ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("memory_limit"), std::string::npos) << message;
}

TEST(QueryDatabase, MemoryLimitAndThreadsApply) {
  Database db(DatabaseOptions{.sandboxed = true, .memory_limit = "64MB", .threads = 1});
  Connection conn(db);
  Result r = conn.execute("SELECT current_setting('threads'), current_setting('memory_limit')");
  EXPECT_EQ(r.get_int64(0, 0), 1);
  EXPECT_NE(r.get_string(1, 0).find("MiB"), std::string::npos) << r.get_string(1, 0);
  std::string message =
      error_of([&] { conn.execute("SELECT length(list(i)) FROM range(20000000) t(i)"); }, ErrorCode::TooLarge);
  EXPECT_NE(message.find("memory"), std::string::npos) << message;
}

}  // namespace
}  // namespace superstore::query

namespace superstore::query {
namespace {

TEST(QueryDatabase, EveryEngineRunsInUtc) {
  for (bool sandboxed : {true, false}) {
    DatabaseOptions options;
    options.sandboxed = sandboxed;
    Database db(options);
    Connection conn(db);
    EXPECT_EQ(conn.execute("SELECT current_setting('TimeZone')").get_string(0, 0), "UTC");
    // Text without an offset is a UTC wall-clock time.
    EXPECT_EQ(conn.execute("SELECT epoch_us(CAST('2024-01-01 10:00:00' AS TIMESTAMPTZ))").get_int64(0, 0),
              1704103200000000);
  }
}

}  // namespace
}  // namespace superstore::query

namespace superstore::query {
namespace {

// DuckDB's own jemalloc, whose decay superstore's main() lengthens (common/allocator.h): found in the
// library this binary runs on, set for every arena, read back, and set back to DuckDB's own value.
TEST(QueryDatabase, DuckDbsAllocatorDecayIsFoundSetAndRestored) {
  Database db(DatabaseOptions{});
  Connection(db).execute("SELECT count(*) FROM range(100000)");  // arenas in use
  const std::optional<int64_t> built_in = duckdb_allocator_decay();
  ASSERT_TRUE(built_in.has_value()) << "DuckDB's jemalloc was not found";
  ASSERT_TRUE(set_duckdb_allocator_decay(kDuckdbAllocatorDecayMs));
  EXPECT_EQ(duckdb_allocator_decay(), kDuckdbAllocatorDecayMs);
  ASSERT_TRUE(set_duckdb_allocator_decay(*built_in));
  EXPECT_EQ(duckdb_allocator_decay(), built_in);
}

}  // namespace
}  // namespace superstore::query
