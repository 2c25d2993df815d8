#include "common/columns.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace superstore {
namespace {

TEST(Columns, StringsAndNullsKeepTheirRows) {
  Column c(ColumnType::String);
  c.push_string("alpha");
  c.push_string("");
  c.push_null();
  c.push_string("gamma");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c.string_at(0), "alpha");
  EXPECT_EQ(c.string_at(1), "");
  EXPECT_TRUE(c.is_null(2));
  EXPECT_FALSE(c.is_null(1));
  EXPECT_EQ(c.string_at(3), "gamma");
}

TEST(Columns, NullsAfterValuesAndIntsAfterNulls) {
  Column c(ColumnType::Int64);
  EXPECT_FALSE(c.has_nulls());
  c.push_int(7);
  c.push_null();
  c.push_int(-3);
  EXPECT_TRUE(c.has_nulls());
  EXPECT_EQ(c.int_at(0), 7);
  EXPECT_FALSE(c.is_null(0));
  EXPECT_TRUE(c.is_null(1));
  EXPECT_EQ(c.int_at(2), -3);
  EXPECT_FALSE(c.is_null(2));
}

TEST(Columns, BulkValuesEqualValuesPushedOneByOne) {
  const int32_t narrow[] = {-5, 0, 2147483647};
  Column bulk(ColumnType::Int32), single(ColumnType::Int32);
  bulk.push_null();  // rows appended in bulk after a null are valid rows
  single.push_null();
  bulk.append_values(narrow, 3);
  for (int32_t v : narrow) single.push_int(v);
  ASSERT_EQ(bulk.size(), 4u);
  EXPECT_EQ(bulk.ints(), single.ints());
  for (size_t r = 0; r < 4; ++r) EXPECT_EQ(bulk.is_null(r), r == 0) << r;

  const double reals[] = {1.5, -0.0, 1e300};
  Column doubles(ColumnType::Float64);
  doubles.append_values(reals, 3);
  EXPECT_EQ(doubles.doubles(), (std::vector<double>{1.5, -0.0, 1e300}));
  EXPECT_FALSE(doubles.has_nulls());
}

TEST(Columns, BulkStringsEqualStringsPushedOneByOne) {
  const std::vector<std::string> values = {"", "a", "twelve bytes", "thirteen byte", std::string(300, 'x'), ""};
  Column bulk(ColumnType::String), single(ColumnType::String);
  bulk.push_string("first");
  single.push_string("first");
  bulk.push_null();  // strings appended in bulk after a null are valid rows
  single.push_null();
  bulk.append_strings(values.size(), [&](size_t i) { return std::string_view(values[i]); });
  for (const auto& v : values) single.push_string(v);
  bulk.append_strings(0, [&](size_t i) { return std::string_view(values.at(i)); });  // nothing, harmlessly
  ASSERT_EQ(bulk.size(), single.size());
  EXPECT_EQ(bulk.chars(), single.chars());
  for (size_t r = 0; r < bulk.size(); ++r) {
    EXPECT_EQ(bulk.is_null(r), r == 1) << r;
    if (r != 1) {
      EXPECT_EQ(bulk.string_at(r), single.string_at(r)) << r;
    }
  }
}

