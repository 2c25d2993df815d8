// The fake tables in a real warehouse: created once, reset into fresh tables, described by status, and
// answering the README's example queries exactly as SQLite does over the same generated rows.
#include "fakedata/lifecycle.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "common/error.h"
#include "storage/test_support.h"

namespace superstore::fakedata {
namespace {

namespace fs = std::filesystem;

using storage::testing::options_for;
// A count from the warehouse.
int64_t count(storage::Warehouse& wh, const std::string& sql) { return storage::testing::scalar(wh, sql); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FakeLifecycle, CreatesEachTableOnceWithItsSpec) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  CreateReport first = create_missing(wh, {});
  EXPECT_EQ(first.created, (std::vector<std::string>{"fake_users", "fake_products", "fake_orders", "fake_analytics"}));
  EXPECT_TRUE(first.existing.empty());
  for (const auto& ft : tables()) {
    auto t = wh.table(ft.spec.name, "development", "dev_schema");
    EXPECT_EQ(t.columns, ft.spec.columns);
    EXPECT_EQ(t.partition_keys, ft.spec.partition_keys);
    EXPECT_EQ(t.sort_keys, ft.spec.sort_keys);
    EXPECT_EQ(t.target_file_bytes, ft.spec.target_file_bytes);
    EXPECT_EQ(t.properties["seed"], 42);
    EXPECT_EQ(t.properties["scale"], 1);
    EXPECT_EQ(count(wh, "SELECT count(*) FROM " + ft.spec.name), static_cast<int64_t>(ft.spec.base_rows));
    EXPECT_EQ(wh.snapshot(t)->version, 1) << "one commit holds all the rows";
  }
  CreateReport second = create_missing(wh, {});
  EXPECT_TRUE(second.created.empty());
  EXPECT_EQ(second.existing.size(), 4u);
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_users"), 1000);
  EXPECT_EQ(wh.catalog().list_tables(true).size(), 4u);
}

TEST(FakeLifecycle, CreatesOnlyTheMissingOnes) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  auto products = wh.table("fake_products", "development", "dev_schema");
  wh.drop_table(products.id);
  CreateReport r = create_missing(wh, {});
  EXPECT_EQ(r.created, std::vector<std::string>{"fake_products"});
  EXPECT_EQ(r.existing.size(), 3u);
}

// A table made from a request body is made again from the spec recorded with it, whose keys are sorted:
// there 'case' comes before 'template', and the generator is still the template.
TEST(FakeLifecycle, ASpecTableIsMadeAgainFromItsRecordedSpec) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  const SpecSource body{"request body", R"(tables:
  - name: fake_contacts
    rows: 20
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: email, type: String, gen: {template: "User.{id}@Example.COM", case: lower}}
)"};
  LifecycleOptions options;
  options.spec_tables = spec_tables(wh, {}, {body});
  ASSERT_EQ(options.spec_tables.size(), 1u);
  create_missing(wh, options);

  std::vector<FakeTable> recorded;
  ASSERT_NO_THROW(recorded = spec_tables(wh, {}));
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].properties["spec_digest"], options.spec_tables[0].properties["spec_digest"]);
  options.spec_tables = recorded;
  options.only = {"fake_contacts"};
  const int64_t before = wh.table("fake_contacts", "development", "dev_schema").id;
  reset(wh, options);
  EXPECT_NE(wh.table("fake_contacts", "development", "dev_schema").id, before);
  storage::QueryOptions q;
  EXPECT_EQ(wh.query("SELECT email FROM fake_contacts WHERE id = 7", q).page.rows.at(0)["email"], "user.7@example.com");
}

TEST(FakeLifecycle, ResetReplacesTablesAndKeepsTheOldOnesDropped) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  auto old_users = wh.table("fake_users", "development", "dev_schema");
  LifecycleOptions other;
  other.seed = 7;
  CreateReport r = reset(wh, other);
  EXPECT_EQ(r.created.size(), 4u);
  EXPECT_EQ(r.dropped_ids.size(), 4u);
  auto new_users = wh.table("fake_users", "development", "dev_schema");
  EXPECT_NE(new_users.id, old_users.id);
  EXPECT_EQ(new_users.properties["seed"], 7);
  EXPECT_EQ(wh.catalog().get_table(old_users.id).status, catalog::TableStatus::Dropped);
  EXPECT_TRUE(fs::exists(dir.path() / "warehouse" / old_users.location / "_delta_log" / "00000000000000000001.json"));
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_users"), 1000);
  EXPECT_EQ(wh.catalog().list_tables(true).size(), 8u);
}

// The entries of a folder (table folders of a schema), to see that a failed reset left none behind.
size_t entries_in(const fs::path& folder) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

