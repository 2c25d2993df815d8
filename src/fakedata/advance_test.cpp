// fake-data advance in a real warehouse: days that add up, the same world as a fresh create at the later
// anchor, one version per table per step with time travel to each, status changes that move orders
// between partition files, the background tick under concurrent queries, and every bad input.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "common/error.h"
#include "fakedata/lifecycle.h"
#include "fakedata/ticker.h"
#include "fakedata/time_units.h"
#include "storage/test_support.h"

namespace superstore::fakedata {
namespace {

using storage::testing::options_for;

// Rows and a digest of every row in id order, optionally at an older version of the table.
std::string fingerprint(storage::Warehouse& wh, const std::string& table, std::optional<int64_t> version = {}) {
  storage::QueryOptions q;
  if (version) q.table_versions[table] = *version;
  const auto page =
      wh.query("SELECT count(*) AS n, md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY t.id)) AS h FROM " + table + " t",
               q)
          .page;
  return page.rows.at(0).dump();
}

std::map<std::string, std::string> fingerprints(storage::Warehouse& wh) {
  std::map<std::string, std::string> out;
  for (const FakeTable& t : tables()) out[t.spec.name] = fingerprint(wh, t.spec.name);
  return out;
}

AdvanceOptions days(int64_t n) {
  AdvanceOptions o;
  o.days = n;
  return o;
}

LifecycleOptions anchored(int64_t anchor_us) {
  LifecycleOptions o;
  o.anchor_us = anchor_us;
  return o;
}

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::Internal;  // nothing thrown: no code the tests expect
}

TEST(FakeAdvance, ThreePlusFourDaysEqualSevenAndAFreshCreateSevenDaysLater) {
  TempFolder a_dir, b_dir, c_dir;
  storage::Warehouse a(options_for(a_dir.path())), b(options_for(b_dir.path())), c(options_for(c_dir.path()));
  create_missing(a, {});
  create_missing(b, {});
  create_missing(c, anchored(kDefaultAnchorUs + 7 * kDayUs));
  const auto before = fingerprints(a);
  AdvanceReport first = advance(a, days(3));
  EXPECT_EQ(first.from_us, kDefaultAnchorUs);
  EXPECT_EQ(first.to_us, kDefaultAnchorUs + 3 * kDayUs);
  advance(a, days(4));
  advance(b, days(7));
  const auto after = fingerprints(a);
  EXPECT_EQ(after, fingerprints(b));
  EXPECT_EQ(after, fingerprints(c));
  for (const auto& [name, digest] : after) EXPECT_NE(digest, before.at(name)) << name << " did not move";
  EXPECT_EQ(a.table("fake_orders", "development", "dev_schema").properties["anchor"], "2025-01-08T00:00:00Z");
}

TEST(FakeAdvance, EachStepIsOneVersionAndTimeTravelShowsTheEarlierWorld) {
  TempFolder dir, fresh_dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  std::vector<std::map<std::string, std::string>> worlds = {fingerprints(wh)};
  for (int step = 0; step < 3; ++step) {
    const AdvanceReport r = advance(wh, days(2));
    ASSERT_EQ(r.tables.size(), 4u);
    for (const auto& t : r.tables) EXPECT_EQ(t["version"].get<int64_t>(), 2 + step) << t["name"];
    worlds.push_back(fingerprints(wh));
  }
  for (const FakeTable& t : tables()) {
    for (int64_t version = 1; version <= 4; ++version) {
      EXPECT_EQ(fingerprint(wh, t.spec.name, version), worlds[static_cast<size_t>(version - 1)][t.spec.name])
          << t.spec.name << " at version " << version;
    }
  }
  // A reset goes back to the base anchor.
  reset(wh, {});
  EXPECT_EQ(fingerprints(wh), worlds[0]);
}

// Orders change status, so their files in the old status's partition are replaced; visits never change,
// so a day only adds files to them.
TEST(FakeAdvance, ChangedRowsMoveBetweenPartitionFilesInTheSameCommit) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  LifecycleOptions options;
  options.scale = 3;
  create_missing(wh, options);
  const AdvanceReport r = advance(wh, days(1));
  for (const auto& t : r.tables) {
    const std::string name = t["name"];
    if (name == "fake_orders") {
      EXPECT_GT(t["rows_changed"].get<int64_t>(), 0);
      EXPECT_GT(t["files_removed"].get<int64_t>(), 0);
    }
    if (name == "fake_analytics") {
      EXPECT_EQ(t["rows_changed"].get<int64_t>(), 0);
      EXPECT_EQ(t["files_removed"].get<int64_t>(), 0);
    }
    EXPECT_GT(t["files_added"].get<int64_t>(), 0) << name;
  }
  // Every status partition holds exactly the orders of that status: none left behind in its old one.
  const int64_t misplaced = storage::testing::scalar(wh, "SELECT count(*) - count(DISTINCT id) FROM fake_orders");
  EXPECT_EQ(misplaced, 0);
  Params p;
  p.scale = 3;
  p.anchor_us = kDefaultAnchorUs + kDayUs;
  EXPECT_EQ(storage::testing::scalar(wh, "SELECT count(*) FROM fake_orders"),
            static_cast<int64_t>(find_table("fake_orders").spec.rows(p)));
}

