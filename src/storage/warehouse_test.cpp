#include "storage/warehouse.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "common/error.h"
#include "query/database.h"
#include "storage/scan_sql.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;

using testing::kDepts;
using testing::kPeople;
using testing::people;

// Runs against the local store and against S3 (moto on loopback), where DuckDB reads and writes the
// table files in the local file cache, which the checks below inspect.
class WarehouseTest : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  catalog::TableInfo make_people(const std::string& name, std::vector<std::string> partition = {"dept"},
                                 std::vector<std::string> sort = {"id"}, int64_t target = 0) {
    catalog::NewTable t;
    t.name = name;
    t.columns = kPeople;
    t.partition_keys = std::move(partition);
    t.sort_keys = std::move(sort);
    t.target_file_bytes = target;
    return wh_.create_table(t);
  }
  WriteResult insert(const catalog::TableInfo& t, const ColumnBatch& b) {
    auto w = wh_.writer(t);
    w->add(b);
    return w->commit_insert();
  }
  query::QueryPage sql(const std::string& q, std::optional<int64_t> version = {}) {
    QueryOptions o;
    o.per_page = 100000;
    o.version = version;
    return wh_.query(q, o).page;
  }
  int64_t count(const std::string& q) { return sql(q).rows.at(0).begin()->get<int64_t>(); }
  fs::path table_dir(const catalog::TableInfo& t) {
    if (GetParam() == testing::StoreKind::S3) return dir_.path() / "cache" / std::to_string(::getpid()) / t.location;
    return dir_.path() / "warehouse" / t.location;
  }
  // A file of the table's log, read from the store itself.
  std::string log_file(const catalog::TableInfo& t, const std::string& name) {
    const std::string key = t.location + "/_delta_log/" + name;
    if (GetParam() == testing::StoreKind::Local) return blob::LocalBlobStore(dir_.path() / "warehouse").get(key);
    blob::S3Options o = options_.s3;
    blob::parse_s3_url(options_.warehouse_url, o);
    return blob::S3BlobStore(o).get(key);
  }

  TempFolder dir_;
  std::string skip_;
  WarehouseOptions options_ = [this] {
    if (GetParam() == testing::StoreKind::S3) {
      if (auto o = testing::s3_options_for(dir_.path(), skip_)) return *o;
    }
    return testing::options_for(dir_.path());
  }();
  std::unique_ptr<storage::Warehouse> owned_ = std::make_unique<storage::Warehouse>(options_);
  storage::Warehouse& wh_ = *owned_;
};

INSTANTIATE_TEST_SUITE_P(Stores, WarehouseTest, ::testing::Values(testing::StoreKind::Local, testing::StoreKind::S3),
                         testing::store_kind_name);

TEST_P(WarehouseTest, EveryColumnTypeRoundTripsWithNulls) {
  auto t = make_people("people");
  ColumnBatch in = people(1, 50);
  insert(t, in);
  auto page = sql("SELECT * FROM people ORDER BY id");
  ASSERT_EQ(page.total, 50);
  ASSERT_EQ(page.columns.size(), kPeople.size());
  for (size_t c = 0; c < kPeople.size(); ++c) EXPECT_EQ(page.columns[c].name, kPeople[c].name);
  for (size_t r = 0; r < 50; ++r) {
    const auto& row = page.rows[r];
    EXPECT_EQ(row["id"], in[0].int_at(r));
    if (in[1].is_null(r))
      EXPECT_TRUE(row["name"].is_null());
    else
      EXPECT_EQ(row["name"], in[1].string_at(r));
    EXPECT_EQ(row["dept"], in[2].string_at(r));
    EXPECT_EQ(row["age"], in[3].int_at(r));
    if (in[4].is_null(r))
      EXPECT_TRUE(row["score"].is_null());
    else
      EXPECT_DOUBLE_EQ(row["score"].get<double>(), in[4].double_at(r));
    EXPECT_EQ(row["active"], in[5].int_at(r) == 1);
    if (in[6].is_null(r))
      EXPECT_TRUE(row["joined"].is_null());
    else
      EXPECT_EQ(row["joined"], format_timestamp_us(in[6].int_at(r)));
    EXPECT_EQ(row["born"], format_date_days(static_cast<int32_t>(in[7].int_at(r))));
    EXPECT_EQ(row["level"], in[8].int_at(r));
  }
}

TEST_P(WarehouseTest, PartitionsBecomeEscapedHiveFoldersAndLogPaths) {
  auto t = make_people("people");
  insert(t, people(1, 40));
  auto snap = wh_.snapshot(t);
  std::set<std::string> folders;
  for (const auto& f : snap->files) {
    folders.insert(f.path.substr(0, f.path.find('/')));
    EXPECT_TRUE(fs::exists(table_dir(t) / f.path)) << f.path;
    EXPECT_TRUE(f.tags.count("micro_partition_id"));
    EXPECT_EQ(f.path.substr(f.path.find('/') + 1), f.tags.at("micro_partition_id") + ".parquet");
  }
  EXPECT_EQ(folders, (std::set<std::string>{"dept=Eng%2FOps", "dept=HR", "dept=R&D Lab", "dept=Sales"}));
  const std::string text = log_file(t, "00000000000000000001.json");
  EXPECT_NE(text.find("\"path\":\"dept=Eng%252FOps/"), std::string::npos) << text;
  EXPECT_NE(text.find("\"path\":\"dept=R%26D%20Lab/"), std::string::npos) << text;
}

