// run_user_query keeps the statements it checked prepared on the connection; these tests hold it to
// answering exactly as a fresh statement would.
#include <gtest/gtest.h>

#include "query/database.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

using testing::error_of;

constexpr auto kLimit = std::chrono::seconds(10);

class KeptStatements : public ::testing::Test {
 protected:
  QueryPage run(const std::string& sql) { return run_user_query(conn_, sql, {1, 100}, kLimit); }

  Database db_{DatabaseOptions{.sandboxed = true, .threads = 2}};
  Connection conn_{db_};
};

TEST_F(KeptStatements, ARepeatedQueryIsKeptAndAnswersAsBefore) {
  conn_.execute("CREATE TEMP VIEW numbers AS SELECT i FROM range(10) t(i)");
  const std::string sql = "SELECT sum(i) AS total, count(*) AS n FROM numbers";
  QueryPage first = run(sql);
  EXPECT_EQ(kept_user_statements(conn_), 1u);
  QueryPage again = run(sql);
  EXPECT_EQ(kept_user_statements(conn_), 1u);
  EXPECT_EQ(first.rows, again.rows);
  EXPECT_EQ(again.rows[0]["total"], 45);
  EXPECT_EQ(again.rows[0]["n"], 10);
}

TEST_F(KeptStatements, ReplacingAViewForgetsThemAndTheQueryReadsTheNewView) {
  conn_.execute("CREATE TEMP VIEW v AS SELECT 1 AS x");
  const std::string sql = "SELECT * FROM v";
  EXPECT_EQ(run(sql).rows[0]["x"], 1);
  // Other columns and types: a kept statement bound to the old view could not run this.
  conn_.execute("CREATE OR REPLACE TEMP VIEW v AS SELECT 'a' AS y, 2.5 AS z");
  EXPECT_EQ(kept_user_statements(conn_), 0u);
  QueryPage page = run(sql);
  ASSERT_EQ(page.columns.size(), 2u);
  EXPECT_EQ(page.columns[0].name, "y");
  EXPECT_EQ(page.rows[0]["y"], "a");
  EXPECT_EQ(page.rows[0]["z"], 2.5);
}

TEST_F(KeptStatements, RefusedAndFailedStatementsAreNotKept) {
  conn_.execute("CREATE TEMP VIEW words AS SELECT * FROM (VALUES ('7'), ('x')) t(s)");
  error_of([&] { run("CREATE TABLE t (i INTEGER)"); }, ErrorCode::InvalidArgument);
  EXPECT_EQ(kept_user_statements(conn_), 0u);
  // Prepares fine, fails while it runs: it is prepared afresh next time, and fails the same way.
  const std::string failing = "SELECT CAST(s AS INTEGER) AS n FROM words";
  std::string message = error_of([&] { run(failing); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("'x'"), std::string::npos) << message;
  EXPECT_EQ(kept_user_statements(conn_), 0u);
  EXPECT_EQ(error_of([&] { run(failing); }, ErrorCode::InvalidArgument), message);
  EXPECT_EQ(run("SELECT count(*) AS n FROM words").rows[0]["n"], 2);
  EXPECT_EQ(kept_user_statements(conn_), 1u);
}

TEST_F(KeptStatements, AtMostThirtyTwoAreKept) {
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(run("SELECT " + std::to_string(i) + " AS v").rows[0]["v"], i);
  }
  EXPECT_EQ(kept_user_statements(conn_), 32u);
  // The oldest were dropped, the newest kept: both still answer correctly.
  EXPECT_EQ(run("SELECT 0 AS v").rows[0]["v"], 0);
  EXPECT_EQ(run("SELECT 39 AS v").rows[0]["v"], 39);
  EXPECT_EQ(kept_user_statements(conn_), 32u);
}

}  // namespace
}  // namespace superstore::query
