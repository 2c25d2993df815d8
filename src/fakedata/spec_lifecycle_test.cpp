// Spec tables in a real warehouse: created once beside the built-in tables, never over a real table,
// reset one by one, described by status (with the spec's digest and whether it changed), made again
// from the spec recorded with them, byte-identical in two data folders; and the example specs of the
// four built-in tables generate what the built-in generators do (schemas, keys, domains, relations).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.h"
#include "fakedata/lifecycle.h"
#include "fakedata/time_units.h"
#include "storage/test_support.h"
#include "support/temp_folder.h"

namespace superstore::fakedata {
namespace {

namespace fs = std::filesystem;
using superstore::TempFolder;

const std::string kSpec = R"(tables:
  - name: subscriptions
    description: Plans users pay for.
    rows: 300
    partition_by: [plan]
    sort_by: [started_at, id]
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: user_id, type: Int64, gen: {ref: fake_users.id}}
      - {name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}
      - {name: started_at, type: Timestamp, gen: {timestamp: {after: user_id.created_at, before: anchor}}}
  - name: invoices
    database: billing
    schema: ledger
    rows: 500
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: subscription_id, type: Int64, gen: {ref: subscriptions.id}}
      - {name: amount, type: Float64, gen: {decimal: {min: 1, max: 500, decimals: 2}}}
)";

using storage::testing::options_for;
using storage::testing::scalar;

std::set<std::string> values(storage::Warehouse& wh, const std::string& sql) {
  storage::QueryOptions q;
  q.per_page = 10'000;
  std::set<std::string> out;
  for (const auto& row : wh.query(sql, q).page.rows) out.insert(row.begin()->get<std::string>());
  return out;
}

LifecycleOptions with_specs(const std::vector<SpecSource>& sources, storage::Warehouse& wh) {
  LifecycleOptions o;
  o.spec_tables = spec_tables(wh, sources);
  return o;
}

TEST(SpecLifecycle, CreatesSpecTablesOnceBesideTheBuiltInOnes) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  const LifecycleOptions options = with_specs({{"s.yaml", kSpec}}, wh);
  const CreateReport first = create_missing(wh, options);
  EXPECT_EQ(first.created, (std::vector<std::string>{"fake_users", "fake_products", "fake_orders", "fake_analytics",
                                                     "subscriptions", "invoices"}));
  const CreateReport second = create_missing(wh, options);
  EXPECT_TRUE(second.created.empty());
  EXPECT_EQ(second.existing.size(), 6u);

  const catalog::TableInfo invoices = wh.table("invoices", "billing", "ledger");
  EXPECT_EQ(invoices.properties["spec_source"], "s.yaml");
  EXPECT_EQ(invoices.properties["spec_generator_version"], kSpecGeneratorVersion);
  EXPECT_EQ(invoices.properties["seed"], 42);
  EXPECT_EQ(invoices.properties["spec_digest"].get<std::string>().size(), 64u);
  EXPECT_EQ(scalar(wh, "SELECT count(*) FROM invoices"), 500);
  // Every reference resolves, through two levels.
  EXPECT_EQ(scalar(wh,
                   "SELECT count(*) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id "
                   "JOIN fake_users u ON u.id = s.user_id WHERE s.started_at >= u.created_at"),
            500);
  EXPECT_EQ(wh.table("subscriptions", "development", "dev_schema").partition_keys, std::vector<std::string>{"plan"});
}

