// scan_sql's two forms: one Hive read_parquet over the folders our writer makes, and the UNION ALL of
// typed constants for everything else. Both must give the log's values, so each test compares them.
#include "storage/scan_sql.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "query/database.h"
#include "storage/test_support.h"
#include "storage/warehouse.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class ScanSqlTest : public testing::WarehouseFixture {
 protected:
  catalog::TableInfo make(const std::vector<ColumnDef>& columns, std::vector<std::string> partition,
                          const ColumnBatch& rows) {
    catalog::NewTable t;
    t.name = "t";
    t.columns = columns;
    t.partition_keys = std::move(partition);
    t.sort_keys = {"id"};
    auto info = wh_.create_table(t);
    auto w = wh_.writer(info);
    w->add(rows);
    w->commit_insert();
    return info;
  }

  // The same files seen through a folder whose name holds '=', which rules the Hive form out.
  fs::path fallback_dir(const catalog::TableInfo& t) {
    fs::path link = dir_.path() / "odd=folder";
    if (!fs::exists(link)) fs::create_directory_symlink(table_dir(t), link);
    return link;
  }

  // The first `columns` columns of `scan`'s rows, ordered by id.
  std::vector<json> rows_of(const std::string& scan, size_t columns) {
    auto r = conn_.execute("SELECT * FROM (" + scan + ") ORDER BY id");
    std::vector<json> out;
    for (size_t row = 0; row < r.row_count(); ++row) {
      json o = json::array();
      for (size_t c = 0; c < columns; ++c) o.push_back(r.value_as_json(c, row));
      out.push_back(o);
    }
    return out;
  }

  std::string types_of(const std::string& scan) {
    auto r = conn_.execute("SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE " + scan + ")");
    return r.get_string(0, 0);
  }
};

// Values the Hive reader would change (NULL, any spelling of "null", text that looks like the NULL folder)
// and every escape our writer makes.
const char* kStrings[] = {"Sales", "R&D Lab", "Eng/Ops", "a+b",  "100%", "x=y",
                          "it's",  "é ü",     " lead",   "null", "NULL", "__HIVE_DEFAULT_PARTITION__",
                          nullptr, "%2F",     "Nu11"};

TEST_F(ScanSqlTest, EscapedAndNullStringPartitionsReadBackAsTheLogSays) {
  const std::vector<ColumnDef> cols = {
      {"id", ColumnType::Int64}, {"s", ColumnType::String}, {"v", ColumnType::Float64}};
  ColumnBatch b(cols);
  const size_t kinds = std::size(kStrings);
  for (int64_t i = 0; i < 60; ++i) {
    b[0].push_int(i);
    if (const char* s = kStrings[i % kinds])
      b[1].push_string(s);
    else
      b[1].push_null();
    b[2].push_double(static_cast<double>(i) / 4);
  }
  auto t = make(cols, {"s"}, b);
  auto snap = wh_.snapshot(t);
  std::string hive = scan_sql(*snap, table_dir(t));
  // NULL, "null" and "NULL" stay constants; the other twelve values are one Hive scan.
  EXPECT_EQ(count_of(hive, "hive_partitioning = true"), 1u) << hive;
  EXPECT_EQ(count_of(hive, "UNION ALL"), 3u) << hive;
  std::string fallback = scan_sql(*snap, fallback_dir(t));
  EXPECT_EQ(count_of(fallback, "hive_partitioning = true"), 0u) << fallback;
  EXPECT_EQ(count_of(fallback, "UNION ALL"), kinds - 1) << fallback;

  auto ours = rows_of(hive, 3);
  ASSERT_EQ(ours.size(), 60u);
  EXPECT_EQ(ours, rows_of(fallback, 3));
  for (int64_t i = 0; i < 60; ++i) {
    const char* s = kStrings[i % kinds];
    EXPECT_EQ(ours[i][1], s ? json(s) : json(nullptr)) << "row " << i;
  }
  EXPECT_EQ(types_of(hive), "id BIGINT, s VARCHAR, v DOUBLE");
  EXPECT_EQ(types_of(hive), types_of(fallback));
  // A filter on the partition column meets the same rows in both forms.
  for (const std::string where : {"s = 'R&D Lab'", "s IS NULL", "s = 'null'", "s LIKE '%/%'"}) {
    auto a = conn_.execute("SELECT count(*) FROM (" + hive + ") WHERE " + where);
    auto f = conn_.execute("SELECT count(*) FROM (" + fallback + ") WHERE " + where);
    EXPECT_EQ(a.get_int64(0, 0), f.get_int64(0, 0)) << where;
    EXPECT_GT(a.get_int64(0, 0), 0) << where;
  }
}

