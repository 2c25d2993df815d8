// SqliteDb keeps finished statements for their SQL's next use: what a kept statement must not carry over.
#include "catalog/sqlite_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/temp_folder.h"

namespace superstore::catalog {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
    db_.exec("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  }
  static int compiled_statements(SqliteDb& db) {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s; s = sqlite3_next_stmt(db.handle(), s)) ++n;
    return n;
  }
  int64_t count_rows() {
    Statement count(db_, "SELECT count(*) FROM t");
    EXPECT_TRUE(count.step());
    return count.column_int64(0);
  }

  TempFolder folder_;
  SqliteDb db_{folder_.path() / "test.db"};
};

TEST_F(SqliteDbTest, SqlThatComesAgainIsCompiledOnce) {
  for (int i = 0; i < 100; ++i) {
    Statement insert(db_, "INSERT INTO t (name) VALUES (?1)");
    insert.bind(1, "n" + std::to_string(i)).run();
    EXPECT_EQ(count_rows(), 4 + i);  // each use reads the table as it is now
  }
  EXPECT_EQ(compiled_statements(db_), 2);
  EXPECT_EQ(db_.idle_statements(), 2u);
}

TEST_F(SqliteDbTest, AKeptStatementForgetsItsBindingsAndWhereItStopped) {
  {
    Statement query(db_, "SELECT name FROM t WHERE id >= ?1 ORDER BY id");
    query.bind(1, int64_t{2});
    ASSERT_TRUE(query.step());
    EXPECT_EQ(query.column_text(0), "b");
  }  // left after its first row
  {
    Statement query(db_, "SELECT name FROM t WHERE id >= ?1 ORDER BY id");
    // An unbound parameter is NULL, and nothing is >= NULL: the 2 bound before is gone.
    EXPECT_FALSE(query.step());
  }
  Statement query(db_, "SELECT name FROM t WHERE id >= ?1 ORDER BY id");
  query.bind(1, int64_t{1});
  ASSERT_TRUE(query.step());
  EXPECT_EQ(query.column_text(0), "a");  // from the first row again
}

TEST_F(SqliteDbTest, TwoStatementsOfTheSameSqlRunAtOnce) {
  const char* sql = "SELECT id FROM t ORDER BY id";
  Statement outer(db_, sql);
  std::vector<std::pair<int64_t, int64_t>> pairs;
  while (outer.step()) {
    Statement inner(db_, sql);
    while (inner.step()) pairs.emplace_back(outer.column_int64(0), inner.column_int64(0));
  }
  EXPECT_EQ(pairs.size(), 9u);
  EXPECT_EQ(pairs.front(), std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(pairs.back(), std::make_pair(int64_t{3}, int64_t{3}));
  EXPECT_EQ(db_.idle_statements(), 1u);  // one kept per text, the other finalized
}

TEST_F(SqliteDbTest, AKeptStatementSeesOtherConnectionsCommitsAndSchemaChanges) {
  auto data_version = [&] {
    Statement version(db_, "PRAGMA data_version");
    EXPECT_TRUE(version.step());
    return version.column_int64(0);
  };
  const int64_t before = data_version();
  // A statement abandoned mid-result holds no read transaction open once returned.
  {
    Statement query(db_, "SELECT name FROM t ORDER BY id");
    ASSERT_TRUE(query.step());
  }
  SqliteDb other(folder_.path() / "test.db");
  other.exec("INSERT INTO t (id, name) VALUES (10, 'j')");
  EXPECT_NE(data_version(), before);
  EXPECT_EQ(count_rows(), 4);

  auto third_column = [&] {
    Statement query(db_, "SELECT * FROM t WHERE id = 1");
    EXPECT_TRUE(query.step());
    return query.column_text(2);  // "" while there is no such column
  };
  EXPECT_EQ(third_column(), "");
  other.exec("ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'");
  EXPECT_EQ(third_column(), "x");  // the kept statement was compiled again for the new schema
}

}  // namespace
}  // namespace superstore::catalog