TEST(SpecLifecycle, NeverTakesThePlaceOfARealTableAndCreatesNothingThen) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  catalog::NewTable real;
  real.database = "development";
  real.schema = "dev_schema";
  real.name = "subscriptions";
  real.columns = {{"id", ColumnType::Int64}};
  wh.create_table(real);
  try {
    create_missing(wh, with_specs({{"s.yaml", kSpec}}, wh));
    ADD_FAILURE() << "created over a real table";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_NE(std::string(e.what()).find("development.dev_schema.subscriptions exists and is not a fake table"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(wh.catalog().find_table("billing", "ledger", "invoices"));
  EXPECT_FALSE(wh.catalog().find_table("development", "dev_schema", "fake_users"));
}

TEST(SpecLifecycle, NothingIsCreatedWhenAnyTableOfTheSpecIsInvalid) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  const std::string broken = kSpec + "  - name: bad\n    rows: 5\n    columns: [{name: x, type: Int64, gen: nope}]\n";
  EXPECT_THROW(spec_tables(wh, {{"s.yaml", broken}}), Error);
  EXPECT_TRUE(wh.catalog().list_tables().empty());
}

TEST(SpecLifecycle, ResetsOneTableAndStatusSaysWhenTheSpecChanged) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options = with_specs({{"s.yaml", kSpec}}, wh);
  create_missing(wh, options);
  const int64_t users_id = wh.table("fake_users", "development", "dev_schema").id;
  const int64_t subs_id = wh.table("subscriptions", "development", "dev_schema").id;

  options.only = {"subscriptions"};
  const CreateReport r = reset(wh, options);
  EXPECT_EQ(r.created, std::vector<std::string>{"subscriptions"});
  EXPECT_EQ(r.dropped_ids, std::vector<int64_t>{subs_id});
  EXPECT_EQ(wh.table("fake_users", "development", "dev_schema").id, users_id);  // untouched
  options.only = {"nonesuch"};
  EXPECT_THROW(reset(wh, options), Error);

  nlohmann::json s = status(wh, options.spec_tables);
  const auto entry = [&](const std::string& name) {
    for (const auto& t : s["tables"]) {
      if (t["name"] == name) return t;
    }
    return nlohmann::json();
  };
  EXPECT_EQ(entry("fake_users")["kind"], "built-in");
  EXPECT_EQ(entry("invoices")["kind"], "spec");
  EXPECT_EQ(entry("invoices")["database"], "billing");
  EXPECT_EQ(entry("invoices")["rows"], 500);
  EXPECT_EQ(entry("invoices")["spec_changed"], false);

  // The file changes: status notices, and the table stays as it was until reset.
  std::string edited = kSpec;
  edited.replace(edited.find("max: 500"), 8, "max: 900");
  const std::vector<FakeTable> now = spec_tables(wh, {{"s.yaml", edited}});
  s = status(wh, now);
  EXPECT_EQ(entry("invoices")["spec_changed"], true);
  EXPECT_EQ(entry("subscriptions")["spec_changed"], false);
  EXPECT_LE(scalar(wh, "SELECT max(amount)::BIGINT FROM invoices"), 500);
  LifecycleOptions again;
  again.spec_tables = now;
  again.only = {"invoices"};
  reset(wh, again);
  EXPECT_GT(scalar(wh, "SELECT max(amount)::BIGINT FROM invoices"), 500);
  EXPECT_EQ(entry("invoices")["exists"], true);
  EXPECT_EQ(status(wh, now)["tables"][5]["spec_changed"], false);
}

TEST(SpecLifecycle, ATableMadeFromARequestIsMadeAgainFromItsRecordedSpec) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options;
  options.spec_tables = spec_tables(wh, {}, {{"request body", kSpec}});
  create_missing(wh, options);
  const int64_t before = scalar(wh, "SELECT sum(subscription_id) FROM invoices");
  // No file holds the spec now; the catalog does.
  LifecycleOptions later;
  later.spec_tables = spec_tables(wh, {});
  ASSERT_EQ(later.spec_tables.size(), 2u);
  later.only = {"invoices"};
  reset(wh, later);
  EXPECT_EQ(scalar(wh, "SELECT sum(subscription_id) FROM invoices"), before);
  // A file may not be overridden by a request.
  EXPECT_THROW(spec_tables(wh, {{"s.yaml", kSpec}}, {{"request body", kSpec}}), Error);
}

// Every Parquet file's bytes under `root`, sorted (file names hold ids that need not agree).
std::vector<std::string> parquet_files(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".parquet") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    out.push_back(bytes.str());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SpecLifecycle, TheSameSpecGivesByteIdenticalParquetInTwoDataFolders) {
  TempFolder a, b;
  for (const fs::path& dir : {a.path(), b.path()}) {
    storage::Warehouse wh(options_for(dir));
    LifecycleOptions options = with_specs({{"s.yaml", kSpec}}, wh);
    options.threads = dir == a.path() ? 1 : 2;
    create_missing(wh, options);
  }
  const auto first = parquet_files(a.path() / "warehouse"), second = parquet_files(b.path() / "warehouse");
  EXPECT_GE(first.size(), 6u);
  EXPECT_TRUE(first == second) << "the Parquet files differ";
}

