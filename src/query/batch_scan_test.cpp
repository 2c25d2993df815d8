#include "query/batch_scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "query/appender.h"
#include "query/test_support.h"
#include "support/temp_folder.h"

namespace superstore::query {
namespace {

using testing::error_of;

using testing::create_table_sql;
using testing::kAllTypes;
using testing::open_plain;

// 5,000 rows (more than one DuckDB vector), every 11th NULL in every column, strings short and long.
ColumnBatch sample_rows() {
  ColumnBatch b(kAllTypes);
  for (int64_t i = 0; i < 5'000; ++i) {
    if (i % 11 == 5) {
      for (auto& c : b.columns) c.push_null();
      continue;
    }
    b[0].push_int(i % 30'000 - 15'000), b[1].push_int(i * 1000 - 7), b[2].push_int(i * 1'000'000'007);
    b[3].push_double(static_cast<double>(i) / 3),
        b[4].push_string(i % 2 ? "s" + std::to_string(i) : std::string(40, 'x'));
    b[5].push_bool(i % 3 == 0), b[6].push_int(1'700'000'000'000'000 - i * 999), b[7].push_int(19'000 - i);
  }
  return b;
}

TEST(BatchScan, ReadsTheBatchInOrderAsTheAppenderStoresIt) {
  Database db = open_plain();
  Connection conn(db);
  ColumnBatch batch = sample_rows();
  std::vector<ColumnDef> with_numbers = kAllTypes;
  with_numbers.push_back({"n", ColumnType::Int64});
  conn.execute(create_table_sql("appended", with_numbers));
  ColumnBatch numbers({{"n", ColumnType::Int64}});
  for (int64_t i = 0; i < 5'000; ++i) numbers[0].push_int(i);
  Appender app(conn, "appended");
  app.append(batch, &numbers);
  app.close();

  BatchScan scan(conn, batch);
  Result r =
      conn.execute("SELECT count(*) FROM (SELECT *, row_number() OVER () - 1 AS n FROM " + scan.sql() +
                   ") s FULL JOIN appended a USING (n) WHERE s.i64 IS DISTINCT FROM a.i64 OR s.s IS DISTINCT "
                   "FROM a.s OR s.ts IS DISTINCT FROM a.ts OR s.d IS DISTINCT FROM a.d OR s.f64 IS DISTINCT FROM "
                   "a.f64 OR s.b IS DISTINCT FROM a.b OR s.i16 IS DISTINCT FROM a.i16 OR s.i32 IS DISTINCT FROM a.i32");
  EXPECT_EQ(r.get_int64(0, 0), 0);
  Result types = conn.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + scan.sql() + ")");
  ASSERT_EQ(types.row_count(), kAllTypes.size());
  EXPECT_EQ(types.get_string(1, 6), "TIMESTAMP WITH TIME ZONE");
}

TEST(BatchScan, CopiesToParquetInBatchOrder) {
  TempFolder dir;
  Database db = open_plain();
  Connection conn(db);
  ColumnBatch batch = sample_rows();
  const std::string file = quote_literal(dir.file("rows.parquet"));
  {
    BatchScan scan(conn, batch);
    conn.execute("COPY (SELECT * FROM " + scan.sql() + ") TO " + file + " (FORMAT parquet)");
  }
  Result r =
      conn.execute("SELECT count(*), count(i64), bool_and(i64 = file_row_number * 1000000007) FROM read_parquet(" +
                   file + ", file_row_number = true)");
  EXPECT_EQ(r.get_int64(0, 0), 5'000);
  EXPECT_EQ(r.get_int64(1, 0), 5'000 - 455);
  EXPECT_TRUE(r.get_bool(2, 0));
}

TEST(BatchScan, WorksOnEveryDatabaseAndForgetsABatchOnceDone) {
  Database a = open_plain(), b = open_plain();
  Connection ca(a), cb(b);
  ColumnBatch batch = sample_rows();
  std::string sql;
  {
    BatchScan on_a(ca, batch), on_b(cb, batch);
    EXPECT_NE(on_a.sql(), on_b.sql());
    EXPECT_EQ(ca.execute("SELECT count(*) FROM " + on_b.sql()).get_int64(0, 0), 5'000);
    EXPECT_EQ(cb.execute("SELECT count(*) FROM " + on_a.sql()).get_int64(0, 0), 5'000);
    sql = on_a.sql();
  }
  std::string message = error_of([&] { ca.execute("SELECT count(*) FROM " + sql); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("no batch is registered"), std::string::npos) << message;
}

TEST(BatchScan, ANarrowValueThatDoesNotFitIsRefused) {
  Database db = open_plain();
  Connection conn(db);
  ColumnBatch batch({{"small", ColumnType::Int16}});
  batch[0].push_int(40'000);
  std::string message = error_of([&] { BatchScan scan(conn, batch); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("'small'"), std::string::npos) << message;
}

}  // namespace
}  // namespace superstore::query
