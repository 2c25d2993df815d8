// User SQL reads tables by name only (table_reads.h): every file reader DuckDB lists is refused, and
// nothing that may still run shows where the data lives. The functions and views are enumerated from
// DuckDB itself, so that a function or view a later DuckDB adds is covered by these tests.
#include "query/table_reads.h"

#include <gtest/gtest.h>

#include <optional>

#include "query/database.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

using testing::error_of;

constexpr auto kLimit = std::chrono::seconds(30);

class TableReads : public ::testing::Test {
 protected:
  void SetUp() override {
    Database writer(DatabaseOptions{.sandboxed = false, .threads = 2});
    Connection(writer).execute("COPY (SELECT i AS id FROM range(10) t(i)) TO " +
                               quote_literal(data_.file("t.parquet")) + " (FORMAT parquet)");
    db_.emplace(DatabaseOptions{.sandboxed = true, .allowed_directories = {data_.path().string() + "/"}, .threads = 2});
    conn_.emplace(*db_);
    // What the warehouse does for each table: a temp view over its files, whose SQL holds their path.
    conn_->execute("CREATE TEMP VIEW t AS SELECT * FROM read_parquet(" + quote_literal(data_.file("t.parquet")) + ")");
  }

  // The message of refusing `sql`, which both the check and a run must give.
  std::string refused(const std::string& sql) {
    std::string via_check = error_of([&] { check_read_only(*conn_, sql); }, ErrorCode::InvalidArgument);
    std::string via_run = error_of(
        [&] {
          run_user_query(*conn_, sql, {1, 100000}, kLimit);
        },
        ErrorCode::InvalidArgument);
    EXPECT_EQ(via_check, via_run) << sql;
    return via_check;
  }

  // The whole answer to `sql` as JSON text, or nullopt when it is refused.
  std::optional<std::string> answer(const std::string& sql) {
    try {
      return run_user_query(*conn_, sql, {1, 100000}, kLimit).rows.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << sql << ": " << e.what();
      return std::nullopt;
    }
  }

  std::vector<std::string> strings(const std::string& sql) {
    Result r = conn_->execute(sql);
    std::vector<std::string> out;
    for (size_t row = 0; row < r.row_count(); ++row) out.push_back(r.get_string(0, row));
    return out;
  }

  TempFolder data_;
  std::optional<Database> db_;
  std::optional<Connection> conn_;
};

TEST_F(TableReads, ReadsATableByName) {
  EXPECT_EQ(*answer("SELECT count(*) AS n, sum(id) AS s FROM t"), R"([{"n":10,"s":45}])");
  EXPECT_EQ(*answer("WITH x AS (SELECT id FROM t WHERE id < 3) SELECT count(*) AS n FROM x, range(2)"), R"([{"n":6}])");
  EXPECT_EQ(*answer("SELECT count(*) AS n FROM (SELECT unnest([1, 2, 3])) JOIN generate_series(1, 2) ON true"),
            R"([{"n":6}])");
  EXPECT_TRUE(answer("DESCRIBE t"));
  EXPECT_TRUE(answer("SUMMARIZE t"));
  EXPECT_TRUE(answer("SHOW TABLES"));
  EXPECT_TRUE(answer("EXPLAIN SELECT * FROM t"));
}

// Every table function DuckDB lists that takes text (a path, a glob, SQL, a table or database name), and
// every table macro, called with a path to the data: refused before anything reads the file.
TEST_F(TableReads, RefusesEveryTableFunctionThatTakesAPath) {
  const std::vector<std::string> functions = strings(
      "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' OR "
      "(function_type = 'table' AND list_has_any(parameter_types, ['VARCHAR', 'VARCHAR[]'])) ORDER BY 1");
  for (const char* known : {"read_parquet", "read_csv", "read_json", "read_text", "read_blob", "glob", "sniff_csv",
                            "parquet_metadata", "parquet_schema", "query", "query_table", "checkpoint"}) {
    EXPECT_NE(std::find(functions.begin(), functions.end(), known), functions.end()) << known;
  }
  const std::string path = quote_literal(data_.file("t.parquet"));
  for (const auto& f : functions) {
    for (const std::string& sql : {"SELECT * FROM " + f + "(" + path + ")", "FROM " + f + "([" + path + "])",
                                   "SELECT (SELECT count(*) FROM " + f + "(" + path + ")) AS n",
                                   "WITH x AS (FROM " + f + "(" + path + ")) SELECT 1",
                                   "SELECT * FROM t WHERE id IN (SELECT 1 FROM " + f + "(" + path + "))",
                                   "EXPLAIN ANALYZE SELECT * FROM " + f + "(" + path + ")"}) {
      const std::string message = refused(sql);
      EXPECT_NE(message.find("table function " + f + "() cannot run here"), std::string::npos)
          << sql << ": " << message;
      EXPECT_EQ(message.find(data_.path().string()), std::string::npos) << message;
    }
  }
  // And the ones that may run take no text at all.
  for (const auto& f : allowed_table_functions()) {
    EXPECT_EQ(std::find(functions.begin(), functions.end(), f), functions.end()) << f;
  }
}