// examples/fake-data holds the four built-in tables written as specs (sample_*): the same schemas,
// keys, domains and relations as the built-in generators make, at two scales.
TEST(SpecLifecycle, TheExampleSpecsMatchTheBuiltInTables) {
  for (const int64_t scale : {1, 2}) {
    TempFolder dir;
    storage::Warehouse wh(options_for(dir.path()));
    LifecycleOptions options =
        with_specs(read_spec_sources(fs::path(SUPERSTORE_SOURCE_DIR) / "examples/fake-data"), wh);
    options.scale = scale;
    create_missing(wh, options);
    for (const std::string name : {"users", "products", "orders", "analytics"}) {
      const catalog::TableInfo built_in = wh.table("fake_" + name, "development", "dev_schema");
      const catalog::TableInfo sample = wh.table("sample_" + name, "development", "dev_schema");
      EXPECT_EQ(sample.columns, built_in.columns) << name;
      EXPECT_EQ(sample.partition_keys, built_in.partition_keys) << name;
      EXPECT_EQ(sample.sort_keys, built_in.sort_keys) << name;
      EXPECT_EQ(scalar(wh, "SELECT count(*) FROM sample_" + name), scalar(wh, "SELECT count(*) FROM fake_" + name));
    }
    // Domains: the same departments, statuses, devices; categories and countries within the built-in ones.
    for (const auto& [table, column, exact] :
         std::vector<std::tuple<std::string, std::string, bool>>{{"users", "department", true},
                                                                 {"orders", "status", true},
                                                                 {"analytics", "device_type", true},
                                                                 {"products", "category", false},
                                                                 {"analytics", "country", false},
                                                                 {"analytics", "browser", false}}) {
      const std::string q = "SELECT DISTINCT " + column + " FROM ";
      const auto spec = values(wh, q + "sample_" + table), built = values(wh, q + "fake_" + table);
      if (exact) {
        EXPECT_EQ(spec, built) << table << "." << column;
      } else {
        EXPECT_TRUE(std::includes(built.begin(), built.end(), spec.begin(), spec.end())) << table << "." << column;
        EXPECT_GE(spec.size() * 2, built.size()) << table << "." << column;
      }
    }
    EXPECT_EQ(scalar(wh, "SELECT count(DISTINCT email) FROM sample_users"), 1000 * scale);
    EXPECT_EQ(scalar(wh, "SELECT count(DISTINCT name) FROM sample_products"), 500 * scale);
    EXPECT_EQ(scalar(wh,
                     "SELECT count(*) FROM sample_users WHERE age NOT BETWEEN 20 AND 68 OR salary < 30000 "
                     "OR salary % 500 <> 0 OR created_at > TIMESTAMPTZ '2024-12-28 00:00:00+00'"),
              0);
    // Relations: every foreign key resolves, unit_price is the product's price, the total is exact to
    // the cent, orders come after the user's sign-up and the product's listing and never after the
    // anchor, visits after the user's sign-up.
    EXPECT_EQ(scalar(wh,
                     "SELECT count(*) FROM sample_orders o LEFT JOIN sample_users u ON u.id = o.user_id "
                     "LEFT JOIN sample_products p ON p.name = o.product_name WHERE u.id IS NULL OR p.id IS NULL "
                     "OR o.unit_price <> p.price OR round(o.quantity * o.unit_price, 2) <> o.total_amount "
                     "OR o.order_date < u.created_at OR o.order_date < p.created_at "
                     "OR o.order_date > TIMESTAMPTZ '2025-01-01 00:00:00+00'"),
              0);
    EXPECT_EQ(
        scalar(wh,
               "SELECT count(*) FROM sample_analytics a LEFT JOIN sample_users u ON u.id = a.user_id "
               "WHERE u.id IS NULL OR a.event_date < u.created_at OR (a.page_views = 1) <> (a.session_duration < 46 "
               "AND NOT a.conversion AND a.page_views = 1)"),
        0);
  }
}