TEST(FakeLifecycle, AResetThatFailsForOneTableChangesNoneAndLeavesNothingOnDisk) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  std::map<std::string, int64_t> before;
  for (const auto& ft : tables()) before[ft.spec.name] = wh.table(ft.spec.name, "development", "dev_schema").id;
  const fs::path schema_dir = dir.path() / "warehouse" / "development" / "dev_schema";
  const size_t folders = entries_in(schema_dir);

  // A fifth table whose rows fail part-way, as a write does when the disk fills up.
  FakeTable broken = find_table("fake_products");
  broken.spec.name = "fake_broken";
  const FillRows fill = broken.fill;
  broken.fill = [fill](const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
    for (uint64_t row : rows) {
      if (row >= 300) fail(ErrorCode::InsufficientStorage, "no space left on device while writing a test table");
    }
    fill(params, rows, columns, out);
  };
  LifecycleOptions options;
  options.seed = 7;
  options.spec_tables = {broken};
  try {
    reset(wh, options);
    ADD_FAILURE() << "the reset succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InsufficientStorage);
    EXPECT_NE(std::string(e.what()).find("no space left on device"), std::string::npos) << e.what();
  }
  for (const auto& [name, id] : before) {
    auto t = wh.table(name, "development", "dev_schema");
    EXPECT_EQ(t.id, id) << name << " was replaced although the reset failed";
    EXPECT_EQ(t.properties["seed"], 42);
  }
  EXPECT_FALSE(wh.catalog().find_table("development", "dev_schema", "fake_broken"));
  EXPECT_EQ(wh.catalog().list_tables(true).size(), 4u);
  EXPECT_EQ(entries_in(schema_dir), folders) << "the tables built before the failure were not removed";
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_orders"), 5000);
}

TEST(FakeLifecycle, AResetKeepsTheNewestDroppedGenerationsAndRemovesTheOlderOnes) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options;
  options.only = {"fake_products"};
  options.keep_dropped = 1;
  options.min_dropped_age = std::chrono::milliseconds(0);
  create_missing(wh, {});
  std::vector<catalog::TableInfo> generations = {wh.table("fake_products", "development", "dev_schema")};
  std::vector<std::vector<int64_t>> removed;
  std::shared_ptr<const storage::Snapshot> read_before_last_reset;
  for (int i = 0; i < 3; ++i) {
    // A query that began before this reset holds the snapshot of the table it replaces.
    read_before_last_reset = wh.snapshot(generations.back());
    removed.push_back(reset(wh, options).removed_ids);
    generations.push_back(wh.table("fake_products", "development", "dev_schema"));
  }
  // Generation 0 goes with the second reset, 1 with the third; 2, the one just replaced, stays.
  EXPECT_TRUE(removed[0].empty());
  EXPECT_EQ(removed[1], std::vector<int64_t>{generations[0].id});
  EXPECT_EQ(removed[2], std::vector<int64_t>{generations[1].id});
  const fs::path root = dir.path() / "warehouse";
  for (int g : {0, 1}) {
    EXPECT_THROW(wh.catalog().get_table(generations[static_cast<size_t>(g)].id), Error);
    EXPECT_FALSE(fs::exists(root / generations[static_cast<size_t>(g)].location)) << "generation " << g;
  }
  EXPECT_EQ(wh.catalog().get_table(generations[2].id).status, catalog::TableStatus::Dropped);
  for (const auto& f : read_before_last_reset->files) {
    EXPECT_TRUE(fs::exists(root / generations[2].location / f.path)) << f.path << " vanished under a reader";
  }
  // The other fake tables were not reset and lost nothing.
  EXPECT_EQ(wh.catalog().list_tables(true).size(), 3u + 2u);
}

TEST(FakeLifecycle, ADroppedGenerationYoungerThanTheQueryTimeLimitIsKept) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options;
  options.only = {"fake_products"};
  options.keep_dropped = 0;  // even with none to keep, a generation a query may still read stays
  options.min_dropped_age = std::chrono::hours(1);
  create_missing(wh, {});
  const auto first = wh.table("fake_products", "development", "dev_schema");
  EXPECT_TRUE(reset(wh, options).removed_ids.empty());
  EXPECT_TRUE(reset(wh, options).removed_ids.empty());
  EXPECT_TRUE(fs::exists(dir.path() / "warehouse" / first.location));
  options.min_dropped_age = std::chrono::milliseconds(0);
  EXPECT_EQ(reset(wh, options).removed_ids.size(), 3u);
}

