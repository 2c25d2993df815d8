#include "common/types.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "common/error.h"

namespace superstore {
namespace {

TEST(Types, ParsesEveryTypeNameInAnyCase) {
  for (auto t : {ColumnType::Int16, ColumnType::Int32, ColumnType::Int64, ColumnType::Float64, ColumnType::String,
                 ColumnType::Boolean, ColumnType::Timestamp, ColumnType::Date}) {
    EXPECT_EQ(parse_column_type(type_name(t)), t);
  }
  EXPECT_EQ(parse_column_type("int64"), ColumnType::Int64);
  EXPECT_EQ(parse_column_type("STRING"), ColumnType::String);
}

TEST(Types, UnknownTypeNamesTheAllowedOnes) {
  try {
    parse_column_type("Decimal");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Decimal"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Timestamp"), std::string::npos);
  }
}

TEST(Types, ParsesColumnLists) {
  auto cols = parse_column_list("id:Int64, dept : String,ts:timestamp");
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0], (ColumnDef{"id", ColumnType::Int64}));
  EXPECT_EQ(cols[1], (ColumnDef{"dept", ColumnType::String}));
  EXPECT_EQ(cols[2], (ColumnDef{"ts", ColumnType::Timestamp}));
  EXPECT_THROW(parse_column_list("id"), Error);
  EXPECT_THROW(parse_column_list(""), Error);
  EXPECT_THROW(parse_column_list("a b:Int64"), Error);
}

TEST(Types, IdentifiersRejectPathAndSqlCharacters) {
  EXPECT_NO_THROW(validate_identifier("fake_users", "table name"));
  EXPECT_NO_THROW(validate_identifier("_x9", "table name"));
  for (const char* bad : {"", "9a", "a-b", "../x", "a/b", "a b", "a;drop", "é"}) {
    EXPECT_THROW(validate_identifier(bad, "table name"), Error) << bad;
  }
  EXPECT_THROW(validate_identifier(std::string(129, 'a'), "table name"), Error);
}

TEST(Types, PartitionableTypes) {
  EXPECT_TRUE(can_partition_by(ColumnType::String));
  EXPECT_TRUE(can_partition_by(ColumnType::Int32));
  EXPECT_TRUE(can_partition_by(ColumnType::Boolean));
  EXPECT_TRUE(can_partition_by(ColumnType::Date));
  EXPECT_FALSE(can_partition_by(ColumnType::Float64));
  EXPECT_FALSE(can_partition_by(ColumnType::Timestamp));
}

TEST(Types, FormatsTimestampsAndDates) {
  EXPECT_EQ(format_timestamp_us(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp_us(1704103200000000), "2024-01-01T10:00:00Z");
  EXPECT_EQ(format_timestamp_us(1577866150001000), "2020-01-01T08:09:10.001Z");
  EXPECT_EQ(format_timestamp_us(1637202600123456), "2021-11-18T02:30:00.123456Z");
  EXPECT_EQ(format_timestamp_us(-31536000000000), "1969-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp_us(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_date_days(0), "1970-01-01");
  EXPECT_EQ(format_date_days(static_cast<int32_t>(days_from_civil(2021, 9, 8))), "2021-09-08");
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
}

TEST(Types, FormatsDatesAcrossTheWholeDateRange) {
  EXPECT_EQ(format_date_days(-1), "1969-12-31");
  EXPECT_EQ(format_date_days(59), "1970-03-01");
  EXPECT_EQ(format_date_days(-719528), "0000-01-01");
  EXPECT_EQ(format_date_days(-438292), "0769-12-31");
  EXPECT_EQ(format_date_days(2932897), "10000-01-01");
  // DuckDB's last and first finite dates, beyond std::chrono's years -32767 to 32767.
  EXPECT_EQ(format_date_days(2147483646), "5881580-07-10");
  EXPECT_EQ(format_date_days(-2147483647), "-5877641-06-24");
  for (int y : {-400, -1, 0, 1, 1600, 1900, 2000, 2024, 2100, 9999}) {
    for (unsigned m : {1u, 2u, 3u, 12u}) {
      char expected[32];
      std::snprintf(expected, sizeof expected, "%04d-%02u-01", y, m);
      EXPECT_EQ(format_date_days(static_cast<int32_t>(days_from_civil(y, m, 1))), expected);
    }
  }
  EXPECT_EQ(format_timestamp_us(-62167219200000000), "0000-01-01T00:00:00Z");
}

}  // namespace
}  // namespace superstore