TEST(Columns, AppendKeepsValuesAndNullsOfBothSides) {
  Column a(ColumnType::String), b(ColumnType::String), c(ColumnType::String);
  a.push_string("x");
  b.push_null();
  b.push_string("yz");
  a.append(b);  // nulls arrive in a column that had none
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.string_at(0), "x");
  EXPECT_TRUE(a.is_null(1));
  EXPECT_EQ(a.string_at(2), "yz");
  c.push_string("last");
  a.append(c);  // a column without nulls arrives in one that has some
  ASSERT_EQ(a.size(), 4u);
  EXPECT_FALSE(a.is_null(3));
  EXPECT_EQ(a.string_at(3), "last");

  Column ints(ColumnType::Int64), more(ColumnType::Int64);
  ints.push_int(1);
  more.push_int(2);
  more.push_int(3);
  ints.append(more);
  EXPECT_EQ(ints.ints(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_FALSE(ints.has_nulls());
  EXPECT_THROW(ints.append(a), Error);
}

TEST(Columns, TakeGathersRowsInTheGivenOrder) {
  ColumnBatch b({{"id", ColumnType::Int64}, {"name", ColumnType::String}, {"score", ColumnType::Float64}});
  const char* names[] = {"a", "", "ccc", "dd"};
  for (int i = 0; i < 4; ++i) {
    b[0].push_int(i * 10);
    i == 2 ? b[1].push_null() : b[1].push_string(names[i]);
    b[2].push_double(i + 0.5);
  }
  const std::vector<uint64_t> rows{3, 2, 0, 3};
  ColumnBatch t = b.take(rows);
  ASSERT_EQ(t.rows(), 4u);
  EXPECT_EQ(t.schema, b.schema);
  EXPECT_EQ(t[0].ints(), (std::vector<int64_t>{30, 20, 0, 30}));
  EXPECT_EQ(t[1].string_at(0), "dd");
  EXPECT_TRUE(t[1].is_null(1));
  EXPECT_EQ(t[1].string_at(2), "a");
  EXPECT_EQ(t[1].string_at(3), "dd");
  EXPECT_FALSE(t[1].is_null(3));
  EXPECT_EQ(t[1].chars(), "ddadd");
  EXPECT_EQ(t[2].doubles(), (std::vector<double>{3.5, 2.5, 0.5, 3.5}));
  EXPECT_FALSE(t[0].has_nulls());
  EXPECT_EQ(b.take({}).rows(), 0u);
}

// A run of consecutive rows takes the bulk-copy path; it must give what the gather gives.
TEST(Columns, TakeOfConsecutiveRowsEqualsTheGather) {
  ColumnBatch b({{"id", ColumnType::Int64}, {"name", ColumnType::String}, {"score", ColumnType::Float64}});
  for (int i = 0; i < 6; ++i) {
    b[0].push_int(i);
    i == 3 ? b[1].push_null() : b[1].push_string(std::string(static_cast<size_t>(i), 'x'));
    b[2].push_double(i * 1.5);
  }
  const std::vector<uint64_t> run{2, 3, 4}, gathered{4, 3, 2};
  ColumnBatch t = b.take(run), g = b.take(gathered);
  ASSERT_EQ(t.rows(), 3u);
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(t[0].int_at(r), g[0].int_at(2 - r));
    EXPECT_EQ(t[1].is_null(r), g[1].is_null(2 - r));
    EXPECT_EQ(t[1].string_at(r), g[1].string_at(2 - r));
    EXPECT_EQ(t[2].double_at(r), g[2].double_at(2 - r));
  }
  EXPECT_EQ(t[1].chars(), "xxxxxx");  // rows 2 and 4; the null in between holds no bytes
  EXPECT_TRUE(t[1].is_null(1));
  EXPECT_EQ(b.take(std::vector<uint64_t>{5})[1].string_at(0), "xxxxx");

  b[1].clear();
  EXPECT_EQ(b[1].size(), 0u);
  EXPECT_FALSE(b[1].has_nulls());
  b[1].push_string("again");
  EXPECT_EQ(b[1].string_at(0), "again");
  EXPECT_EQ(b[1].chars(), "again");
}

TEST(Columns, BatchFindsColumnsByName) {
  ColumnBatch b({{"id", ColumnType::Int64}, {"name", ColumnType::String}});
  b[0].push_int(1);
  b[1].push_string("x");
  EXPECT_EQ(b.rows(), 1u);
  EXPECT_EQ(b.index_of("name"), 1u);
  EXPECT_THROW(b.index_of("nope"), Error);
}

}  // namespace
}  // namespace superstore
