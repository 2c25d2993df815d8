// compute_batch_stats (C++, rows in memory) against compute_file_stats (DuckDB SQL over the same rows in
// a table): the two must agree on every figure, for every column type, NULLs and awkward values included.
#include "storage/file_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "query/appender.h"
#include "query/database.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

const std::vector<ColumnDef> kAll = {
    {"i64", ColumnType::Int64}, {"i32", ColumnType::Int32}, {"i16", ColumnType::Int16},    {"f64", ColumnType::Float64},
    {"s", ColumnType::String},  {"b", ColumnType::Boolean}, {"ts", ColumnType::Timestamp}, {"d", ColumnType::Date}};

// Random rows from small domains (so values repeat), with NULLs, empty strings, shared prefixes,
// negative zero, infinities and timestamps before 1970 and off whole milliseconds.
ColumnBatch random_rows(uint64_t seed, size_t rows, double null_share) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* words[] = {"", "a", "ab", "abc", "b", "Zebra", "zebra", "é", "ab\x01"};
  const double doubles[] = {0.0, -0.0, 1.5, -2.25, 1e300, std::numeric_limits<double>::infinity(), 3.0};
  ColumnBatch b(kAll);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < kAll.size(); ++c) {
      if (unit(rng) < null_share) {
        b[c].push_null();
        continue;
      }
      switch (kAll[c].type) {
        case ColumnType::String:
          b[c].push_string(words[rng() % std::size(words)]);
          break;
        case ColumnType::Float64:
          b[c].push_double(doubles[rng() % std::size(doubles)]);
          break;
        case ColumnType::Boolean:
          b[c].push_bool(rng() % 2);
          break;
        case ColumnType::Int16:
          b[c].push_int(static_cast<int64_t>(rng() % 200) - 100);
          break;
        case ColumnType::Timestamp:
          b[c].push_int(static_cast<int64_t>(rng() % 5'000'000'000) - 2'500'000'000);
          break;
        default:
          b[c].push_int(static_cast<int64_t>(rng() % (r + 1)) - 40);
          break;
      }
    }
  }
  return b;
}

FileStats through_sql(const ColumnBatch& batch) {
  query::Database db(testing::unsandboxed());
  query::Connection conn(db);
  std::string cols;
  for (const auto& c : batch.schema) {
    cols += (cols.empty() ? "" : ", ") + query::quote_identifier(c.name) + " " + std::string(duckdb_type_name(c.type));
  }
  conn.execute("CREATE TABLE t (" + cols + ")");
  query::Appender app(conn, "t");
  app.append(batch);
  app.close();
  return compute_file_stats(conn, "t", batch.schema);
}

void expect_same(const FileStats& ours, const FileStats& truth) {
  EXPECT_EQ(ours.num_records, truth.num_records);
  EXPECT_EQ(ours.min_values, truth.min_values);
  EXPECT_EQ(ours.max_values, truth.max_values);
  EXPECT_EQ(ours.null_count, truth.null_count);
  EXPECT_EQ(ours.distinct_count, truth.distinct_count);
}

TEST(BatchStats, AgreeWithSqlOnRandomRows) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    ColumnBatch b = random_rows(seed, 3'000, seed % 2 ? 0.1 : 0.0);
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_same(compute_batch_stats(b), through_sql(b));
  }
}

TEST(BatchStats, AgreeWithSqlWhenAColumnIsAllNull) {
  ColumnBatch b = random_rows(9, 50, 1.0);
  FileStats ours = compute_batch_stats(b);
  expect_same(ours, through_sql(b));
  EXPECT_EQ(ours.null_count["s"], 50);
  EXPECT_EQ(ours.distinct_count["s"], 0);
  EXPECT_FALSE(ours.min_values.contains("i64"));
}

TEST(BatchStats, NanIsTheMaxAndShownAsNone) {
  ColumnBatch b({{"f", ColumnType::Float64}});
  for (double d : {2.0, std::nan(""), -1.0, std::nan("")}) b[0].push_double(d);
  FileStats ours = compute_batch_stats(b);
  expect_same(ours, through_sql(b));
  EXPECT_EQ(ours.min_values["f"], -1.0);
  EXPECT_FALSE(ours.max_values.contains("f"));
  EXPECT_EQ(ours.distinct_count["f"], 3);
}

}  // namespace
}  // namespace superstore::storage