TEST_F(TableReads, RefusesFilesNamedAsTables) {
  for (const std::string& name : {data_.file("t.parquet"), std::string("t.parquet"), data_.file("*.parquet"),
                                  data_.file("t.csv"), std::string("s3://bucket/t.parquet")}) {
    EXPECT_NE(refused("SELECT * FROM " + quote_literal(name)).find("names a file"), std::string::npos) << name;
    EXPECT_NE(refused("FROM " + quote_identifier(name)).find("names a file"), std::string::npos) << name;
    EXPECT_NE(refused("DESCRIBE " + quote_literal(name)).find("names a file"), std::string::npos) << name;
  }
}

// Settings (allowed_directories, temp_directory, ...), DuckDB's catalog views (a view's SQL names its
// files) and catalog functions: refused, or answered without the data's path.
TEST_F(TableReads, NothingShowsWhereTheDataLives) {
  const std::string secret = data_.path().string();
  ASSERT_NE(conn_->execute("SELECT current_setting('allowed_directories')").get_string(0, 0).find(secret),
            std::string::npos);
  auto hides_path = [&](const std::string& sql) {
    const std::optional<std::string> text = answer(sql);
    if (text) {
      EXPECT_EQ(text->find(secret), std::string::npos) << sql << " shows the path: " << text->substr(0, 500);
    }
    return !text;
  };
  for (const auto& setting : strings("SELECT name FROM duckdb_settings()")) {
    EXPECT_TRUE(hides_path("SELECT current_setting(" + quote_literal(setting) + ") AS v")) << setting;
  }
  EXPECT_TRUE(hides_path("SELECT * FROM duckdb_settings()"));
  EXPECT_TRUE(hides_path("SELECT * FROM duckdb_views()"));
  int refused_count = 0;
  for (const auto& f : strings("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'table' "
                               "AND len(parameters) = 0 AND function_name NOT IN ('checkpoint', 'force_checkpoint')")) {
    refused_count += hides_path("SELECT * FROM " + f + "()");
  }
  EXPECT_GT(refused_count, 0);
  Result views = conn_->execute("SELECT schema_name, view_name FROM duckdb_views() WHERE internal");
  ASSERT_GT(views.row_count(), 0u);
  for (size_t row = 0; row < views.row_count(); ++row) {
    const std::string schema = quote_identifier(views.get_string(0, row));
    const std::string view = quote_identifier(views.get_string(1, row));
    hides_path("SELECT * FROM " + view);
    hides_path("SELECT * FROM " + schema + "." + view);
    hides_path("SELECT * FROM system." + schema + "." + view);
  }
  for (const std::string& sql :
       {std::string("SELECT pg_get_viewdef(view_oid) FROM duckdb_tables()"),
        std::string("SELECT json_serialize_plan('SELECT * FROM t')"), std::string("SELECT sql FROM sqlite_temp_master"),
        std::string("SELECT view_definition FROM information_schema.views"), std::string("FROM duckdb_views"),
        std::string("FROM pg_settings")}) {
    EXPECT_TRUE(hides_path(sql)) << sql;
  }
}

// Statements that are not SELECTs DuckDB can show (json_serialize_sql) are refused, and say what may run.
TEST_F(TableReads, RefusesWhatCannotBeChecked) {
  EXPECT_NE(refused("PRAGMA show_tables").find("cannot be checked"), std::string::npos);
  EXPECT_NE(refused("PRAGMA show_tables").find("only SELECT"), std::string::npos);
  for (const char* sql :
       {"SELECT * FROM checkpoint()", "SELECT * FROM force_checkpoint()", "CALL checkpoint()", "CHECKPOINT",
        "FORCE CHECKPOINT", "SET threads = 1", "PRAGMA database_size", "CALL pragma_database_size()",
        "SELECT * FROM query('SELECT 1')", "SELECT * FROM query_table('t')", "SELECT * FROM histogram(t, id)"}) {
    refused(sql);
  }
}

}  // namespace
}  // namespace superstore::query