// fake_orders and fake_analytics come in files of kSelectiveFileBytes, each a slice of the sort key, so
// that pruning from the log opens the few files a range of it needs; the other two keep the default.
TEST(FakeLifecycle, RangeQueriedTablesComeInSmallFilesCutAlongTheSortKey) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options;
  options.scale = 20;
  create_missing(wh, options);
  for (const auto& ft : tables()) {
    const auto t = wh.table(ft.spec.name, "development", "dev_schema");
    const bool small = ft.spec.name == "fake_orders" || ft.spec.name == "fake_analytics";
    EXPECT_EQ(t.target_file_bytes, small ? kSelectiveFileBytes : 0) << ft.spec.name;
    if (!small) continue;
    const std::string key = ft.spec.sort_keys.front();
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> ranges;  // partition -> [min, max]
    for (const auto& f : wh.snapshot(t)->files) {
      EXPECT_LE(f.size, 2 * kSelectiveFileBytes) << f.path;
      ASSERT_TRUE(f.stats.has_value()) << f.path;
      ranges[fs::path(f.path).parent_path().string()].emplace_back(f.stats->min_values.at(key).get<std::string>(),
                                                                   f.stats->max_values.at(key).get<std::string>());
    }
    size_t most = 0;
    for (auto& [partition, slices] : ranges) {
      most = std::max(most, slices.size());
      std::sort(slices.begin(), slices.end());
      for (size_t i = 1; i < slices.size(); ++i) {
        EXPECT_LE(slices[i - 1].second, slices[i].first) << ft.spec.name << " " << partition << ": files overlap";
      }
    }
    // fake_analytics spreads its rows over about 60 partitions: at scale 20 each fits one file.
    if (ft.spec.name == "fake_orders") {
      EXPECT_GE(most, 3u) << "its largest partition is one or two files at scale 20";
    }
  }
}

TEST(FakeLifecycle, SameSeedGivesIdenticalFilesAndAnotherSeedOthers) {
  TempFolder a, b, c;
  storage::Warehouse wa(options_for(a.path())), wb(options_for(b.path())), wc(options_for(c.path()));
  create_missing(wa, {});
  LifecycleOptions two_threads;
  two_threads.threads = 2;
  create_missing(wb, two_threads);
  LifecycleOptions seven;
  seven.seed = 7;
  create_missing(wc, seven);
  for (const auto& ft : tables()) {
    auto ta = wa.table(ft.spec.name, "development", "dev_schema");
    auto sa = wa.snapshot(ta);
    auto sb = wb.snapshot(wb.table(ft.spec.name, "development", "dev_schema"));
    ASSERT_EQ(sa->files.size(), sb->files.size()) << ft.spec.name;
    EXPECT_EQ(ta.id, wb.table(ft.spec.name, "development", "dev_schema").id) << "table ids follow the registry";
    for (size_t i = 0; i < sa->files.size(); ++i) {
      // Same folder and bytes; the file names carry micro-partition ids, which depend on which table
      // finished first.
      ASSERT_EQ(std::filesystem::path(sa->files[i].path).parent_path(),
                std::filesystem::path(sb->files[i].path).parent_path());
      EXPECT_EQ(slurp(a.path() / "warehouse" / ta.location / sa->files[i].path),
                slurp(b.path() / "warehouse" / ta.location / sb->files[i].path))
          << ft.spec.name << " " << sa->files[i].path << " differs between two runs with one seed";
    }
  }
  storage::QueryOptions q;
  auto digest = [&](storage::Warehouse& wh) {
    return wh.query("SELECT sum(hash(id, email, salary, created_at)) AS h FROM fake_users", q).page.rows[0]["h"];
  };
  EXPECT_EQ(digest(wa), digest(wb));
  EXPECT_NE(digest(wa), digest(wc));
}

TEST(FakeLifecycle, RelationsHoldInTheWarehouseAtScale) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions three;
  three.scale = 3;
  create_missing(wh, three);
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_orders"), 15000);
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_orders o ANTI JOIN fake_users u ON o.user_id = u.id"), 0);
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_analytics a ANTI JOIN fake_users u ON a.user_id = u.id"), 0);
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_orders o ANTI JOIN fake_products p ON o.product_name = p.name"), 0);
  EXPECT_EQ(count(wh,
                  "SELECT count(*) FROM fake_orders o JOIN fake_products p ON o.product_name = p.name "
                  "WHERE o.unit_price <> p.price"),
            0);
  EXPECT_EQ(count(wh, "SELECT count(*) FROM fake_orders WHERE round(quantity * unit_price, 2) <> total_amount"), 0);
  EXPECT_EQ(count(wh,
                  "SELECT count(*) FROM fake_orders o JOIN fake_users u ON o.user_id = u.id "
                  "WHERE o.order_date <= u.created_at"),
            0);
  EXPECT_EQ(count(wh, "SELECT count(DISTINCT email) FROM fake_users"), 3000);
}