// The expression language against an independent oracle: DuckDB evaluates the same SQL over the stored
// inputs, and every row must agree (NULLs included).
TEST(SpecLifecycle, ExpressionsAgreeWithDuckDBOverTheSameInputs) {
  const std::vector<std::string> expressions = {
      "a + b * 2 - c",
      "a / 4",
      "a % 7",
      "round(b * 3.7, 2)",
      "round(a * 1.5)",
      "case when a > 50 then 'big' when a > 20 then 'mid' else 'small' end",
      "case s when 'x' then 1 when 'y' then 2 end",
      "s || '-' || a",
      "upper(s) || lower(s)",
      "length(t) + 1",
      "substr(t, 2, 3)",
      "substr(t, 0, 3) || substr(t, 4)",
      "least(a, c, 40)",
      "greatest(b, 10.5)",
      "coalesce(n, -1)",
      "n + 1",
      "a between 10 and 60 and not s = 'z'",
      "s in ('x', 'y') or n is null",
      "n is not null and n > a",
      "abs(c - a) * 2",
      "replace(t, 'a', 'A')",
      "trim('  ' || s || '  ')",
      "floor(b)",
      "ceil(b / 3)",
  };
  std::string spec =
      "tables:\n  - name: calc\n    rows: 2000\n    columns:\n"
      "      - {name: a, type: Int64, gen: {int: {min: -5, max: 100}}}\n"
      "      - {name: b, type: Float64, gen: {float: {min: -50, max: 50}}}\n"
      "      - {name: c, type: Int32, gen: {int: {min: 0, max: 70}}}\n"
      "      - {name: s, type: String, gen: {choice: [x, y, z]}}\n"
      "      - {name: t, type: String, gen: {words: city}}\n"
      "      - {name: n, type: Int64, null: 0.3, gen: {int: {min: 0, max: 90}}}\n";
  for (size_t i = 0; i < expressions.size(); ++i) {
    const bool text = expressions[i].find("||") != std::string::npos || expressions[i].starts_with("case when a") ||
                      expressions[i].starts_with("upper") || expressions[i].starts_with("substr") ||
                      expressions[i].starts_with("replace") || expressions[i].starts_with("trim");
    const bool boolean =
        expressions[i].find(" and ") != std::string::npos || expressions[i].find(" or ") != std::string::npos;
    const bool real = expressions[i].find('/') != std::string::npos || expressions[i].find('b') != std::string::npos;
    const std::string type = text ? "String" : boolean ? "Boolean" : real ? "Float64" : "Int64";
    std::string quoted;
    for (char c : expressions[i]) {
      if (c == '"') quoted += '\\';
      quoted += c;
    }
    spec += "      - {name: e" + std::to_string(i) + ", type: " + type + ", gen: {expr: \"" + quoted + "\"}}\n";
  }
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options = with_specs({{"calc.yaml", spec}}, wh);
  create_missing(wh, options);
  for (size_t i = 0; i < expressions.size(); ++i) {
    const std::string e = "e" + std::to_string(i);
    EXPECT_EQ(scalar(wh, "SELECT count(*) FROM calc WHERE " + e + " IS DISTINCT FROM (" + expressions[i] + ")"), 0)
        << expressions[i];
    EXPECT_EQ(scalar(wh, "SELECT count(*) FROM calc"), 2000);
  }
}

// A spec table with `grows:` moves with the fake world's clock: per_day x scale rows born a day, evenly,
// with their birth in the time column (which later columns read); 3 + 4 days equal 7 and a fresh create
// 7 days later; every reference still resolves; a spec table without `grows` stays as it was.
const std::string kGrowingSpec = R"(tables:
  - name: signups
    rows: 200
    grows: {per_day: 12, time_column: signed_up_at}
    partition_by: [plan]
    sort_by: [signed_up_at]
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: user_id, type: Int64, gen: {ref: fake_users.id}}
      - {name: plan, type: String, gen: {choice: {free: 60, pro: 40}}}
      - {name: signed_up_at, type: Timestamp, gen: {timestamp: {after: -90d, before: anchor}}}
      - {name: first_paid, type: Date, null: 0.5, gen: {date: {after: signed_up_at, within: 30d}}}
  - name: still
    rows: 50
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: at, type: Timestamp, gen: {timestamp: {after: -30d, before: anchor}}}
)";

std::string table_digest(storage::Warehouse& wh, const std::string& table) {
  storage::QueryOptions q;
  return wh
      .query("SELECT count(*) AS n, md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY t.id)) AS h FROM " + table + " t",
             q)
      .page.rows.at(0)
      .dump();
}