// Rows of one file (a quoted path) are in (joined, id) order, NULLs last.
void expect_sorted_by_joined_then_id(query::Connection& conn, const std::string& path) {
  auto r = conn.execute(
      "SELECT count(*) FROM (SELECT joined, id, lag(joined) OVER w AS pj, lag(id) OVER w AS pi FROM read_parquet(" +
      path +
      ", file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) "
      "WHERE pj IS NOT NULL AND joined IS NOT NULL AND (pj > joined OR (pj = joined AND pi > id))");
  EXPECT_EQ(r.get_int64(0, 0), 0) << "rows out of sort order in " << path;
  auto nulls = conn.execute(
      "SELECT bool_or(joined IS NULL AND nxt IS NOT NULL) FROM (SELECT joined, lead(joined) OVER "
      "(ORDER BY file_row_number) AS nxt FROM read_parquet(" +
      path + ", file_row_number = true))");
  EXPECT_FALSE(nulls.get_bool(0, 0)) << "a NULL sorts before a value in " << path;
}

TEST_P(WarehouseTest, OneFilePartitionsAreSortedAndMeasuredExactly) {
  auto t = make_people("people", {"dept"}, {"joined", "id"});
  insert(t, people(1, 3000));
  query::Database db(testing::unsandboxed());
  query::Connection conn(db);
  auto snap = wh_.snapshot(t);
  ASSERT_EQ(snap->files.size(), 4u);
  for (const auto& f : snap->files) {
    std::string path = query::quote_literal((table_dir(t) / f.path).string());
    expect_sorted_by_joined_then_id(conn, path);
    auto truth = conn.execute(
        "SELECT count(*), count(DISTINCT age), min(name), max(joined), count(*) - count(score) "
        "FROM read_parquet(" +
        path + ")");
    EXPECT_EQ(f.stats->num_records, truth.get_int64(0, 0)) << f.path;
    EXPECT_EQ(f.stats->distinct_count["age"], truth.get_int64(1, 0)) << f.path;
    EXPECT_EQ(f.stats->min_values["name"], truth.get_string(2, 0)) << f.path;
    EXPECT_EQ(f.stats->null_count["score"], truth.get_int64(4, 0)) << f.path;
  }
}

TEST_P(WarehouseTest, StatsDescribeEachFile) {
  auto t = make_people("people", {}, {"id"});
  insert(t, people(1, 70));
  auto snap = wh_.snapshot(t);
  ASSERT_EQ(snap->files.size(), 1u);
  const FileStats& s = *snap->files[0].stats;
  EXPECT_EQ(s.num_records, 70);
  EXPECT_EQ(s.min_values["id"], 1);
  EXPECT_EQ(s.max_values["id"], 70);
  EXPECT_EQ(s.null_count["name"], 10);  // rows 3, 10, ..., 66
  EXPECT_EQ(s.null_count["id"], 0);
  EXPECT_FALSE(s.min_values.contains("active"));
  EXPECT_EQ(s.min_values["dept"], "Eng/Ops");
  EXPECT_EQ(s.distinct_count["id"], 70);
  EXPECT_EQ(s.distinct_count["name"], 60) << "NULLs are not a value";
  EXPECT_EQ(s.distinct_count["dept"], 4);
}

TEST_P(WarehouseTest, EveryVersionReadsBackItsOwnRows) {
  auto t = make_people("people");
  insert(t, people(1, 100));
  insert(t, people(101, 50));
  wh_.delete_where(t, "id % 10 = 0");
  insert(t, people(151, 25));
  EXPECT_EQ(count("SELECT count(*) FROM people"), 100 + 50 - 15 + 25);
  EXPECT_EQ(sql("SELECT count(*) AS n FROM people", 0).rows[0]["n"], 0);
  EXPECT_EQ(sql("SELECT count(*) AS n FROM people", 1).rows[0]["n"], 100);
  EXPECT_EQ(sql("SELECT count(*) AS n FROM people", 2).rows[0]["n"], 150);
  EXPECT_EQ(sql("SELECT count(*) AS n FROM people", 3).rows[0]["n"], 135);
  EXPECT_EQ(sql("SELECT sum(id) AS s FROM people", 3).rows[0]["s"], 150 * 151 / 2 - 10 * (15 * 16 / 2));
  EXPECT_THROW(sql("SELECT * FROM people", 9), Error);
}

TEST_P(WarehouseTest, SmallInsertsMergeIntoTheNewestFile) {
  auto t = make_people("people", {"dept"}, {"id"});
  for (int i = 0; i < 5; ++i) insert(t, people(1 + i * 8, 8));
  auto snap = wh_.snapshot(t);
  EXPECT_EQ(snap->files.size(), 4u) << "one file per department";
  EXPECT_EQ(snap->total_rows(), 40);
  EXPECT_EQ(count("SELECT count(DISTINCT id) FROM people"), 40);
}