TEST(FakeLifecycle, StatusDescribesEveryTable) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  nlohmann::json before = status(wh);
  ASSERT_EQ(before["tables"].size(), 4u);
  for (const auto& t : before["tables"]) EXPECT_FALSE(t["exists"].get<bool>());
  create_missing(wh, {});
  nlohmann::json s = status(wh);
  for (const auto& t : s["tables"]) {
    ASSERT_TRUE(t["exists"].get<bool>()) << t["name"];
    EXPECT_EQ(t["rows"], t["base_rows"]);
    EXPECT_GT(t["bytes"].get<int64_t>(), 0);
    EXPECT_GE(t["micro_partitions"].get<int64_t>(), 1);
    EXPECT_EQ(t["version"], 1);
    EXPECT_EQ(t["seed"], 42);
    EXPECT_EQ(t["columns"].size(), t["column_count"]);
    const auto& id = t["columns"][0];
    EXPECT_EQ(id["name"], "id");
    EXPECT_EQ(id["min"], 1);
    EXPECT_EQ(id["max"], t["base_rows"]);
    EXPECT_EQ(id["null_count"], 0);
    EXPECT_EQ(id["distinct_count"], t["base_rows"]);
  }
  const auto& users = s["tables"][0];
  ASSERT_EQ(users["name"], "fake_users");
  for (const auto& c : users["columns"]) {
    if (c["name"] == "department") {
      EXPECT_EQ(c["min"], "Engineering");
      EXPECT_EQ(c["max"], "Sales");
      EXPECT_EQ(c["distinct_count"], 5);
    }
  }
}

// --- The README's four example queries, against the same rows loaded into SQLite. ---

void load_into_sqlite(sqlite3* db, const FakeTable& table, const Params& params) {
  const auto& spec = table.spec;
  std::string cols, marks;
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    cols += (i ? ", " : "") + spec.columns[i].name;
    marks += i ? ", ?" : "?";
  }
  ASSERT_EQ(sqlite3_exec(db, ("CREATE TABLE " + spec.name + " (" + cols + ")").c_str(), nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, ("INSERT INTO " + spec.name + " VALUES (" + marks + ")").c_str(), -1, &st, nullptr);
  ColumnBatch b = generate(table, params, 0, spec.rows(params));
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (size_t r = 0; r < b.rows(); ++r) {
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      int at = static_cast<int>(c + 1);
      if (b[c].is_null(r)) {
        sqlite3_bind_null(st, at);
      } else if (spec.columns[c].type == ColumnType::Float64) {
        sqlite3_bind_double(st, at, b[c].double_at(r));
      } else if (spec.columns[c].type == ColumnType::String) {
        auto s = b[c].string_at(r);
        sqlite3_bind_text(st, at, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_int64(st, at, b[c].int_at(r));
      }
    }
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(st);
}

TEST(FakeLifecycle, ExampleQueriesAgreeWithSqlite) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  for (const auto& t : tables()) load_into_sqlite(db, t, Params{});

  // The spec's queries, with ORDER BY added where the spec leaves row order open, so rows pair up.
  const std::vector<std::string> queries = {
      "SELECT department, COUNT(*) as count, AVG(salary) as avg_salary FROM fake_users "
      "GROUP BY department ORDER BY avg_salary DESC",
      "SELECT status, COUNT(*) as order_count, SUM(total_amount) as total_revenue, "
      "AVG(total_amount) as avg_order_value FROM fake_orders GROUP BY status ORDER BY status",
      "SELECT device_type, country, COUNT(*) as events, AVG(session_duration) as avg_session_duration, "
      "SUM(CASE WHEN conversion THEN 1 ELSE 0 END) as conversions FROM fake_analytics "
      "GROUP BY device_type, country ORDER BY events DESC, device_type, country",
      "SELECT category, COUNT(*) as product_count, AVG(price) as avg_price, SUM(stock_quantity) as total_inventory "
      "FROM fake_products GROUP BY category ORDER BY category"};
  for (const auto& q : queries) {
    storage::QueryOptions o;
    o.per_page = 10000;
    auto ours = wh.query(q, o).page;
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    size_t row = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      ASSERT_LT(row, ours.rows.size()) << q;
      const auto& o_row = ours.rows[row++];
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto& v = o_row[ours.columns[static_cast<size_t>(c)].name];
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_INTEGER:
            EXPECT_EQ(v.get<int64_t>(), sqlite3_column_int64(st, c)) << q;
            break;
          case SQLITE_FLOAT:
            EXPECT_NEAR(v.get<double>(), sqlite3_column_double(st, c), 1e-6 * std::abs(v.get<double>()) + 1e-9) << q;
            break;
          default:
            EXPECT_EQ(v.get<std::string>(), reinterpret_cast<const char*>(sqlite3_column_text(st, c))) << q;
            break;
        }
      }
    }
    EXPECT_EQ(row, ours.rows.size()) << q;
    EXPECT_GT(row, 2u) << q;
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace superstore::fakedata
