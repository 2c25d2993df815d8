#include <gtest/gtest.h>

#include "query/database.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

using testing::error_of;

constexpr auto kLimit = std::chrono::seconds(10);
// 10,000 rows spread over several chunks, in a known order, so any page is a checkable slice.
const std::string kQuery = "SELECT i AS id, 'n' || i AS name FROM range(10000) t(i) ORDER BY i DESC";

class QueryPaging : public ::testing::Test {
 protected:
  QueryPage page_of(int64_t page, int64_t per_page) { return run_user_query(conn_, kQuery, {page, per_page}, kLimit); }

  // Checks that `page` holds the ids of rows first..first+count-1 of kQuery.
  static void expect_slice(const QueryPage& page, int64_t first, int64_t count) {
    ASSERT_EQ(static_cast<int64_t>(page.rows.size()), count);
    for (int64_t k = 0; k < count; ++k) {
      int64_t id = 9999 - (first + k);
      EXPECT_EQ(page.rows[k]["id"], id);
      EXPECT_EQ(page.rows[k]["name"], "n" + std::to_string(id));
    }
  }

  Database db_{DatabaseOptions{.sandboxed = true, .threads = 2}};
  Connection conn_{db_};
};

TEST_F(QueryPaging, FirstPageAndMetadata) {
  QueryPage page = page_of(1, 100);
  EXPECT_EQ(page.total, 10000);
  EXPECT_EQ(page.page, 1);
  EXPECT_EQ(page.per_page, 100);
  EXPECT_GE(page.execution_ms, 0.0);
  ASSERT_EQ(page.columns.size(), 2u);
  EXPECT_EQ(page.columns[0].name, "id");
  EXPECT_EQ(page.columns[0].type, "BIGINT");
  EXPECT_EQ(page.columns[1].type, "VARCHAR");
  expect_slice(page, 0, 100);
  EXPECT_EQ(page.rows[0].dump(), R"({"id":9999,"name":"n9999"})");  // keys in column order
}

TEST_F(QueryPaging, PagesAcrossChunkBoundariesAreExactSlices) {
  expect_slice(page_of(3, 1000), 2000, 1000);  // spans the 2048-row chunk boundary
  expect_slice(page_of(2049, 1), 2048, 1);
  expect_slice(page_of(2, 4096), 4096, 4096);
}

TEST_F(QueryPaging, LastPageIsPartialAndPastTheEndIsEmpty) {
  QueryPage last = page_of(34, 300);  // rows 9900..9999
  EXPECT_EQ(last.total, 10000);
  expect_slice(last, 9900, 100);
  QueryPage past = page_of(35, 300);
  EXPECT_EQ(past.total, 10000);
  EXPECT_TRUE(past.rows.is_array());
  EXPECT_TRUE(past.rows.empty());
  QueryPage far = run_user_query(conn_, kQuery, {INT64_MAX, INT64_MAX}, kLimit);
  EXPECT_EQ(far.total, 10000);
  EXPECT_TRUE(far.rows.empty());
}

TEST_F(QueryPaging, PerPageOneAndEmptyResults) {
  QueryPage one = page_of(10000, 1);
  expect_slice(one, 9999, 1);
  EXPECT_EQ(one.rows[0]["id"], 0);
  QueryPage none = run_user_query(conn_, "SELECT 1 AS x WHERE false", {1, 10}, kLimit);
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.rows.dump(), "[]");
  ASSERT_EQ(none.columns.size(), 1u);
  EXPECT_EQ(none.columns[0].name, "x");
}

TEST_F(QueryPaging, RejectsPagesBelowOne) {
  EXPECT_NE(error_of([&] { page_of(0, 10); }, ErrorCode::InvalidArgument).find("page 0"), std::string::npos);
  EXPECT_NE(error_of([&] { page_of(1, 0); }, ErrorCode::InvalidArgument).find("per_page 0"), std::string::npos);
}

TEST_F(QueryPaging, RepeatedColumnNamesGetSuffixes) {
  QueryPage page = run_user_query(conn_, "SELECT 1 AS a, 2 AS a, 3 AS a_2, 4 AS a, 5 AS b", {}, kLimit);
  std::vector<std::string> names;
  for (const auto& column : page.columns) names.push_back(column.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a_3", "a_2", "a_4", "b"}));
  EXPECT_EQ(page.rows[0].dump(), R"({"a":1,"a_3":2,"a_2":3,"a_4":4,"b":5})");
}

}  // namespace
}  // namespace superstore::query