TEST_P(WarehouseTest, NullAndTypedPartitionValuesGetTheirOwnMeasuredFiles) {
  auto t = make_people("people", {"dept", "level"}, {"id"});
  ColumnBatch b(kPeople);
  for (int64_t i = 90; i >= 1; --i) {  // descending, so sorting by id is visible
    b[0].push_int(i);
    b[1].push_string("p" + std::to_string(i));
    if (i % 3 == 0)
      b[2].push_null();
    else
      b[2].push_string(kDepts[i % 2]);
    b[3].push_int(i % 5);
    b[4].push_double(1.5);
    b[5].push_bool(true);
    b[6].push_null();
    b[7].push_int(i);
    b[8].push_int(i % 2 ? -7 : 300);
  }
  insert(t, b);
  auto snap = wh_.snapshot(t);
  ASSERT_EQ(snap->files.size(), 4u) << "NULL, Sales or R&D Lab, each with one level";
  std::set<std::string> folders;
  for (const auto& f : snap->files) {
    folders.insert(f.path.substr(0, f.path.rfind('/')));
    const auto& dept = f.partition_values.at("dept");
    std::string where = (dept ? "dept = " + query::quote_literal(*dept) : std::string("dept IS NULL")) +
                        " AND level = " + *f.partition_values.at("level");
    EXPECT_EQ(f.stats->num_records, count("SELECT count(*) FROM people WHERE " + where)) << f.path;
    EXPECT_EQ(f.stats->distinct_count["age"], count("SELECT count(DISTINCT age) FROM people WHERE " + where)) << f.path;
    EXPECT_EQ(f.stats->min_values["id"], count("SELECT min(id) FROM people WHERE " + where)) << f.path;
    query::Database db(testing::unsandboxed());
    query::Connection conn(db);
    auto ids = conn.execute(
        "SELECT bool_and(id < nxt) FROM (SELECT id, lead(id) OVER (ORDER BY file_row_number) AS nxt "
        "FROM read_parquet(" +
        query::quote_literal((table_dir(t) / f.path).string()) + ", file_row_number = true)) WHERE nxt IS NOT NULL");
    EXPECT_TRUE(ids.get_bool(0, 0)) << "rows out of id order in " << f.path;
  }
  EXPECT_EQ(folders, (std::set<std::string>{"dept=__HIVE_DEFAULT_PARTITION__/level=-7",
                                            "dept=__HIVE_DEFAULT_PARTITION__/level=300", "dept=R&D Lab/level=-7",
                                            "dept=Sales/level=300"}));
}

TEST_P(WarehouseTest, HundredsOfPartitionsInOneWriteKeepEveryRow) {
  // Enough partitions and rows that the staged rows are clustered by partition before they are written.
  auto t = make_people("people", {"level"}, {"id"});
  auto w = wh_.writer(t);
  for (int64_t first = 1; first <= 150000; first += 25000) w->add(people(first, 25000));
  w->commit_insert();
  auto snap = wh_.snapshot(t);
  EXPECT_EQ(snap->files.size(), 100u);
  EXPECT_EQ(snap->total_rows(), 150000);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 150000);
  EXPECT_EQ(count("SELECT sum(id) FROM people"), 150000LL * 150001 / 2);
  EXPECT_EQ(count("SELECT count(*) FROM people WHERE level <> id % 100 - 50"), 0);
  for (const auto& f : snap->files) EXPECT_EQ(f.stats->num_records, 1500) << f.path;
}

TEST_P(WarehouseTest, ALargeOneFilePartitionIsMeasuredOnItsOwn) {
  auto t = make_people("people", {}, {"joined", "id"});
  insert(t, people(1, 60000));  // one file, above the size measured together with others
  auto snap = wh_.snapshot(t);
  ASSERT_EQ(snap->files.size(), 1u);
  const auto& f = snap->files[0];
  query::Database db(testing::unsandboxed());
  query::Connection conn(db);
  std::string path = query::quote_literal((table_dir(t) / f.path).string());
  expect_sorted_by_joined_then_id(conn, path);
  auto truth = conn.execute(
      "SELECT count(*), count(DISTINCT score), min(name), max(level), count(*) - count(joined) "
      "FROM read_parquet(" +
      path + ")");
  EXPECT_EQ(f.stats->num_records, truth.get_int64(0, 0));
  EXPECT_EQ(f.stats->distinct_count["score"], truth.get_int64(1, 0));
  EXPECT_EQ(f.stats->min_values["name"], truth.get_string(2, 0));
  EXPECT_EQ(f.stats->max_values["level"], truth.get_int64(3, 0));
  EXPECT_EQ(f.stats->null_count["joined"], truth.get_int64(4, 0));
}

TEST_P(WarehouseTest, LargePartitionsSplitIntoSortedFilesNearTheTarget) {
  auto t = make_people("people", {"dept"}, {"joined", "id"}, 256 << 10);
  // Insert in an order unrelated to the sort keys.
  ColumnBatch b = people(1, 210000);
  insert(t, b);
  auto snap = wh_.snapshot(t);
  EXPECT_GT(snap->files.size(), 8u);
  EXPECT_EQ(snap->total_rows(), 210000);
  query::Database db(testing::unsandboxed());
  query::Connection conn(db);
  for (const auto& f : snap->files) {
    std::string path = query::quote_literal((table_dir(t) / f.path).string());
    EXPECT_LT(f.size, 3 * (256 << 10)) << f.path;
    expect_sorted_by_joined_then_id(conn, path);
    auto truth = conn.execute(
        "SELECT count(*), count(DISTINCT id), min(id), max(id), count(*) - count(name) FROM read_parquet(" + path +
        ")");
    EXPECT_EQ(f.stats->num_records, truth.get_int64(0, 0));
    EXPECT_EQ(f.stats->distinct_count["id"], truth.get_int64(1, 0));
    EXPECT_EQ(f.stats->min_values["id"], truth.get_int64(2, 0));
    EXPECT_EQ(f.stats->max_values["id"], truth.get_int64(3, 0));
    EXPECT_EQ(f.stats->null_count["name"], truth.get_int64(4, 0));
  }
}