TEST(SpecLifecycle, AGrowingSpecTableMovesWithTheClock) {
  TempFolder a_dir, b_dir, c_dir;
  storage::Warehouse a(options_for(a_dir.path())), b(options_for(b_dir.path())), c(options_for(c_dir.path()));
  const std::vector<SpecSource> sources{{"growing.yaml", kGrowingSpec}};
  create_missing(a, with_specs(sources, a));
  create_missing(b, with_specs(sources, b));
  LifecycleOptions later = with_specs(sources, c);
  later.anchor_us = kDefaultAnchorUs + 7 * kDayUs;
  create_missing(c, later);
  EXPECT_EQ(scalar(a, "SELECT count(*) FROM signups"), 200);
  const std::string still = table_digest(a, "still");
  const int64_t still_version = a.snapshot(a.table("still", "development", "dev_schema"))->version;

  AdvanceOptions three, four, seven;
  three.days = 3;
  four.days = 4;
  seven.days = 7;
  const AdvanceReport first = advance(a, three);
  ASSERT_EQ(first.tables.size(), 5u) << first.tables.dump();
  EXPECT_EQ(first.tables[4]["name"], "signups");
  EXPECT_EQ(first.tables[4]["rows_added"], 36);
  advance(a, four);
  advance(b, seven);
  EXPECT_EQ(table_digest(a, "signups"), table_digest(b, "signups"));
  EXPECT_EQ(table_digest(a, "signups"), table_digest(c, "signups"));
  EXPECT_EQ(scalar(a, "SELECT count(*) FROM signups"), 200 + 7 * 12);
  // Twelve births in each of the seven days (a row born at an anchor exists at it, so a day is (d, d + 1]).
  EXPECT_EQ(scalar(a,
                   "SELECT count(*) FROM (SELECT date_trunc('day', signed_up_at - INTERVAL 1 MICROSECOND) AS d, "
                   "count(*) AS n FROM signups WHERE id > 200 GROUP BY d "
                   "HAVING n = 12 AND d >= DATE '2025-01-01' AND d < DATE '2025-01-08')"),
            7);
  EXPECT_EQ(scalar(a, "SELECT count(*) FROM signups WHERE id <= 200 AND signed_up_at > TIMESTAMP '2025-01-01'"), 0);
  EXPECT_EQ(scalar(a, "SELECT count(*) FROM signups WHERE first_paid < CAST(signed_up_at AS DATE)"), 0);
  EXPECT_EQ(scalar(a, "SELECT count(*) FROM signups s LEFT JOIN fake_users u ON u.id = s.user_id WHERE u.id IS NULL"),
            0);
  EXPECT_EQ(table_digest(a, "still"), still);
  EXPECT_EQ(a.snapshot(a.table("still", "development", "dev_schema"))->version, still_version);
  EXPECT_EQ(a.table("signups", "development", "dev_schema").properties["anchor"], "2025-01-08T00:00:00Z");
}

TEST(SpecLifecycle, GrowsIsCheckedLikeEveryOtherKey) {
  const auto problem = [](const std::string& grows) {
    const std::string spec = "tables:\n  - name: g\n    rows: 5\n    grows: " + grows +
                             "\n    columns:\n      - {name: id, type: Int64, gen: sequence}\n"
                             "      - {name: at, type: Timestamp, gen: {timestamp: {before: anchor}}}\n";
    try {
      compile_specs({{"g.yaml", spec}});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("compiled");
  };
  EXPECT_NE(problem("{per_day: 3, time_column: at}").find("compiled"), std::string::npos);
  EXPECT_NE(problem("{per_day: 0, time_column: at}").find("per_day must be a whole number from 1"), std::string::npos);
  EXPECT_NE(problem("{per_day: 2.5, time_column: at}").find("per_day must be a whole number"), std::string::npos);
  EXPECT_NE(problem("{per_day: 3}").find("grows takes {per_day: N, time_column: COLUMN}"), std::string::npos);
  EXPECT_NE(problem("{per_day: 3, time_column: nope}").find("'nope', which is not a visible column"),
            std::string::npos);
  EXPECT_NE(problem("{per_day: 3, time_column: id}").find("it must be a Timestamp or Date column"), std::string::npos);
  EXPECT_NE(problem("{per_day: 3, time_column: at, every: 1d}").find("unknown key 'every'"), std::string::npos);
  EXPECT_NE(problem("[3, at]").find("grows takes"), std::string::npos);
}

}  // namespace
}  // namespace superstore::fakedata
