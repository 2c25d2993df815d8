// compute_batch_stats (C++, rows in memory) against compute_file_stats (DuckDB SQL over the same rows in
// a table): the two must agree on every figure, for every column type, NULLs and awkward values included.
#include "storage/file_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

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

// Columns with many distinct values, past the small cached table, so that values are counted bucket by
// bucket: large integer and timestamp domains with repeats (the value -1 among them), columns in order,
// doubles, and strings that share their first 8 bytes or differ only after them, with NULLs.
TEST(BatchStats, AgreeWithSqlOnManyDistinctValues) {
  std::mt19937_64 rng(7);
  ColumnBatch b(kAll);
  const size_t rows = 70'000;
  for (size_t r = 0; r < rows; ++r) {
    const bool null = rng() % 50 == 0;
    const uint64_t x = rng() % 40'000;  // about 35,000 distinct values among 70,000 rows
    for (size_t c = 0; c < kAll.size(); ++c) {
      if (null && c != 0) {
        b[c].push_null();
        continue;
      }
      switch (kAll[c].type) {
        case ColumnType::String: {
          std::string v = (x % 3 == 0 ? "shared-prefix-" : (x % 3 == 1 ? "shared-p" : "")) + std::to_string(x);
          if (x % 7 == 0) v += "\xc3\xa9";  // é: bytes above 0x7f
          b[c].push_string(v);
          break;
        }
        case ColumnType::Float64:
          b[c].push_double(static_cast<double>(x) / 8 - 1000);
          break;
        case ColumnType::Boolean:
          b[c].push_bool(x % 2);
          break;
        case ColumnType::Int16:
          b[c].push_int(static_cast<int64_t>(x % 30'000) - 15'000);
          break;
        case ColumnType::Int64:
          b[c].push_int(static_cast<int64_t>(r / 3));
          break;  // in order, no NULL
        case ColumnType::Timestamp:
          b[c].push_int(static_cast<int64_t>(x * 1'000'003) - 7'000'000'000);
          break;
        default:
          b[c].push_int(static_cast<int64_t>(x) - 20'000);
          break;  // -1 included
      }
    }
  }
  FileStats ours = compute_batch_stats(b);
  expect_same(ours, through_sql(b));
  EXPECT_EQ(ours.distinct_count["i64"], static_cast<int64_t>((rows + 2) / 3));
  EXPECT_GT(ours.distinct_count["s"], 30'000);
}

// Integer columns whose values span a narrow range are counted in a bitmap of that range, wider ones by
// hashing: the two meet at ranges of 16 values a row, and a range as wide as int64 must not wrap into a
// narrow one.
TEST(BatchStats, IntegerRangesNarrowWideAndAtTheExtremesAreCountedExactly) {
  const std::vector<ColumnDef> defs = {{"narrow", ColumnType::Int64}, {"edge", ColumnType::Int64},
                                       {"wide", ColumnType::Int64},   {"extreme", ColumnType::Int64},
                                       {"days", ColumnType::Date},    {"small", ColumnType::Int16}};
  std::mt19937_64 rng(11);
  ColumnBatch b(defs);
  const int64_t rows = 4'000;
  for (int64_t r = 0; r < rows; ++r) {
    b[0].push_int(-50 + static_cast<int64_t>(rng() % 100));
    b[1].push_int(r % 2 ? 0 : 16 * rows - 1 - static_cast<int64_t>(rng() % 7));  // range just under 16 a row
    b[2].push_int(static_cast<int64_t>(rng() % (17 * rows)) * 3);
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
    const int64_t extremes[] = {kMin, kMin + 1, kMax, kMax - 1, -1, 0};
    b[3].push_int(extremes[rng() % std::size(extremes)]);
    b[4].push_int(-400 + static_cast<int64_t>(rng() % 800));
    if (r % 10 == 0) {
      b[5].push_null();
    } else {
      b[5].push_int(std::numeric_limits<int16_t>::min() + static_cast<int64_t>(rng() % 5));
    }
  }
  FileStats ours = compute_batch_stats(b);
  expect_same(ours, through_sql(b));
  EXPECT_EQ(ours.distinct_count["narrow"], 100);
  EXPECT_EQ(ours.distinct_count["extreme"], 6);
  EXPECT_EQ(ours.distinct_count["small"], 5);
}

// Distinct strings that differ in one byte only, at every place around the 8-byte prefixes that min and
// max compare first, or only in trailing zero bytes (which a zero-padded word does not show), and each
// seen many times: counted exactly, as DuckDB counts them.
TEST(BatchStats, DistinctStringsDifferingInOneByteAreCountedApart) {
  ColumnBatch b({{"s", ColumnType::String}});
  std::set<std::string> distinct;
  for (int repeat = 0; repeat < 3; ++repeat) {
    for (size_t length = 0; length <= 25; ++length) {
      const std::string base(length, 'x');
      std::vector<std::string> values = {base, base + std::string(1, '\0'), base + std::string(2, '\0')};
      for (size_t at = 0; at < length; ++at) {
        std::string v = base;
        v[at] = 'y';
        values.push_back(v);
      }
      for (const auto& v : values) {
        b[0].push_string(v);
        distinct.insert(v);
      }
    }
  }
  FileStats ours = compute_batch_stats(b);
  expect_same(ours, through_sql(b));
  EXPECT_EQ(ours.distinct_count["s"], static_cast<int64_t>(distinct.size()));
}

// Strings whose order is decided by their length, a zero byte, bytes above 0x7f or bytes past the 8th.
TEST(BatchStats, StringMinAndMaxFollowByteOrder) {
  const std::vector<std::vector<std::string>> cases = {
      {"abcdefgh", "abcdefg", "abcdefghi"},
      {std::string("ab\0", 3), "ab", std::string("ab\0\0", 4)},
      {"\xc3\xa9", "\x7f", "zzzzzzzzzzzz", "\xf4\x8f\xbf\xbf"},
      {"same-8b-X", "same-8b-A", "same-8b-", "same-8b-AA"},
      {"", "a", std::string(1, '\0')},
  };
  for (const auto& values : cases) {
    ColumnBatch b({{"s", ColumnType::String}});
    for (const auto& v : values) b[0].push_string(v);
    FileStats ours = compute_batch_stats(b);
    expect_same(ours, through_sql(b));
    EXPECT_EQ(ours.min_values["s"], *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(ours.max_values["s"], *std::max_element(values.begin(), values.end()));
  }
}

}  // namespace
}  // namespace superstore::storage