TEST_P(WarehouseTest, DuckDbReadsTheFolderAsHivePartitionsToTheSameAnswer) {
  auto t = make_people("people");
  insert(t, people(1, 5000));
  auto ours = sql("SELECT dept, count(*) AS n, sum(id) AS s, sum(score) AS sc FROM people GROUP BY dept ORDER BY dept");
  query::Database db(testing::unsandboxed());
  query::Connection conn(db);
  auto theirs = conn.execute("SELECT dept, count(*), sum(id), sum(score) FROM read_parquet(" +
                             query::quote_literal((table_dir(t) / "**" / "*.parquet").string()) +
                             ", hive_partitioning = true) GROUP BY dept ORDER BY dept");
  ASSERT_EQ(theirs.row_count(), 4u);
  ASSERT_EQ(ours.total, 4);
  // DuckDB decodes the Hive escapes in folder names, so the values agree with the log's.
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(ours.rows[i]["dept"], theirs.get_string(0, i));
    EXPECT_EQ(ours.rows[i]["n"], theirs.get_int64(1, i));
    EXPECT_EQ(ours.rows[i]["s"], theirs.get_int64(2, i));
    EXPECT_DOUBLE_EQ(ours.rows[i]["sc"].get<double>(), theirs.get_double(3, i));
  }
}

TEST_P(WarehouseTest, DeleteRewritesOnlyFilesWithMatches) {
  auto t = make_people("people");
  insert(t, people(1, 400));
  auto before = wh_.snapshot(t);
  auto r = wh_.delete_where(t, "dept = 'HR' AND id > 200");
  int64_t expected = count("SELECT count(*) FROM people WHERE dept = 'HR' AND id > 200");
  EXPECT_EQ(expected, 0);
  auto after = wh_.snapshot(t);
  EXPECT_GT(r.rows, 0);
  EXPECT_EQ(r.files_removed, 1);
  EXPECT_EQ(after->total_rows(), before->total_rows() - r.rows);
  EXPECT_EQ(wh_.delete_where(t, "id < 0").version, -1) << "no match, no commit";
  EXPECT_EQ(wh_.delete_where(t, "dept = 'Sales'").files_added, 0) << "a whole file deleted needs no rewrite";
  EXPECT_EQ(count("SELECT count(*) FROM people WHERE dept = 'Sales'"), 0);
  EXPECT_THROW(wh_.delete_where(t, "nope = 1"), Error);
  EXPECT_THROW(wh_.delete_where(t, "true; DROP TABLE x"), Error);
}

TEST_P(WarehouseTest, EmptyStringPartitionValuesAreRefusedAndNothingIsCommitted) {
  auto t = make_people("people");
  ColumnBatch b = people(1, 3);
  ColumnBatch bad(kPeople);
  for (size_t c = 0; c < kPeople.size(); ++c) bad[c] = b[c];
  bad[2] = Column(ColumnType::String);
  bad[2].push_string("Sales");
  bad[2].push_string("");
  bad[2].push_string("HR");
  EXPECT_THROW(insert(t, bad), Error);
  EXPECT_EQ(wh_.snapshot(t)->version, 0);
}