TEST_F(ScanSqlTest, TypedPartitionsRoundTripExactlyInBothForms) {
  const std::vector<ColumnDef> cols = {{"id", ColumnType::Int64}, {"b", ColumnType::Boolean}, {"d", ColumnType::Date},
                                       {"n", ColumnType::Int16},  {"big", ColumnType::Int64}, {"x", ColumnType::Int32}};
  const int32_t days[] = {19782 /* 2024-02-29 */, -1 /* 1969-12-31 */, -25567 /* 1900-01-01 */};
  const int64_t smalls[] = {-5, 0, 32767, -32768};
  ColumnBatch b(cols);
  for (int64_t i = 0; i < 48; ++i) {
    b[0].push_int(i);
    if (i % 5 == 4)
      b[1].push_null();
    else
      b[1].push_bool(i % 2 == 0);
    b[2].push_int(days[i % 3]);
    if (i % 7 == 6)
      b[3].push_null();
    else
      b[3].push_int(smalls[i % 4]);
    b[4].push_int(i % 2 ? INT64_MIN : INT64_MAX);
    b[5].push_int(i * 3);
  }
  auto t = make(cols, {"b", "d", "n", "big"}, b);
  auto snap = wh_.snapshot(t);
  std::string hive = scan_sql(*snap, table_dir(t));
  std::string fallback = scan_sql(*snap, fallback_dir(t));
  EXPECT_EQ(count_of(hive, "hive_partitioning = true"), 1u) << hive;
  EXPECT_EQ(types_of(hive), "id BIGINT, b BOOLEAN, d DATE, n SMALLINT, big BIGINT, x INTEGER");
  EXPECT_EQ(types_of(hive), types_of(fallback));
  auto ours = rows_of(hive, 6);
  ASSERT_EQ(ours.size(), 48u);
  EXPECT_EQ(ours, rows_of(fallback, 6));
  // And the values are the rows that went in.
  QueryOptions all;
  all.per_page = 100;
  auto got = wh_.query("SELECT b, n, big FROM t ORDER BY id", all).page.rows;
  for (int64_t i = 0; i < 48; ++i) {
    EXPECT_EQ(got[i]["b"], i % 5 == 4 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(i % 2 == 0)) << i;
    EXPECT_EQ(got[i]["n"], i % 7 == 6 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(smalls[i % 4])) << i;
    EXPECT_EQ(got[i]["big"], i % 2 ? INT64_MIN : INT64_MAX) << i;
  }
  auto with_name =
      conn_.execute("SELECT DISTINCT filename FROM (" + scan_sql(*snap, table_dir(t), {.with_filename = true}) + ")");
  EXPECT_EQ(with_name.row_count(), snap->files.size());
  for (size_t i = 0; i < with_name.row_count(); ++i) EXPECT_TRUE(fs::exists(with_name.get_string(0, i)));
}

// Files that other writers lay out differently, or whose folder disagrees with the log: the log wins.
TEST_F(ScanSqlTest, FilesOutsideTheCanonicalFoldersTakeTheLogsValues) {
  fs::path root = dir_.path() / "foreign";
  Snapshot snap;
  snap.version = 1;
  snap.metadata.fields = {{"id", "long", true}, {"s", "string", true}};
  snap.metadata.partition_columns = {"s"};
  auto add = [&](const std::string& path, const std::string& value, int64_t id) {
    fs::create_directories((root / path).parent_path());
    conn_.execute("COPY (SELECT " + std::to_string(id) + "::BIGINT AS id) TO " +
                  query::quote_literal((root / path).string()));
    AddFile f;
    f.path = path;
    f.partition_values = {{"s", value}};
    snap.files.push_back(f);
  };
  add("s=A/1.parquet", "A", 1);      // ours
  add("s=B/2.parquet", "C", 2);      // folder says B, log says C
  add("data/3.parquet", "D", 3);     // no Hive folder at all
  add("s=E/s=F/4.parquet", "E", 4);  // one folder too many
  add("s=G/id=9.parquet", "G", 5);   // a file name that looks like a key
  std::string sql = scan_sql(snap, root);
  EXPECT_EQ(count_of(sql, "hive_partitioning = true"), 1u) << sql;
  auto r = conn_.execute("SELECT id, s FROM (" + sql + ") ORDER BY id");
  ASSERT_EQ(r.row_count(), 5u);
  const char* expected[] = {"A", "C", "D", "E", "G"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r.get_int64(0, i), static_cast<int64_t>(i + 1));
    EXPECT_EQ(r.get_string(1, i), expected[i]) << "file " << i + 1;
  }
  // A partition type the Hive reader is not trusted with keeps every file on constants.
  snap.metadata.fields[1].type = "timestamp";
  for (auto& f : snap.files) f.partition_values["s"] = "2024-01-01 10:00:00+00:00";
  sql = scan_sql(snap, root);
  EXPECT_EQ(count_of(sql, "hive_partitioning = true"), 0u) << sql;
  EXPECT_EQ(conn_.execute("SELECT count(DISTINCT s) FROM (" + sql + ")").get_int64(0, 0), 1);
}

TEST_F(ScanSqlTest, UnpartitionedTablesAreOneScanWithoutHiveGuessing) {
  const std::vector<ColumnDef> cols = {{"id", ColumnType::Int64}, {"s", ColumnType::String}};
  ColumnBatch b(cols);
  for (int64_t i = 0; i < 10; ++i) {
    b[0].push_int(i);
    b[1].push_string("v" + std::to_string(i));
  }
  auto t = make(cols, {}, b);
  // Even under a folder that looks like a key, the file's own column is read.
  std::string sql = scan_sql(*wh_.snapshot(t), fallback_dir(t));
  EXPECT_EQ(count_of(sql, "UNION ALL"), 0u);
  EXPECT_EQ(count_of(sql, "hive_partitioning = false"), 1u) << sql;
  EXPECT_EQ(types_of(sql), "id BIGINT, s VARCHAR");
  EXPECT_EQ(conn_.execute("SELECT count(*) FROM (" + sql + ")").get_int64(0, 0), 10);
}

}  // namespace
}  // namespace superstore::storage
