// Reads the Delta tables Spark wrote (tests/data/delta-golden) through our log replay and scan SQL,
// and checks the rows their README says they hold.
#include <gtest/gtest.h>

#include "query/database.h"
#include "storage/delta_log.h"
#include "storage/scan_sql.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;

class GoldenTable : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(root() / "README.md"))
        << root() << " is missing: the golden tables are part of the repository (tests/data/delta-golden)";
  }
  static fs::path root() { return fs::path(SUPERSTORE_TESTDATA_DIR) / "delta-golden"; }

  // Runs `select` (with {t} standing for the table) over `table` as of `version`.
  query::Result read(const std::string& table, const std::string& select, std::optional<int64_t> version = {}) {
    DeltaLog log(store_, table);
    std::string scan = "(" + scan_sql(log.snapshot(version), root() / table) + ")";
    std::string sql = select;
    sql.replace(sql.find("{t}"), 3, scan);
    return conn_.execute(sql);
  }

  blob::LocalBlobStore store_{root()};
  query::Database db_{testing::unsandboxed()};
  query::Connection conn_{db_};
};

TEST_F(GoldenTable, Primitives) {
  auto r = read("data-reader-primitives", "SELECT count(*), count(as_int), sum(as_long), sum(as_double) FROM {t}");
  EXPECT_EQ(r.get_int64(0, 0), 11);
  EXPECT_EQ(r.get_int64(1, 0), 10);
  EXPECT_EQ(r.get_int64(2, 0), 45);
  EXPECT_DOUBLE_EQ(r.get_double(3, 0), 45.0);
}

TEST_F(GoldenTable, TypedPartitionValuesComeFromTheLog) {
  auto r =
      read("data-reader-partition-values",
           "SELECT as_int, as_long, as_boolean, as_double, as_string, as_string_lit_null, CAST(as_date AS VARCHAR), "
           "epoch_us(as_timestamp), CAST(as_big_decimal AS VARCHAR), value FROM {t} ORDER BY value");
  ASSERT_EQ(r.row_count(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r.get_int64(0, i), static_cast<int64_t>(i));
    EXPECT_EQ(r.get_int64(1, i), static_cast<int64_t>(i));
    EXPECT_EQ(r.get_bool(2, i), i == 0);
    EXPECT_DOUBLE_EQ(r.get_double(3, i), static_cast<double>(i));
    EXPECT_EQ(r.get_string(4, i), std::to_string(i));
    EXPECT_EQ(r.get_string(5, i), "null") << "the four-letter string, not a NULL";
    EXPECT_EQ(r.get_string(6, i), "2021-09-08");
    EXPECT_EQ(r.get_int64(7, i), 1631099471000000);
    EXPECT_EQ(r.get_string(8, i), std::to_string(i));
  }
  for (size_t c = 0; c < 9; ++c) EXPECT_TRUE(r.is_null(c, 2)) << "column " << c;
  EXPECT_EQ(r.get_string(9, 2), "2");
}

TEST_F(GoldenTable, SpecialCharactersInPartitionValues) {
  auto r = read("deltatbl-special-chars-in-partition-column", "SELECT c1, c2 FROM {t} ORDER BY c1");
  ASSERT_EQ(r.row_count(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r.get_int64(0, i), static_cast<int64_t>(i));
    EXPECT_EQ(r.get_string(1, i), i % 2 ? "+ =%1" : "+ =%0");
  }
}

TEST_F(GoldenTable, EscapedCharactersStayAsWritten) {
  EXPECT_EQ(read("data-reader-escaped-chars", "SELECT count(*) FROM {t}", 0).get_int64(0, 0), 1);
  auto r = read("data-reader-escaped-chars", "SELECT _1, _2 FROM {t} ORDER BY _1");
  ASSERT_EQ(r.row_count(), 3u);
  EXPECT_EQ(r.get_string(1, 0), "bar+%21");
  EXPECT_EQ(r.get_string(1, 2), "bar+%23");
  EXPECT_EQ(r.get_string(0, 2), "foo3");
}

TEST_F(GoldenTable, TimestampsMicrosAndInt96ReadAlike) {
  const int64_t expected[5][3] = {{0, 1577866150001000, 1580544550000000},
                                  {1, 1633075760000000, 915181200000000},
                                  {2, 1633075760000000, 946717200000000},
                                  {3, -31536000000000, -31536000000000}};
  for (const char* table : {"kernel-timestamp-TIMESTAMP_MICROS", "kernel-timestamp-INT96"}) {
    auto r = read(table, "SELECT id, epoch_us(part), epoch_us(\"time\") FROM {t} ORDER BY id");
    ASSERT_EQ(r.row_count(), 5u) << table;
    for (size_t i = 0; i < 4; ++i) {
      for (size_t c = 0; c < 3; ++c) EXPECT_EQ(r.get_int64(c, i), expected[i][c]) << table << " row " << i;
    }
    EXPECT_TRUE(r.is_null(1, 4));
    EXPECT_TRUE(r.is_null(2, 4));
  }
}

TEST_F(GoldenTable, IsoPartitionTimestamps) {
  auto r = read("kernel-timestamp-partition-col-ISO8601", "SELECT str, epoch_us(ts) FROM {t} ORDER BY str");
  ASSERT_EQ(r.row_count(), 2u);
  EXPECT_EQ(r.get_int64(1, 0), 1704103200000000);
  EXPECT_EQ(r.get_int64(1, 1), 1704198600000000);
}

TEST_F(GoldenTable, TimestampNtz) {
  EXPECT_EQ(read("data-reader-timestamp_ntz", "SELECT count(*) FROM {t}", 0).get_int64(0, 0), 0);
  auto r = read("data-reader-timestamp_ntz",
                "SELECT count(*), count(tsNtz), count(tsNtzPartition), "
                "count(*) FILTER (WHERE epoch_us(tsNtzPartition) = 1637202600123456) FROM {t}",
                1);
  EXPECT_EQ(r.get_int64(0, 0), 9);
  EXPECT_EQ(r.get_int64(1, 0), 6);
  EXPECT_EQ(r.get_int64(2, 0), 6);
  EXPECT_EQ(r.get_int64(3, 0), 3);
}

TEST_F(GoldenTable, InsertsDeletesAcrossACheckpoint) {
  auto r = read("basic-with-inserts-deletes-checkpoint", "SELECT count(*), sum(id), min(id), max(id) FROM {t}");
  EXPECT_EQ(r.get_int64(0, 0), 41);
  // ids 0-4, 10-14, 20-24, 30-34, 40-44, 50-65
  EXPECT_EQ(r.get_int64(1, 0), (0 + 1 + 2 + 3 + 4) * 5 + 5 * (10 + 20 + 30 + 40) + (50 + 65) * 16 / 2);
  EXPECT_EQ(r.get_int64(3, 0), 65);
  EXPECT_EQ(read("basic-with-inserts-deletes-checkpoint", "SELECT count(*) FROM {t}", 5).get_int64(0, 0), 45);
}

TEST_F(GoldenTable, RepartitionedSnapshotsIncludingAnEmptyFile) {
  const int64_t rows[] = {10, 20, 10, 30, 20, 20};
  for (int64_t v = 0; v <= 5; ++v) {
    EXPECT_EQ(read("snapshot-repartitioned", "SELECT count(*) FROM {t}", v).get_int64(0, 0), rows[v])
        << "version " << v;
  }
  auto r = read("snapshot-repartitioned", "SELECT count(*) FROM {t} WHERE col2 LIKE 'data-3-%'");
  EXPECT_EQ(r.get_int64(0, 0), 20);
}

}  // namespace
}  // namespace superstore::storage
