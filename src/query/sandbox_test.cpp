#include <gtest/gtest.h>

#include "query/database.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

using testing::error_of;

constexpr auto kLimit = std::chrono::seconds(10);
const std::string kOnlyReads =
    "only read statements (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) may run; this is ";

class QuerySandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    Database writer(DatabaseOptions{.sandboxed = false, .threads = 2});
    Connection conn(writer);
    conn.execute("COPY (SELECT i AS id, 'row ' || i AS label FROM range(10) t(i)) TO " +
                 quote_literal(allowed_.file("t.parquet")) + " (FORMAT parquet)");
    conn.execute("COPY (SELECT 1 AS secret) TO " + quote_literal(outside_.file("secret.parquet")) +
                 " (FORMAT parquet)");
    db_.emplace(DatabaseOptions{.sandboxed = true, .allowed_directories = {allowed_.path().string()}, .threads = 2});
    conn_.emplace(*db_);
  }

  // Refused before running, by the read-only check.
  std::string refused(const std::string& sql) {
    std::string via_check = error_of([&] { check_read_only(*conn_, sql); }, ErrorCode::InvalidArgument);
    std::string via_run = error_of([&] { run_user_query(*conn_, sql, {}, kLimit); }, ErrorCode::InvalidArgument);
    EXPECT_EQ(via_check, via_run);
    return via_check;
  }

  TempFolder allowed_, outside_;
  std::optional<Database> db_;
  std::optional<Connection> conn_;
};

// Internal SQL (a table's view) reads files inside the allowed directory; user SQL reads the view by name.
TEST_F(QuerySandbox, ReadsParquetInsideTheAllowedDirectoryThroughAView) {
  conn_->execute("CREATE TEMP VIEW t AS SELECT * FROM read_parquet(" + quote_literal(allowed_.file("*.parquet")) + ")");
  QueryPage page = run_user_query(*conn_, "SELECT count(*) AS n, sum(id) AS s FROM t", {}, kLimit);
  EXPECT_EQ(page.rows.dump(), R"([{"n":10,"s":45}])");
}

// The sandbox stops internal SQL at the allowed directories; user SQL does not get that far (table_reads.h).
TEST_F(QuerySandbox, RefusesFilesOutsideTheAllowedDirectory) {
  for (const std::string& sql : {
           std::string("SELECT * FROM read_csv('/etc/passwd')"),
           "SELECT * FROM read_parquet(" + quote_literal(outside_.file("secret.parquet")) + ")",
           "SELECT * FROM read_text(" + quote_literal(allowed_.file("../../../etc/hostname")) + ")",
           std::string("SELECT * FROM glob('/etc/*')"),
       }) {
    std::string message = error_of([&] { conn_->execute(sql); }, ErrorCode::InvalidArgument);
    EXPECT_NE(message.find("Permission Error"), std::string::npos) << sql << ": " << message;
    message = refused(sql);
    EXPECT_NE(message.find("cannot run here"), std::string::npos) << sql << ": " << message;
  }
}

TEST_F(QuerySandbox, RefusesWritesAttachInstallSetAndDdl) {
  struct Case {
    std::string sql, kind;
  };
  for (const Case& c : std::vector<Case>{
           {"COPY (SELECT 1) TO " + quote_literal(allowed_.file("x.csv")), "a COPY"},
           {"ATTACH " + quote_literal(allowed_.file("x.db")) + " AS other", "an ATTACH"},
           {"SET memory_limit='1GB'", "a SET"},
           {"CREATE TABLE t (a INTEGER)", "a CREATE"},
           {"PRAGMA enable_profiling", "a PRAGMA"},
           {"CALL pragma_version()", "a CALL"},
           {"EXPORT DATABASE " + quote_literal(allowed_.file("dump")), "an EXPORT"},
           {"BEGIN TRANSACTION", "a transaction"},
           {"INSTALL httpfs", "an INSTALL or LOAD"},
           {"LOAD httpfs", "an INSTALL or LOAD"},
       }) {
    EXPECT_EQ(refused(c.sql), kOnlyReads + c.kind + " statement") << c.sql;
  }
  EXPECT_FALSE(std::filesystem::exists(allowed_.file("x.csv")));
  EXPECT_FALSE(std::filesystem::exists(allowed_.file("x.db")));
}

