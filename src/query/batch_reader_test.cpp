#include "query/batch_reader.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "query/appender.h"
#include "query/test_support.h"

namespace superstore::query {
namespace {

using testing::create_table_sql;
using testing::kAllTypes;
using testing::open_plain;

// Every type, nulls in every column, strings inline (≤ 12 bytes) and not, over several DuckDB chunks.
ColumnBatch rows_of_all_types(int64_t n) {
  ColumnBatch b(kAllTypes);
  for (int64_t i = 0; i < n; ++i) {
    if (i % 7 == 3) {
      for (auto& c : b.columns) c.push_null();
      continue;
    }
    b[0].push_int(i % 30'000 - 15'000), b[1].push_int(i * 1000 - 7), b[2].push_int(i * 1'000'000'007);
    b[3].push_double(static_cast<double>(i) / 3);
    b[4].push_string(i % 2 ? "s" + std::to_string(i) : "a longer string than twelve bytes " + std::to_string(i));
    b[5].push_bool(i % 3 == 0), b[6].push_int(1'700'000'000'000'000 - i * 999), b[7].push_int(19'000 - i);
  }
  return b;
}

void expect_same_rows(const ColumnBatch& a, const ColumnBatch& b) {
  ASSERT_EQ(a.rows(), b.rows());
  for (size_t col = 0; col < a.columns.size(); ++col) {
    for (size_t row = 0; row < a.rows(); ++row) {
      const Column &x = a[col], &y = b[col];
      ASSERT_EQ(x.is_null(row), y.is_null(row)) << a.schema[col].name << " row " << row;
      if (x.is_null(row)) continue;
      if (x.type() == ColumnType::String) {
        ASSERT_EQ(x.string_at(row), y.string_at(row)) << a.schema[col].name << " row " << row;
      } else if (x.type() == ColumnType::Float64) {
        ASSERT_EQ(x.double_at(row), y.double_at(row)) << a.schema[col].name << " row " << row;
      } else {
        ASSERT_EQ(x.int_at(row), y.int_at(row)) << a.schema[col].name << " row " << row;
      }
    }
  }
}

TEST(BatchReader, ReadsBackWhatTheAppenderStored) {
  Database db = open_plain();
  Connection conn(db);
  const ColumnBatch stored = rows_of_all_types(10'000);
  conn.execute(create_table_sql("t", kAllTypes));
  Appender app(conn, "t");
  app.append(stored);
  app.close();

  ColumnBatch read(kAllTypes);
  int chunks = 0;
  read_batches(conn, "SELECT * FROM t ORDER BY rowid", read, [&](ColumnBatch& rows) {
    ++chunks;
    EXPECT_LE(rows.rows(), static_cast<size_t>(chunks) * 2048);
  });
  EXPECT_GE(chunks, 5);
  expect_same_rows(stored, read);
}

// Vectors whose validity bitset marks every row valid are copied in bulk, others row by row: nulls only in
// some chunks, one at the end of a 64-row word and one in the last, partial word of the last chunk, must
// all land where they were.
TEST(BatchReader, ChunksWithAndWithoutNullsReadTheSameRowsAsStored) {
  Database db = open_plain();
  Connection conn(db);
  const std::vector<ColumnDef> defs = {{"n", ColumnType::Int64}, {"s", ColumnType::String}, {"d", ColumnType::Float64}};
  const int64_t rows = 10'000;  // the last chunk holds 10,000 - 4 * 2,048 = 1,808 rows: 28 words and 16 bits
  auto null_at = [&](int64_t i) { return (i >= 3'000 && i < 3'100) || i == 4'096 + 63 || i == rows - 3; };
  ColumnBatch stored(defs);
  for (int64_t i = 0; i < rows; ++i) {
    if (null_at(i)) {
      for (auto& c : stored.columns) c.push_null();
      continue;
    }
    stored[0].push_int(i * 7);
    stored[1].push_string(i % 3 == 0 ? "" : i % 3 == 1 ? "s" + std::to_string(i) : std::string(13 + i % 40, 'a'));
    stored[2].push_double(static_cast<double>(i) / 8);
  }
  conn.execute(create_table_sql("t", defs));
  Appender app(conn, "t");
  app.append(stored);
  app.close();
  ColumnBatch read(defs);
  read_batches(conn, "SELECT * FROM t ORDER BY rowid", read, [](ColumnBatch&) {});
  expect_same_rows(stored, read);
}

TEST(BatchReader, TheCallerMayTakeTheRowsAwayAfterEachChunk) {
  Database db = open_plain();
  Connection conn(db);
  ColumnBatch into({{"n", ColumnType::Int64}});
  int64_t sum = 0, rows = 0;
  read_batches(conn, "SELECT range AS n FROM range(100000)", into, [&](ColumnBatch& b) {
    for (size_t r = 0; r < b.rows(); ++r) sum += b[0].int_at(r);
    rows += static_cast<int64_t>(b.rows());
    b = ColumnBatch(b.schema);
  });
  EXPECT_EQ(rows, 100'000);
  EXPECT_EQ(sum, 99'999LL * 100'000 / 2);
}

TEST(BatchReader, AFailurePartWayThroughTheRowsThrowsAfterTheRowsBeforeIt) {
  Database db = open_plain();
  Connection conn(db);
  ColumnBatch into({{"n", ColumnType::Int32}});
  // The cast fails at row 50,000: the rows before it arrive, then the error.
  const std::string message = testing::error_of(
      [&] {
        read_batches(conn,
                     "SELECT CAST(CASE WHEN range < 50000 THEN range::VARCHAR ELSE 'x' END AS INTEGER) FROM "
                     "range(60000)",
                     into, [](ColumnBatch&) {});
      },
      ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("'x'"), std::string::npos) << message;
  EXPECT_LE(into.rows(), 50'000u);
}

TEST(BatchReader, ColumnsOfOtherTypesOrCountsAreRefused) {
  Database db = open_plain();
  Connection conn(db);
  ColumnBatch ints({{"n", ColumnType::Int64}});
  EXPECT_THROW(read_batches(conn, "SELECT 'text' AS n", ints, [](ColumnBatch&) {}), Error);
  EXPECT_THROW(read_batches(conn, "SELECT 1::BIGINT, 2::BIGINT", ints, [](ColumnBatch&) {}), Error);
  EXPECT_THROW(read_batches(conn, "SELECT * FROM no_such_table", ints, [](ColumnBatch&) {}), Error);
  EXPECT_EQ(ints.rows(), 0u);
}

}  // namespace
}  // namespace superstore::query
