#include "query/appender.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "query/test_support.h"

namespace superstore::query {
namespace {

using testing::error_of;

using testing::create_table_sql;
using testing::kAllTypes;
using testing::open_plain;

TEST(QueryAppender, RoundTripsEveryColumnTypeWithNulls) {
  Database db = open_plain();
  Connection conn(db);
  conn.execute(create_table_sql("t", kAllTypes));
  ColumnBatch batch(kAllTypes);
  // Row 0: extremes; row 1: all NULL; row 2: ordinary values, including a string too long to inline.
  batch[0].push_int(-32768), batch[1].push_int(2147483647), batch[2].push_int(INT64_MIN + 1);
  batch[3].push_double(-0.5), batch[4].push_string("héllo"), batch[5].push_bool(true);
  batch[6].push_int(-1), batch[7].push_int(-1);
  for (auto& column : batch.columns) column.push_null();
  batch[0].push_int(7), batch[1].push_int(-8), batch[2].push_int(9'000'000'000);
  batch[3].push_double(1e300), batch[4].push_string("a string well beyond twelve bytes"), batch[5].push_bool(false);
  batch[6].push_int(1'704'103'200'123'456), batch[7].push_int(19'723);

  Appender appender(conn, "t");
  appender.append(batch);
  appender.close();

  Result r =
      conn.execute("SELECT i16, i32, i64, f64, s, b, epoch_us(ts), d::VARCHAR, ts FROM t ORDER BY i16 NULLS LAST");
  ASSERT_EQ(r.row_count(), 3u);
  EXPECT_EQ(r.get_int64(0, 0), -32768);
  EXPECT_EQ(r.get_int64(1, 0), 2147483647);
  EXPECT_EQ(r.get_int64(2, 0), INT64_MIN + 1);
  EXPECT_EQ(r.get_double(3, 0), -0.5);
  EXPECT_EQ(r.get_string(4, 0), "héllo");
  EXPECT_TRUE(r.get_bool(5, 0));
  EXPECT_EQ(r.get_int64(6, 0), -1);
  EXPECT_EQ(r.get_string(7, 0), "1969-12-31");
  EXPECT_EQ(r.get_int64(0, 1), 7);
  EXPECT_EQ(r.get_int64(1, 1), -8);
  EXPECT_EQ(r.get_int64(2, 1), 9'000'000'000);
  EXPECT_EQ(r.get_double(3, 1), 1e300);
  EXPECT_EQ(r.get_string(4, 1), "a string well beyond twelve bytes");
  EXPECT_FALSE(r.get_bool(5, 1));
  EXPECT_EQ(r.get_int64(6, 1), 1'704'103'200'123'456);
  EXPECT_EQ(r.get_string(7, 1), "2024-01-01");
  EXPECT_EQ(r.value_as_json(8, 1), "2024-01-01T10:00:00.123456Z");
  for (size_t col = 0; col < kAllTypes.size(); ++col) EXPECT_TRUE(r.is_null(col, 2)) << kAllTypes[col].name;
}

TEST(QueryAppender, MismatchedSchemaIsRefusedWithTheColumnNamed) {
  Database db = open_plain();
  Connection conn(db);
  conn.execute("CREATE TABLE t (id BIGINT, name VARCHAR)");
  Appender appender(conn, "t");

  ColumnBatch wrong_type({{"id", ColumnType::Int64}, {"name", ColumnType::Int32}});
  wrong_type[0].push_int(1), wrong_type[1].push_int(2);
  std::string message = error_of([&] { appender.append(wrong_type); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("'name' is Int32 in the batch but VARCHAR"), std::string::npos) << message;

  ColumnBatch too_few({{"id", ColumnType::Int64}});
  too_few[0].push_int(1);
  message = error_of([&] { appender.append(too_few); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("1 columns but table t has 2"), std::string::npos) << message;

  appender.close();
  EXPECT_EQ(conn.execute("SELECT count(*) FROM t").get_int64(0, 0), 0);
  error_of([&] { Appender(conn, "no_such_table"); }, ErrorCode::NotFound);
}

TEST(QueryAppender, OutOfRangeNarrowValueRejectsTheWholeBatch) {
  Database db = open_plain();
  Connection conn(db);
  conn.execute("CREATE TABLE t (small SMALLINT)");
  ColumnBatch batch({{"small", ColumnType::Int16}});
  for (int i = 0; i < 5000; ++i) batch[0].push_int(i == 4000 ? 40000 : i);
  Appender appender(conn, "t");
  std::string message = error_of([&] { appender.append(batch); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("value 40000 in row 4000 of column 'small' does not fit Int16"), std::string::npos) << message;
  appender.close();
  EXPECT_EQ(conn.execute("SELECT count(*) FROM t").get_int64(0, 0), 0);
}

TEST(QueryAppender, MillionRowsArriveIntactAndFast) {
  Database db = open_plain();
  Connection conn(db);
  const std::vector<ColumnDef> schema = {{"id", ColumnType::Int64},           {"amount", ColumnType::Float64},
                                         {"dept", ColumnType::String},        {"flag", ColumnType::Boolean},
                                         {"happened", ColumnType::Timestamp}, {"qty", ColumnType::Int32}};
  conn.execute(create_table_sql("big", schema));
  const int64_t rows = 1'000'000;
  ColumnBatch batch(schema);
  for (auto& column : batch.columns) column.reserve(rows);
  const char* depts[] = {"sales", "engineering and research", "ops"};
  for (int64_t i = 0; i < rows; ++i) {
    batch[0].push_int(i);
    batch[1].push_double(static_cast<double>(i) * 0.5);
    batch[2].push_string(depts[i % 3]);
    if (i % 10 == 0)
      batch[3].push_null();
    else
      batch[3].push_bool(i % 2 == 0);
    batch[4].push_int(i * 1'000'000);
    batch[5].push_int(i % 1000);
  }

  // Informational only. CPU time is printed too because wall time suffers on a shared, busy machine.
  auto started = std::chrono::steady_clock::now();
  std::clock_t cpu_started = std::clock();
  Appender appender(conn, "big");
  appender.append(batch);
  appender.close();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  double cpu_seconds = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
  std::printf("[ appender ] %lld rows x %zu columns: %.3f s wall = %.1f M rows/s; %.3f s CPU = %.1f M rows/s\n",
              static_cast<long long>(rows), schema.size(), seconds, static_cast<double>(rows) / seconds / 1e6,
              cpu_seconds, static_cast<double>(rows) / cpu_seconds / 1e6);

  Result r = conn.execute(
      "SELECT count(*), sum(id), sum(amount), count(flag), count(*) FILTER (WHERE flag), "
      "count(*) FILTER (WHERE dept = 'engineering and research'), max(epoch_us(happened)), sum(qty) FROM big");
  EXPECT_EQ(r.get_int64(0, 0), rows);
  EXPECT_EQ(r.get_int64(1, 0), rows * (rows - 1) / 2);
  EXPECT_DOUBLE_EQ(r.get_double(2, 0), static_cast<double>(rows * (rows - 1)) * 0.25);
  EXPECT_EQ(r.get_int64(3, 0), rows - rows / 10);
  EXPECT_EQ(r.get_int64(4, 0), rows / 2 - rows / 10);
  EXPECT_EQ(r.get_int64(5, 0), rows / 3);
  EXPECT_EQ(r.get_int64(6, 0), (rows - 1) * 1'000'000);
  EXPECT_EQ(r.get_int64(7, 0), (rows / 1000) * (999 * 1000 / 2));
}

}  // namespace
}  // namespace superstore::query