TEST_F(QuerySandbox, LockedConfigurationRefusesSetEvenAsInternalSql) {
  std::string message = error_of([&] { conn_->execute("SET memory_limit='1GB'"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("configuration has been locked"), std::string::npos) << message;
  message = error_of([&] { conn_->execute("SET enable_external_access = true"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("locked"), std::string::npos) << message;
  message = error_of([&] { conn_->execute("LOAD httpfs"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("Permission Error"), std::string::npos) << message;
}

// A deferred lock: the owner's connection takes a per-connection setting first, which it keeps once the
// lock is taken; from then on no connection changes anything, and the sandbox held all along.
TEST_F(QuerySandbox, ADeferredLockLetsTheOwnerSetAConnectionFirstAndThenLocks) {
  Database engine(DatabaseOptions{
      .sandboxed = true, .allowed_directories = {allowed_.path().string()}, .threads = 2, .defer_lock = true});
  Connection owner(engine);
  EXPECT_THROW(owner.execute("SELECT * FROM read_csv('/etc/passwd')"), Error);  // sandboxed before the lock
  auto buffer = [&] { return owner.execute("SELECT current_setting('streaming_buffer_size')").get_string(0, 0); };
  const std::string before = buffer();
  owner.execute("SET streaming_buffer_size = '32MB'");
  engine.lock_configuration();
  EXPECT_NE(buffer(), before);
  EXPECT_NE(buffer().find("30.5 MiB"), std::string::npos) << buffer();  // 32 MB, as DuckDB shows it
  std::string message =
      error_of([&] { owner.execute("SET streaming_buffer_size = '1MB'"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("locked"), std::string::npos) << message;
  Connection other(engine);
  message = error_of([&] { other.execute("SET enable_external_access = true"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("locked"), std::string::npos) << message;
}

// The Parquet footer cache is set up before the configuration is locked, and stays as set up.
TEST_F(QuerySandbox, ParquetMetadataCacheIsOnOnlyWhenAskedAndCannotBeTurnedOff) {
  auto setting = [](Connection& conn) {
    return conn.execute("SELECT current_setting('parquet_metadata_cache')").get_bool(0, 0);
  };
  EXPECT_FALSE(setting(*conn_));
  Database cached(DatabaseOptions{.sandboxed = true,
                                  .allowed_directories = {allowed_.path().string()},
                                  .threads = 2,
                                  .cache_parquet_metadata = true});
  Connection conn(cached);
  EXPECT_TRUE(setting(conn));
  conn.execute("CREATE TEMP VIEW t AS SELECT * FROM read_parquet(" + quote_literal(allowed_.file("t.parquet")) + ")");
  const std::string sql = "SELECT count(*) AS n FROM t";
  for (int i = 0; i < 2; ++i) EXPECT_EQ(run_user_query(conn, sql, {}, kLimit).rows.dump(), R"([{"n":10}])");
  std::string message =
      error_of([&] { conn.execute("SET parquet_metadata_cache = false"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("locked"), std::string::npos) << message;
  EXPECT_TRUE(setting(conn));
}

// DuckDB's external file cache would keep a copy of every file's bytes read, until the memory limit: a
// long-running writer's memory grew with every commit. Every engine has it off, sandboxed or not.
TEST_F(QuerySandbox, ReadingFilesKeepsNoCopyOfTheirBytes) {
  Database plain = testing::open_plain();
  Connection unsandboxed(plain);
  for (Connection* conn : {&*conn_, &unsandboxed}) {
    const std::string file = quote_literal(allowed_.file("t.parquet"));
    EXPECT_EQ(conn->execute("SELECT count(*) FROM read_parquet(" + file + ")").get_int64(0, 0), 10);
    const Result cached = conn->execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'EXTERNAL_FILE_CACHE'");
    EXPECT_EQ(cached.get_int64(0, 0), 0);
  }
}

TEST_F(QuerySandbox, ExplainAnalyzeCannotSmuggleAWrite) {
  for (const std::string& sql : {
           std::string("EXPLAIN ANALYZE CREATE TABLE smuggled AS SELECT 1"),
           std::string("EXPLAIN (ANALYZE) CREATE TABLE smuggled AS SELECT 1"),
           std::string("EXPLAIN ANALYZE COPY (SELECT 1) TO ") + quote_literal(allowed_.file("smuggled.csv")),
           // DuckDB nests block comments; a naive comment skipper would read this as EXPLAIN of "SELECT 1".
           std::string("EXPLAIN ANALYZE /* /* */ SELECT 1 AS x --*/ CREATE TABLE smuggled AS SELECT 1"),
       }) {
    refused(sql);
  }
  error_of([&] { conn_->execute("SELECT * FROM smuggled"); }, ErrorCode::InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(allowed_.file("smuggled.csv")));
}

TEST_F(QuerySandbox, AcceptsEveryKindOfReadStatement) {
  conn_->execute("CREATE TEMP TABLE people AS SELECT 1 AS id, 'ann' AS name");
  for (const char* sql :
       {"SELECT 1", "WITH x AS (SELECT 2 AS v) SELECT v FROM x", "FROM people", "DESCRIBE people", "SHOW TABLES",
        "SUMMARIZE people", "EXPLAIN SELECT * FROM people", "explain analyze SELECT * FROM people",
        "EXPLAIN (FORMAT json) SELECT 1", "  SELECT 1;  ", "PIVOT people ON name IN ('ann') USING sum(id)"}) {
    EXPECT_NO_THROW(check_read_only(*conn_, sql)) << sql;
    EXPECT_NO_THROW(run_user_query(*conn_, sql, {}, kLimit)) << sql;
  }
}

TEST_F(QuerySandbox, ExplainsParseAndBindErrorsInDuckDbsWords) {
  EXPECT_EQ(refused("SELECT 1; SELECT 2"), "send one statement at a time; got 2");
  EXPECT_NE(refused("SELEC 1").find("Parser Error: syntax error at or near \"SELEC\""), std::string::npos);
  std::string unknown = refused("SELECT * FROM no_such_table");
  EXPECT_NE(unknown.find("Catalog Error"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("no_such_table"), std::string::npos) << unknown;
  EXPECT_NE(refused("   ").find("empty"), std::string::npos);
  EXPECT_NE(refused(std::string("SELECT 1\0; DROP TABLE x", 23)).find("NUL"), std::string::npos);
}

}  // namespace
}  // namespace superstore::query
