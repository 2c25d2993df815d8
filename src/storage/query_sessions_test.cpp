// Warehouse::query on pooled sessions: views are reused only while they read what their name means now.
#include "storage/query_sessions.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "storage/test_support.h"
#include "storage/warehouse.h"

namespace superstore::storage {
namespace {

const std::vector<ColumnDef> kColumns = {{"id", ColumnType::Int64}, {"dept", ColumnType::String}};

ColumnBatch rows(int64_t first, int64_t count) {
  ColumnBatch b(kColumns);
  for (int64_t i = first; i < first + count; ++i) {
    b[0].push_int(i);
    b[1].push_string(i % 2 ? "Sales" : "R&D Lab");
  }
  return b;
}

class QuerySessionsTest : public ::testing::Test {
 protected:
  catalog::TableInfo make(const std::string& name, const std::string& database = "main") {
    catalog::NewTable t;
    t.name = name;
    t.database = database;
    t.columns = kColumns;
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    return wh_.create_table(t);
  }
  void insert(const catalog::TableInfo& t, int64_t first, int64_t count) {
    auto w = wh_.writer(t);
    w->add(rows(first, count));
    w->commit_insert();
  }
  QueryAnswer run(const std::string& sql, std::optional<int64_t> version = {}) {
    QueryOptions o;
    o.version = version;
    return wh_.query(sql, o);
  }
  int64_t count(const std::string& sql, std::optional<int64_t> version = {}) {
    return run(sql, version).page.rows.at(0).begin()->get<int64_t>();
  }

  TempFolder dir_;
  Warehouse wh_{[this] {
    WarehouseOptions o;
    o.data_dir = dir_.path();
    return o;
  }()};
};

// query_table() would reach a view by a name the SQL never spells, so a stale view must not outlive the
// request that finds it stale, even when that request does not name it. User SQL may no longer call
// query_table() at all (query/table_reads.h); the views are still dropped, as a second wall.
TEST_F(QuerySessionsTest, ADroppedOrReplacedTableIsNeverReadThroughALeftoverView) {
  auto t = make("people");
  insert(t, 1, 10);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 10);
  EXPECT_THROW(run("SELECT count(*) FROM query_table('peo' || 'ple')"), Error) << "refused by the tables-only rule";
  wh_.drop_table(t.id);
  EXPECT_THROW(run("SELECT count(*) FROM query_table('peo' || 'ple')"), Error);
  EXPECT_THROW(run("SELECT count(*) FROM people"), Error);

  auto t2 = make("people");
  insert(t2, 1, 3);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 3);
  // A new version leaves the view behind: a query that does not name it cannot read the old rows.
  insert(t2, 100, 4);
  EXPECT_THROW(run("SELECT count(*) FROM query_table('peo' || 'ple')"), Error);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 7);

  // A table replaced in one step (a fake-data reset does this) has a new id under the same name.
  catalog::NewTable same;
  same.name = "people";
  same.columns = kColumns;
  same.partition_keys = {"dept"};
  wh_.create_table_with(
      same, [](TableWriter& w) { w.add(rows(1, 2)); }, t2.id);
  EXPECT_THROW(run("SELECT count(*) FROM query_table('peo' || 'ple')"), Error);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 2);
}

TEST_F(QuerySessionsTest, ViewsFollowNewVersionsAndTimeTravelInAnyOrder) {
  auto t = make("people");
  insert(t, 1, 100);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 100);
  insert(t, 101, 50);
  EXPECT_EQ(count("SELECT count(*) FROM people"), 150);
  EXPECT_EQ(count("SELECT count(*) FROM people", 1), 100);
  EXPECT_THROW(run("SELECT count(*) FROM query_table('peo' || 'ple')"), Error)
      << "a time-travel view is never reused by a query that does not name its table";
  EXPECT_EQ(count("SELECT count(*) FROM people"), 150);
  EXPECT_EQ(count("SELECT count(*) FROM people", 2), 150);
  EXPECT_EQ(count("SELECT count(*) FROM people", 0), 0);
  wh_.delete_where(t, "id <= 10");
  EXPECT_EQ(count("SELECT count(*) FROM people"), 140);
  auto answer = run("SELECT count(*) FROM people");
  ASSERT_EQ(answer.read.size(), 1u);
  EXPECT_EQ(answer.read[0].version, 3);
  EXPECT_EQ(answer.read[0].rows, 140);
  EXPECT_EQ(answer.read[0].bytes, wh_.snapshot(t)->total_bytes());
}