TEST_P(WarehouseTest, ConcurrentWritersLoseNoRowAndDoubleNone) {
  auto t = make_people("people", {"dept"}, {"id"});
  constexpr int kWriters = 4, kRounds = 6, kRows = 20;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  std::atomic<int64_t> committed_rows{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int r = 0; r < kRounds; ++r) {
        int64_t first = 1 + (w * kRounds + r) * kRows;
        try {
          insert(t, people(first, kRows));
          committed_rows += kRows;
        } catch (const Error& e) {
          EXPECT_EQ(e.code(), ErrorCode::Conflict) << e.what();
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(count("SELECT count(*) FROM people"), committed_rows.load());
  EXPECT_EQ(count("SELECT count(DISTINCT id) FROM people"), committed_rows.load());
  EXPECT_GE(committed_rows.load(), kRows * kRounds) << conflicts.load() << " conflicts";
}

TEST_P(WarehouseTest, UserSqlRunsInTheSandbox) {
  auto t = make_people("people");
  insert(t, people(1, 10));
  for (const char* bad : {"SELECT * FROM read_csv('/etc/passwd')", "COPY (SELECT 1) TO '/tmp/x.csv'",
                          "ATTACH '/tmp/x.db'", "INSTALL httpfs", "SET memory_limit = '1GB'",
                          "CREATE TABLE t AS SELECT 1", "DELETE FROM people", "SELECT 1; SELECT 2"}) {
    try {
      sql(bad);
      ADD_FAILURE() << "ran: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << bad << ": " << e.what();
    }
  }
  std::string other = (dir_.path() / "catalog.db").string();
  EXPECT_THROW(sql("SELECT * FROM read_text('" + other + "')"), Error);
}

TEST_P(WarehouseTest, NamesResolveAcrossDatabasesUnlessAmbiguous) {
  catalog::NewTable a;
  a.name = "events";
  a.database = "development";
  a.schema = "dev_schema";
  a.columns = {{"id", ColumnType::Int64}};
  auto ta = wh_.create_table(a);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 0);
  a.database = "main";
  a.schema = "public";
  wh_.create_table(a);
  EXPECT_THROW(sql("SELECT * FROM events"), Error);
  EXPECT_THROW(wh_.query("SELECT 1", {}, {"missing_table"}), Error);
}

// Independent oracle: the same rows loaded into SQLite answer an aggregate query the same way.
TEST_P(WarehouseTest, AggregatesAgreeWithSqlite) {
  auto t = make_people("people");
  ColumnBatch b = people(1, 3000);
  insert(t, b);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE people(id INTEGER, dept TEXT, age INTEGER, score REAL)", nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO people VALUES (?, ?, ?, ?)", -1, &st, nullptr);
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (size_t r = 0; r < b.rows(); ++r) {
    sqlite3_bind_int64(st, 1, b[0].int_at(r));
    std::string dept(b[2].string_at(r));
    sqlite3_bind_text(st, 2, dept.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, b[3].int_at(r));
    if (b[4].is_null(r))
      sqlite3_bind_null(st, 4);
    else
      sqlite3_bind_double(st, 4, b[4].double_at(r));
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(st);
  const std::string q =
      "SELECT dept, count(*) AS n, sum(age) AS ages, count(score) AS scored, round(avg(score), 6) AS avg_score "
      "FROM people WHERE age > 30 GROUP BY dept ORDER BY dept";
  auto ours = sql(q);
  sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr);
  size_t row = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    ASSERT_LT(row, ours.rows.size());
    const auto& o = ours.rows[row++];
    EXPECT_EQ(o["dept"], reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    EXPECT_EQ(o["n"], sqlite3_column_int64(st, 1));
    EXPECT_EQ(o["ages"], sqlite3_column_int64(st, 2));
    EXPECT_EQ(o["scored"], sqlite3_column_int64(st, 3));
    EXPECT_NEAR(o["avg_score"].get<double>(), sqlite3_column_double(st, 4), 1e-6);
  }
  EXPECT_EQ(row, ours.rows.size());
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// The people columns of row i from SQL, ids shuffled (a permutation of 0..n-1 for n <= 100,003), so that
// sorting by id matters.
std::string people_sql(int64_t n, const std::string& tail = "") {
  return "SELECT (i * 7919) % 100003 AS id, CASE WHEN i % 7 = 3 THEN NULL ELSE 'person ' || i END AS name, "
         "['Sales', 'R&D Lab', 'HR', 'Eng/Ops'][i % 4 + 1] AS dept, (20 + i % 50)::INTEGER AS age, "
         "CASE WHEN i % 7 = 3 THEN NULL ELSE (i % 1000) / 8.0 END::DOUBLE AS score, i % 3 = 0 AS active, "
         "TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS joined, DATE '2000-01-01' + (i % 9000)::INTEGER "
         "AS born, (i % 100)::SMALLINT AS level FROM range(" +
         std::to_string(n) + ") t(i)" + tail;
}

constexpr const char* kRowHash = "count(*), sum(hash(id, name, dept, age, score, active, joined, born, level))";

// Imports through `writer` 100,000 people rows (1 MiB held at a time) whose cast fails at row
// 90,000, after files were written; the import must throw.
void import_failing_part_way(TableWriter& writer) {
  query::Database reader_db(testing::unsandboxed());
  query::Connection reader(reader_db);
  EXPECT_THROW(writer.add_select(
                   reader, people_sql(100'000, " WHERE CAST(CASE WHEN i < 90000 THEN '1' ELSE 'x' END AS INTEGER) = 1"),
                   1 << 20),
               Error);
}

// Checks a table's files with a DuckDB of its own reading them directly: every file sorted by id (unless
// the table has no sort keys), and the log's stats of every file equal to what DuckDB counts in it.
void expect_sorted_and_measured(const Snapshot& snap, const fs::path& root, bool sorted = true,
                                const std::string& glob = "*/*.parquet") {
  query::Database db(testing::unsandboxed());
  query::Connection c(db);
  const std::string files = query::quote_literal((root / glob).string());
  if (sorted) {
    EXPECT_EQ(c.execute("SELECT count(*) FROM (SELECT id, lag(id) OVER (PARTITION BY filename ORDER BY "
                        "file_row_number) AS prev FROM read_parquet(" +
                        files + ", filename = true, file_row_number = true)) WHERE prev > id")
                  .get_int64(0, 0),
              0);
  }
  query::Result r = c.execute(
      "SELECT filename, count(*), count(DISTINCT name), min(id), max(id), count(*) - count(score) FROM read_parquet(" +
      files + ", filename = true) GROUP BY filename");
  ASSERT_EQ(r.row_count(), snap.files.size());
  for (size_t row = 0; row < r.row_count(); ++row) {
    const std::string name = r.get_string(0, row);
    const auto f = std::find_if(snap.files.begin(), snap.files.end(), [&](const AddFile& a) {
      return name.size() >= a.path.size() && name.compare(name.size() - a.path.size(), a.path.size(), a.path) == 0;
    });
    ASSERT_NE(f, snap.files.end()) << name << " is not in the log";
    ASSERT_TRUE(f->stats.has_value()) << name;
    EXPECT_EQ(f->stats->num_records, r.get_int64(1, row)) << name;
    EXPECT_EQ(f->stats->distinct_count["name"].get<int64_t>(), r.get_int64(2, row)) << name;
    EXPECT_EQ(f->stats->min_values["id"].get<int64_t>(), r.get_int64(3, row)) << name;
    EXPECT_EQ(f->stats->max_values["id"].get<int64_t>(), r.get_int64(4, row)) << name;
    EXPECT_EQ(f->stats->null_count["score"].get<int64_t>(), r.get_int64(5, row)) << name;
  }
}

TEST_P(WarehouseTest, ACsvImportIsSplitByPartitionSortedAndMeasuredLikeInsertedRows) {
  auto t = make_people("imported", {"dept"}, {"id"}, 256 << 10);
  const fs::path csv = dir_.path() / "people.csv";
  query::Database db(testing::unsandboxed());
  query::Connection c(db);
  c.execute("COPY (" + people_sql(100'000) + ") TO " + query::quote_literal(csv.string()) + " (HEADER)");

  const WriteResult w = wh_.insert_file(t, csv);
  EXPECT_EQ(w.rows, 100'000);
  EXPECT_GT(w.files_added, 8) << "four partitions of several files each at a 256 KiB target";
  // The same rows as DuckDB reads from the file.
  const auto expected =
      c.execute("SELECT " + std::string(kRowHash) + " FROM read_csv(" + query::quote_literal(csv.string()) +
                ", header = true, columns = {'id': 'BIGINT', 'name': 'VARCHAR', 'dept': 'VARCHAR', "
                "'age': 'INTEGER', 'score': 'DOUBLE', 'active': 'BOOLEAN', 'joined': "
                "'TIMESTAMPTZ', 'born': 'DATE', 'level': 'SMALLINT'})");
  const auto got = sql("SELECT " + std::string(kRowHash) + " FROM imported").rows.at(0);
  EXPECT_EQ(got.at("count_star()").get<int64_t>(), expected.get_int64(0, 0));
  EXPECT_EQ(got.begin().value(), expected.value_as_json(0, 0));
  EXPECT_EQ(std::next(got.begin()).value(), expected.value_as_json(1, 0));
  expect_sorted_and_measured(*wh_.snapshot(t), table_dir(t));
}

TEST_P(WarehouseTest, AnImportLargerThanMemoryAllowsIsWrittenInRoundsAndAFailureRemovesThem) {
  auto t = make_people("rounds", {"dept"}, {"id"}, 256 << 10);
  // Rows fail their cast at row 90,000, after several rounds of 1 MiB were written: nothing is left.
  import_failing_part_way(*wh_.writer(t));
  EXPECT_EQ(wh_.snapshot(t)->version, 0);
  EXPECT_EQ(testing::data_files_in(table_dir(t)).size(), 0u) << "the rounds written before the failure were removed";

  query::Database reader_db(testing::unsandboxed());
  query::Connection reader(reader_db);
  auto w = wh_.writer(t);
  w->add_select(reader, people_sql(100'000), 1 << 20);
  const WriteResult r = w->commit_insert();
  EXPECT_EQ(r.rows, 100'000);
  query::Database db(testing::unsandboxed());
  query::Connection c(db);
  const auto expected = c.execute("SELECT " + std::string(kRowHash) + " FROM (" + people_sql(100'000) + ")");
  const auto got = sql("SELECT " + std::string(kRowHash) + " FROM rounds").rows.at(0);
  EXPECT_EQ(got.begin().value(), expected.value_as_json(0, 0));
  EXPECT_EQ(std::next(got.begin()).value(), expected.value_as_json(1, 0));
  expect_sorted_and_measured(*wh_.snapshot(t), table_dir(t));
}

// Without sort keys the rows are written as they arrive (streamed_files.h), a file whenever a partition
// has enough rows for one, and the files are measured like any others.
TEST_P(WarehouseTest, AnImportWithoutSortKeysIsWrittenAsItArrivesAndMeasuredLikeInsertedRows) {
  query::Database db(testing::unsandboxed());
  query::Connection c(db);
  const auto expected = c.execute("SELECT " + std::string(kRowHash) + " FROM (" + people_sql(100'000) + ")");
  struct Case {
    std::string name;
    std::vector<std::string> partition;
    int64_t held_bytes;
  };
  for (const Case& k : {Case{"flat", {}, TableWriter::kHeldBytes}, Case{"by_dept", {"dept"}, TableWriter::kHeldBytes},
                        Case{"by_dept_tight", {"dept"}, 1 << 20}}) {
    SCOPED_TRACE(k.name);
    auto t = make_people(k.name, k.partition, {}, 256 << 10);
    query::Database reader_db(testing::unsandboxed());
    query::Connection reader(reader_db);
    auto w = wh_.writer(t);
    w->add_select(reader, people_sql(100'000), k.held_bytes);
    const WriteResult r = w->commit_insert();
    EXPECT_EQ(r.rows, 100'000);
    EXPECT_GT(r.files_added, 4) << "a 256 KiB target cuts the rows into several files";
    const auto got = sql("SELECT " + std::string(kRowHash) + " FROM " + k.name).rows.at(0);
    EXPECT_EQ(got.begin().value(), expected.value_as_json(0, 0));
    EXPECT_EQ(std::next(got.begin()).value(), expected.value_as_json(1, 0));
    const auto snap = wh_.snapshot(t);
    expect_sorted_and_measured(*snap, table_dir(t), false, k.partition.empty() ? "*.parquet" : "*/*.parquet");
    int64_t largest = 0;
    for (const auto& f : snap->files) largest = std::max(largest, f.size);
    EXPECT_LT(largest, 1 << 20) << "files stay near the 256 KiB target";
  }
}

TEST_P(WarehouseTest, AnImportWithoutSortKeysThatFailsPartWayLeavesNoFile) {
  for (const std::vector<std::string>& partition : {std::vector<std::string>{}, std::vector<std::string>{"dept"}}) {
    auto t = make_people(partition.empty() ? "flat" : "by_dept", partition, {}, 256 << 10);
    import_failing_part_way(*wh_.writer(t));
    EXPECT_EQ(wh_.snapshot(t)->version, 0);
    EXPECT_EQ(testing::data_files_in(table_dir(t)).size(), 0u) << "the files written before the failure were removed";
  }
}

TEST_P(WarehouseTest, SmallImportsMergeIntoTheNewestFileLikeSmallInserts) {
  for (const std::vector<std::string>& sort : {std::vector<std::string>{"id"}, std::vector<std::string>{}}) {
    auto t = make_people(sort.empty() ? "small_unsorted" : "small", {}, sort);
    const fs::path csv = dir_.path() / "few.csv";
    for (int round = 0; round < 3; ++round) {
      query::Database db(testing::unsandboxed());
      query::Connection c(db);
      c.execute("COPY (" + people_sql(50) + " OFFSET " + std::to_string(round * 10) + ") TO " +
                query::quote_literal(csv.string()) + " (HEADER)");
      wh_.insert_file(t, csv);
    }
    const auto snap = wh_.snapshot(t);
    EXPECT_EQ(snap->files.size(), 1u) << t.name;
    EXPECT_EQ(snap->total_rows(), 120) << t.name;
  }
}

TEST_P(WarehouseTest, DroppedTablesKeepFilesAndFreeTheirName) {
  auto t = make_people("people");
  insert(t, people(1, 10));
  wh_.drop_table(t.id);
  EXPECT_THROW(sql("SELECT * FROM people"), Error);
  EXPECT_NO_THROW(log_file(t, "00000000000000000001.json"));
  auto t2 = make_people("people");
  EXPECT_NE(t2.id, t.id);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 0);
  EXPECT_EQ(wh_.catalog().get_table(t.id).status, catalog::TableStatus::Dropped);
}

}  // namespace
}  // namespace superstore::storage

namespace superstore::storage {
namespace {

class WarehouseWritesTest : public ::testing::Test {
 protected:
  catalog::TableInfo make_table() {
    catalog::NewTable t;
    t.name = "things";
    t.columns = {{"id", ColumnType::Int64}, {"name", ColumnType::String}};
    return wh_.create_table(t);
  }
  fs::path file(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name) << text;
    return dir_.path() / name;
  }

  TempFolder dir_;
  storage::Warehouse wh_{testing::options_for(dir_.path() / "data")};
};

TEST_F(WarehouseWritesTest, AnExplicitFormatOverridesTheExtensionAndNamesTheFileAsTold) {
  auto t = make_table();
  const fs::path csv = file("rows.txt", "id,name\n1,a\n2,b\n");
  EXPECT_THROW(wh_.insert_file(t, csv), Error) << "by extension, .txt is no format";
  EXPECT_EQ(wh_.insert_file(t, csv, {.format = FileFormat::Csv}).rows, 2);
  EXPECT_EQ(wh_.insert_file(t, file("rows.data", "{\"id\": 3}\n"), {.format = FileFormat::JsonLines}).rows, 1);
  EXPECT_EQ(file_format_from_name("a.PARQUET"), FileFormat::Parquet);
  EXPECT_EQ(file_format_from_name("a.ndjson"), FileFormat::JsonLines);

  const fs::path bad = file("bad.bin", "{\"id\": \"seven\"}\n");
  try {
    wh_.insert_file(t, bad, {.format = FileFormat::JsonLines, .display_name = "the upload"});
    FAIL() << "a bad value was inserted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find(fs::canonical(bad).string()), std::string::npos) << message;
    EXPECT_EQ(message.find("nothing was inserted"), 0u) << message;
  }
  EXPECT_EQ(wh_.snapshot(t)->version, 2);
}

// The header is read with a buffer of its own, smaller than the import's: a record far longer than that
// buffer's usual share, right after the header, still loads whole.
TEST_F(WarehouseWritesTest, ACsvWithRecordsOfAMegabyteAndMoreLoadsWhole) {
  auto t = make_table();
  const std::string long_name(1'500'000, 'x');
  const fs::path csv = file("long.csv", "name,id\n" + long_name + ",1\nshort,2\n");
  EXPECT_EQ(wh_.insert_file(t, csv).rows, 2);
  const auto rows = wh_.query("SELECT id, length(name) AS n FROM things ORDER BY id", {}).page.rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["n"], 1'500'000);
  EXPECT_EQ(rows[1]["n"], 5);
}

// Imports read timestamp text with DuckDB's own cast where it agrees with the TIMESTAMPTZ cast (ICU's) and
// with ICU's elsewhere (warehouse.cpp, timestamp_from_text): every form must land on the instant that
// DuckDB's TIMESTAMPTZ cast of the same text gives, offsets and zone names included.
TEST_F(WarehouseWritesTest, TimestampTextInEveryFormReadsAsDuckDbsTimestamptzCastReadsIt) {
  catalog::NewTable nt;
  nt.name = "times";
  nt.columns = {{"id", ColumnType::Int64}, {"seen", ColumnType::Timestamp}};
  const auto t = wh_.create_table(nt);
  const std::vector<std::string> texts = {"2024-01-01 12:00:00",
                                          "2024-01-01T12:00:00Z",
                                          "2024-01-01 12:00:00 UTC",
                                          "2024-01-01 12:00:00+02",
                                          "2024-01-01T12:00:00.123-02:30",
                                          "2024-01-01 12:00:00+0200",
                                          "2024-01-01 12:00:00-05:00",
                                          "2024-01-01 12:00:00.000-02",
                                          "2024-07-01 12:00:00 Europe/Paris",
                                          "2024-01-01 12:00:00 EST",
                                          "2024-01-01 12:00:00.5",
                                          "2024-01-01",
                                          "2024-01-01 12:00",
                                          "-0044-03-15 12:00:00",
                                          "2024-02-29T23:59:59.999999+14:00",
                                          "2024-01-01 24:00:00",
                                          "2024-01-01T12:00:00-00:30",
                                          "1970-01-01 00:00:00",
                                          "2024/01/01 12:00:00-02",
                                          "2024/01/01 12:00:00"};
  std::string csv = "id,seen\n", ndjson;
  for (size_t i = 0; i < texts.size(); ++i) {
    csv += std::to_string(i) + "," + texts[i] + "\n";
    ndjson += "{\"id\": " + std::to_string(i + texts.size()) + ", \"seen\": \"" + texts[i] + "\"}\n";
  }
  csv += std::to_string(2 * texts.size()) + ",\n";  // empty: NULL
  EXPECT_EQ(wh_.insert_file(t, file("times.csv", csv)).rows, static_cast<int64_t>(texts.size() + 1));
  EXPECT_EQ(wh_.insert_file(t, file("times.ndjson", ndjson)).rows, static_cast<int64_t>(texts.size()));

  query::Database db(testing::unsandboxed());
  query::Connection oracle(db);
  QueryOptions all;
  all.per_page = 100;
  const auto rows = wh_.query("SELECT id, epoch_us(seen) AS us FROM times ORDER BY id", all).page.rows;
  ASSERT_EQ(rows.size(), 2 * texts.size() + 1);
  for (size_t i = 0; i < 2 * texts.size(); ++i) {
    const std::string& text = texts[i % texts.size()];
    const auto expected = oracle.execute("SELECT epoch_us(CAST('" + text + "' AS TIMESTAMPTZ))").get_int64(0, 0);
    EXPECT_EQ(rows[i]["us"], expected) << text << (i < texts.size() ? " (CSV)" : " (NDJSON)");
  }
  EXPECT_TRUE(rows.back()["us"].is_null());
  // The oracle is not the code under test's twin: an offset moves the instant.
  EXPECT_EQ(rows[3]["us"].get<int64_t>() + 2 * 3'600'000'000LL, rows[0]["us"].get<int64_t>());
}

TEST_F(WarehouseWritesTest, DeletePredicatesAreExpressionsOverTheColumnsOnly) {
  auto t = make_table();
  wh_.insert_file(t, file("rows.csv", "id,name\n1,a\n2,b\n"));
  for (const char* bad : {"id IN (SELECT 1)", "id IN (SELECT id FROM things)", "(SELECT count(*) FROM glob('/*')) > 0",
                          "true) UNION ALL SELECT 1 WHERE (true", "id = $1", "true; DROP TABLE things", "nope"}) {
    EXPECT_THROW(wh_.delete_where(t, bad), Error) << bad;
  }
  EXPECT_EQ(wh_.snapshot(t)->version, 1);
  EXPECT_EQ(wh_.delete_where(t, "name = 'a' AND list_contains([1, 2], id)").rows, 1);
}

TEST_F(WarehouseWritesTest, HistoryCountsRowsNetOfRewrittenFiles) {
  auto t = make_table();
  wh_.insert_file(t, file("a.csv", "id,name\n1,a\n2,b\n3,c\n"));
  wh_.insert_file(t, file("b.csv", "id,name\n4,d\n"));  // merged with the small file of version 1
  wh_.delete_where(t, "id = 2");
  const auto h = wh_.history(t, 10);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].operation, "DELETE");
  EXPECT_EQ(h[0].rows_removed, 1);
  EXPECT_EQ(h[0].rows_added, 0);
  EXPECT_EQ(h[1].operation, "WRITE");
  EXPECT_EQ(h[1].rows_added, 1);
  EXPECT_EQ(h[1].rows_removed, 0);
  EXPECT_EQ(h[2].rows_added, 3);
  EXPECT_EQ(h[3].operation, "CREATE TABLE");
  EXPECT_GT(h[3].timestamp_ms, 0);
  EXPECT_EQ(wh_.history(t, 1).size(), 1u);
}

}  // namespace
}  // namespace superstore::storage