TEST(FakeAdvance, BadInputIsRefusedBeforeAnythingIsWritten) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  EXPECT_EQ(code_of([&] { advance(wh, days(1)); }), ErrorCode::NotFound);  // no tables yet
  create_missing(wh, {});
  const auto before = fingerprints(wh);
  for (int64_t n : {0, -1, 3'651}) EXPECT_EQ(code_of([&] { advance(wh, days(n)); }), ErrorCode::InvalidArgument) << n;
  AdvanceOptions back;
  back.to_us = kDefaultAnchorUs - kDayUs;
  EXPECT_EQ(code_of([&] { advance(wh, back); }), ErrorCode::InvalidArgument);
  AdvanceOptions same;
  same.to_us = kDefaultAnchorUs;
  EXPECT_EQ(code_of([&] { advance(wh, same); }), ErrorCode::InvalidArgument);
  AdvanceOptions far;
  far.to_us = kDefaultAnchorUs + 3'651 * kDayUs;
  EXPECT_EQ(code_of([&] { advance(wh, far); }), ErrorCode::InvalidArgument);
  AdvanceOptions both = days(1);
  both.to_us = kDefaultAnchorUs + kDayUs;
  EXPECT_EQ(code_of([&] { advance(wh, both); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(fingerprints(wh), before);
  for (const FakeTable& t : tables()) {
    EXPECT_EQ(wh.snapshot(wh.table(t.spec.name, "development", "dev_schema"))->version, 1) << t.spec.name;
  }
  // A table whose rows no longer match its anchor (edited by hand, or a stopped advance) is a conflict.
  wh.delete_where(wh.table("fake_analytics", "development", "dev_schema"), "id = 5");
  EXPECT_EQ(code_of([&] { advance(wh, days(1)); }), ErrorCode::Conflict);
  EXPECT_EQ(wh.snapshot(wh.table("fake_users", "development", "dev_schema"))->version, 1);
  // Tables at different anchors are a conflict too.
  reset(wh, {});
  LifecycleOptions one = anchored(kDefaultAnchorUs + kDayUs);
  one.only = {"fake_products"};
  reset(wh, one);
  EXPECT_EQ(code_of([&] { advance(wh, days(1)); }), ErrorCode::Conflict);
}

// A tick that finds another lifecycle change running (a reset) skips, and says so.
TEST(FakeAdvance, ATickWaitsForNoResetAndSkips) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  std::atomic<int> ticks{0}, skipped{0};
  {
    std::lock_guard busy(lifecycle_mutex());
    AdvanceTicker ticker(
        wh, std::chrono::milliseconds(100), [&](const AdvanceReport&) { ++ticks; },
        [&](const std::string& message) {
          if (message.find("skipped") != std::string::npos) ++skipped;
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(450));
  }
  EXPECT_EQ(ticks.load(), 0);
  EXPECT_GE(skipped.load(), 2);
  EXPECT_EQ(wh.snapshot(wh.table("fake_orders", "development", "dev_schema"))->version, 1);
}

// A world at scale 2 whose clock ticks every `every` while `query` runs again and again (for at least 3 s
// and 3 ticks); `query` returns whether what it saw was whole. Checks that every tick committed and that
// every query saw whole days; returns the ticks.
int ticking_queries(storage::Warehouse& wh, std::chrono::milliseconds every, const std::function<bool()>& query) {
  LifecycleOptions options;
  options.scale = 2;
  create_missing(wh, options);
  std::atomic<int> ticks{0}, errors{0};
  int64_t queries = 0, bad = 0;
  {
    AdvanceTicker ticker(
        wh, every, [&](const AdvanceReport&) { ++ticks; }, [&](const std::string&) { ++errors; });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < until || ticks < 3) {
      ++queries;
      if (!query()) ++bad;
    }
  }
  EXPECT_GE(ticks.load(), 3);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(queries, 10);
  EXPECT_EQ(bad, 0) << "of " << queries << " queries";
  return ticks.load();
}

// The rows table `name` holds at scale 2 on each of the first 400 days.
std::vector<int64_t> rows_by_day(const std::string& name) {
  std::vector<int64_t> out;
  for (int64_t day = 0; day <= 400; ++day) {
    Params p;
    p.scale = 2;
    p.anchor_us = kDefaultAnchorUs + day * kDayUs;
    out.push_back(static_cast<int64_t>(find_table(name).spec.rows(p)));
  }
  return out;
}

// The background clock ticks while queries run: every query sees whole days, never a table with a row
// missing or twice (which a half-applied rewrite would show).
TEST(FakeAdvance, TicksNeverShowAHalfAppliedDay) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  const auto orders = rows_by_day("fake_orders");
  const std::set<int64_t> valid_counts(orders.begin(), orders.end());
  const int ticks = ticking_queries(wh, std::chrono::milliseconds(100), [&] {
    storage::QueryOptions q;
    const auto row =
        wh.query("SELECT count(*) AS n, count(DISTINCT id) AS ids, max(id) AS top FROM fake_orders", q).page.rows.at(0);
    const int64_t n = row["n"], ids = row["ids"], top = row["top"];
    return n == ids && n == top && valid_counts.count(n) > 0;
  });
  const auto t = wh.table("fake_orders", "development", "dev_schema");
  EXPECT_EQ(t.properties["anchor_us"].get<int64_t>(), kDefaultAnchorUs + ticks * kDayUs);
}

// One query reading several tables while the clock ticks sees them all on the same day: the rows of
// users, orders and products it counts are those of one anchor, never users of the next day beside
// orders of the last (each tick commits the tables one after another).
TEST(FakeAdvance, AQueryOfSeveralTablesSeesThemAllOnTheSameDay) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  const auto users = rows_by_day("fake_users"), orders = rows_by_day("fake_orders"),
             products = rows_by_day("fake_products");
  std::set<std::tuple<int64_t, int64_t, int64_t>> days;
  for (size_t d = 0; d < users.size(); ++d) days.insert({users[d], orders[d], products[d]});
  ticking_queries(wh, std::chrono::milliseconds(50), [&] {
    storage::QueryOptions q;
    const auto row = wh.query(
                           "SELECT (SELECT count(*) FROM fake_users) AS u, (SELECT count(*) FROM fake_orders) AS o, "
                           "(SELECT count(*) FROM fake_products) AS p",
                           q)
                         .page.rows.at(0);
    return days.count({row["u"].get<int64_t>(), row["o"].get<int64_t>(), row["p"].get<int64_t>()}) > 0;
  });
  for (const auto& t : wh.catalog().list_tables()) {
    EXPECT_FALSE(t.properties.contains(storage::kVisibleVersionProperty)) << t.name << " kept its pin";
  }
}

// A table pinned by an advance that stopped part-way is read at its pin, and the next lifecycle call
// takes the versions past the pin back with one RESTORE commit, after which the table holds what it held.
TEST(FakeAdvance, TheVersionsPastAPinAreTakenBack) {
  TempFolder dir;
  storage::Warehouse wh(options_for(dir.path()));
  create_missing(wh, {});
  const auto before = fingerprints(wh);
  auto users = wh.table("fake_users", "development", "dev_schema");
  const int64_t pin = wh.snapshot(users)->version;
  nlohmann::json pinned = users.properties;
  pinned[storage::kVisibleVersionProperty] = pin;
  wh.catalog().set_tables_properties({{users.id, pinned}});
  // What a killed advance leaves: a commit past the pin (here a delete of half the rows).
  EXPECT_EQ(wh.writer(users)->delete_where("id % 2 = 0").rows, 500);
  EXPECT_EQ(fingerprints(wh), before) << "a reader saw past the pin";
  EXPECT_EQ(take_back_interrupted_advance(wh), 1);
  users = wh.table("fake_users", "development", "dev_schema");
  EXPECT_FALSE(users.properties.contains(storage::kVisibleVersionProperty));
  EXPECT_EQ(wh.snapshot(users)->version, pin + 2) << "one commit to delete, one to restore";
  EXPECT_EQ(fingerprints(wh), before);
  EXPECT_EQ(wh.history(users, 1).at(0).operation, "RESTORE");
  EXPECT_EQ(take_back_interrupted_advance(wh), 0);
  EXPECT_EQ(advance(wh, days(1)).tables.size(), 4u);
}

}  // namespace
}  // namespace superstore::fakedata