TEST_F(QuerySessionsTest, AmbiguousAndMissingNamesStillFailAfterTheirViewsWereCached) {
  make("events", "development");
  EXPECT_EQ(count("SELECT count(*) FROM events"), 0);
  make("events", "main");
  EXPECT_THROW(run("SELECT count(*) FROM events"), Error);
  EXPECT_THROW(run("SELECT count(*) FROM query_table('eve' || 'nts')"), Error);
  // The parser, asked only when a word spells an ambiguous name, tells a table from a mere word.
  EXPECT_THROW(run("SELECT * FROM (SELECT 1 AS x) AS t, Events"), Error);
  auto t = make("people");
  insert(t, 1, 4);
  auto answer = run("SELECT 1 AS events, count(*) AS n FROM people");
  EXPECT_EQ(answer.tables, std::vector<std::string>{"people"});
  EXPECT_EQ(answer.page.rows.at(0)["n"], 4);
  EXPECT_THROW(wh_.query("SELECT 1", {}, {"missing_table"}), Error);
}

TEST_F(QuerySessionsTest, SetseedInOneQueryDoesNotDecideTheNextOnesRandomNumbers) {
  query::Database plain(testing::unsandboxed());
  query::Connection fresh(plain);
  fresh.execute("SELECT setseed(0.5)");
  const double seeded = fresh.execute("SELECT random()").get_double(0, 0);
  run("SELECT setseed(0.5)");
  EXPECT_NE(run("SELECT random() AS r").page.rows[0]["r"].get<double>(), seeded);
  // The reseed runs only after queries that may have seeded; this one does so without spelling setseed in
  // lower case (user SQL can no longer run SQL text through query(), which could hide the name entirely).
  run("SELECT SetSeed(0.5)");
  EXPECT_NE(run("SELECT random() AS r").page.rows[0]["r"].get<double>(), seeded);
  // Without the reseed the same session would go on from the seed: the check above can fail.
  query::Connection same(plain);
  same.execute("SELECT * FROM query('SELECT set' || 'seed(0.5)')");
  EXPECT_EQ(same.execute("SELECT random()").get_double(0, 0), seeded);
}

TEST_F(QuerySessionsTest, ConcurrentQueriesSeeWholeCommitsWhileATableGrows) {
  auto a = make("alpha");
  auto b = make("beta");
  insert(a, 1, 10);
  insert(b, 1, 10);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, ran{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      for (int n = 0; n < 25 || !done; ++n) {
        try {
          const bool on_alpha = (n + r) % 2 == 0;
          int64_t c = count(on_alpha ? "SELECT count(*) FROM alpha" : "SELECT count(*) FROM beta");
          if (on_alpha ? c % 10 != 0 : c != 10) ++bad;
        } catch (const Error& e) {
          ADD_FAILURE() << e.what();
        }
        ++ran;
      }
    });
  }
  for (int i = 1; i <= 8; ++i) insert(a, 100 * i, 10);
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM alpha"), 90);
}

TEST(QuerySessions, ALeaseReturnsItsSessionOnlyWhenKept) {
  query::Database db(testing::unsandboxed());
  QuerySessions pool(db, 1);
  QuerySession* first = nullptr;
  {
    auto lease = pool.take();
    first = &*lease;
    lease.keep();
  }
  EXPECT_EQ(pool.idle(), 1u);
  {
    auto lease = pool.take();
    EXPECT_EQ(&*lease, first);
    EXPECT_EQ(pool.idle(), 0u);
  }
  EXPECT_EQ(pool.idle(), 0u) << "not kept: closed";
  {
    auto l1 = pool.take(), l2 = pool.take();
    l1.keep();
    l2.keep();
  }
  EXPECT_EQ(pool.idle(), 1u) << "at most max_idle stay";
}

}  // namespace
}  // namespace superstore::storage
