// Pruning benchmark (issue 19): selective queries (a point lookup by id, a one-week time range, a
// partition plus a week) and the four example queries through POST /execute on a real `superstore serve`
// with dev data, each beside DuckDB over the same Parquet files in this process (a glob per table folder,
// Hive partitioning, Parquet footer cache on, as the server's engine has it), taking turns in the same
// run. Prints medians, the ratio, the files the server opened, CPU per query and each process's peak
// memory. With --copies-mib M it also copies fake_analytics and fake_orders into tables of target file
// size M MiB (same partitions and sort keys) and runs the selective and full-scan queries on them too:
// the layout trade-off of smaller files.
// Usage: prune_bench SUPERSTORE_BINARY [--scale 1000] [--runs 15] [--copies-mib 0]
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench_server.h"
#include "query/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using superstore::query::quote_literal;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Query {
  std::string name;
  std::string sql;
  bool selective;
};

}  // namespace

// The server of the run, stopped (and its DATA_DIR removed) however the benchmark ends.
static bench::Server* running = nullptr;
static void stop_running() {
  if (running && running->pid > 0) bench::stop_server(*running);
  running = nullptr;
}

static int run(int argc, char** argv);

int main(int argc, char** argv) {
  std::atexit(stop_running);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prune_bench: %s\n", e.what());
    return 1;
  }
}

static int run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: prune_bench SUPERSTORE_BINARY [--scale 1000] [--runs 15] [--copies-mib 0]\n");
    return 2;
  }
  const std::string binary = argv[1];
  int64_t scale = 1000, copies_mib = 0;
  int runs = 15;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--scale") scale = std::stoll(v);
    if (a == "--runs") runs = std::stoi(v);
    if (a == "--copies-mib") copies_mib = std::stoll(v);
  }

  const fs::path data_dir = fs::temp_directory_path() / ("prune-bench-" + std::to_string(getpid()));
  const auto started = Clock::now();
  bench::Server server =
      bench::start_server(binary, data_dir, {"APP_ENV=dev", "FAKE_DATA_SCALE=" + std::to_string(scale)});
  running = &server;
  std::printf("scale %lld: server ready with dev data in %.1f s\n", static_cast<long long>(scale),
              std::chrono::duration<double>(Clock::now() - started).count());
  httplib::Client http("127.0.0.1", server.port);
  http.set_read_timeout(600, 0);
  http.set_write_timeout(600, 0);
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);
  const httplib::Headers auth = {{"Authorization", "Bearer " + bench::login(http)}};

  superstore::query::DatabaseOptions o;
  o.sandboxed = false;
  o.cache_parquet_metadata = true;
  superstore::query::Database db(o);
  superstore::query::Connection peer(db);
  const fs::path schema_dir = server.data_dir / "warehouse" / "development" / "dev_schema";
  auto folder_of = [&](const std::string& table) {
    for (const auto& e : fs::directory_iterator(schema_dir)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(table + "-", 0) == 0 &&
          name.find_first_not_of("0123456789", table.size() + 1) == std::string::npos) {
        return e.path();
      }
    }
    std::fprintf(stderr, "no folder for %s\n", table.c_str());
    std::exit(1);
  };
  auto peer_view = [&](const std::string& table) {
    peer.execute("CREATE OR REPLACE VIEW " + table + " AS SELECT * FROM read_parquet(" +
                 quote_literal((folder_of(table) / "**" / "*.parquet").string()) + ", hive_partitioning = true)");
  };
  for (const char* t : {"fake_users", "fake_orders", "fake_analytics", "fake_products"}) peer_view(t);
  auto text = [&](const std::string& sql) { return peer.execute(sql).get_string(0, 0); };

  // Constants from the data: an id in the middle, the week five weeks before the newest row, the busiest
  // partition.
  auto middle_id = [&](const std::string& table) {
    return text("SELECT id::VARCHAR FROM " + table + " WHERE id >= (SELECT (min(id) + max(id)) // 2 FROM " + table +
                ") ORDER BY id LIMIT 1");
  };
  auto week = [&](const std::string& table, const std::string& column) {
    const std::string from = text("SELECT strftime(max(" + column + ") - INTERVAL 35 DAY, '%Y-%m-%d') FROM " + table);
    const std::string to = text("SELECT strftime(max(" + column + ") - INTERVAL 28 DAY, '%Y-%m-%d') FROM " + table);
    return column + " >= TIMESTAMP '" + from + "' AND " + column + " < TIMESTAMP '" + to + "'";
  };
  const std::string order_id = middle_id("fake_orders"), event_id = middle_id("fake_analytics");
  const std::string analytics_week = week("fake_analytics", "event_date"),
                    orders_week = week("fake_orders", "order_date");
  auto busiest = peer.execute(
      "SELECT country, device_type FROM fake_analytics GROUP BY ALL ORDER BY count(*) DESC, country, device_type LIMIT "
      "1");
  const std::string partition =
      "country = '" + busiest.get_string(0, 0) + "' AND device_type = '" + busiest.get_string(1, 0) + "'";

  auto selective = [&](const std::string& analytics, const std::string& orders) {
    return std::vector<Query>{
        {"point: " + orders + " id", "SELECT * FROM " + orders + " WHERE id = " + order_id, true},
        {"point: " + analytics + " id", "SELECT * FROM " + analytics + " WHERE id = " + event_id, true},
        {"week: " + analytics,
         "SELECT count(*) AS events, avg(session_duration) AS avg_duration, sum(page_views) AS views FROM " +
             analytics + " WHERE " + analytics_week,
         true},
        {"week: " + orders,
         "SELECT status, count(*) AS orders, sum(total_amount) AS revenue FROM " + orders + " WHERE " + orders_week +
             " GROUP BY status ORDER BY status",
         true},
        {"partition + week: " + analytics,
         "SELECT count(*) AS events, avg(session_duration) AS avg_duration FROM " + analytics + " WHERE " + partition +
             " AND " + analytics_week,
         true},
    };
  };
  std::vector<Query> queries = selective("fake_analytics", "fake_orders");
  const std::vector<Query> examples = {
      {"example: department averages",
       "SELECT department, COUNT(*) as count, AVG(salary) as avg_salary FROM fake_users GROUP BY department "
       "ORDER BY avg_salary DESC",
       false},
      {"example: order revenue by status",
       "SELECT status, COUNT(*) as order_count, SUM(total_amount) as total_revenue, AVG(total_amount) as "
       "avg_order_value FROM fake_orders GROUP BY status",
       false},
      {"example: analytics by device/country",
       "SELECT device_type, country, COUNT(*) as events, AVG(session_duration) as avg_session_duration, "
       "SUM(CASE WHEN conversion THEN 1 ELSE 0 END) as conversions FROM fake_analytics GROUP BY device_type, "
       "country ORDER BY events DESC",
       false},
      {"example: inventory by category",
       "SELECT category, COUNT(*) as product_count, AVG(price) as avg_price, SUM(stock_quantity) as "
       "total_inventory FROM fake_products GROUP BY category",
       false},
  };
  queries.insert(queries.end(), examples.begin(), examples.end());

  if (copies_mib > 0) {
    // Copies of the two event tables with smaller files: the layout that gives pruning files to skip.
    struct Copy {
      const char* from;
      const char* to;
      json partition_by, sort_by;
    };
    const Copy copies[] = {{"fake_analytics", "analytics_small", {"country", "device_type"}, {"event_date"}},
                           {"fake_orders", "orders_small", {"status"}, {"order_date", "id"}}};
    for (const auto& c : copies) {
      const auto t0 = Clock::now();
      json columns = json::array();
      auto described = peer.execute("SELECT column_name, column_type FROM (DESCRIBE " + std::string(c.from) + ")");
      const std::map<std::string, std::string> kTypes = {
          {"BIGINT", "Int64"},   {"INTEGER", "Int32"},
          {"SMALLINT", "Int16"}, {"DOUBLE", "Float64"},
          {"VARCHAR", "String"}, {"BOOLEAN", "Boolean"},
          {"DATE", "Date"},      {"TIMESTAMP WITH TIME ZONE", "Timestamp"}};
      std::string select;
      for (size_t r = 0; r < described.row_count(); ++r) {
        const std::string name = described.get_string(0, r), type = described.get_string(1, r);
        columns.push_back({{"name", name}, {"type", kTypes.at(type)}});
        select += (select.empty() ? "" : ", ") + name;
      }
      const json body = {{"database", "development"},
                         {"schema", "dev_schema"},
                         {"name", c.to},
                         {"columns", columns},
                         {"partition_by", c.partition_by},
                         {"sort_by", c.sort_by},
                         {"target_file_size", copies_mib << 20}};
      auto created = http.Post("/tables", auth, body.dump(), "application/json");
      if (!created || created->status != 201) {
        std::fprintf(stderr, "creating %s failed: %s\n", c.to, created ? created->body.c_str() : "no answer");
        return 1;
      }
      const json table = json::parse(created->body);
      const fs::path file = server.data_dir / (std::string(c.to) + ".parquet");
      peer.execute("COPY (SELECT " + select + " FROM " + c.from + ") TO " + quote_literal(file.string()) +
                   " (FORMAT parquet)");
      std::ifstream in(file, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      fs::remove(file);
      auto inserted =
          http.Post("/table/" + table["id"].dump() + "/rows", auth, bytes, "application/vnd.apache.parquet");
      if (!inserted || inserted->status != 200) {
        std::fprintf(stderr, "filling %s failed: %s\n", c.to, inserted ? inserted->body.c_str() : "no answer");
        return 1;
      }
      peer_view(c.to);
      std::printf("copied %s into %s (target file size %lld MiB) in %.1f s: %s\n", c.from, c.to,
                  static_cast<long long>(copies_mib), std::chrono::duration<double>(Clock::now() - t0).count(),
                  inserted->body.c_str());
    }
    for (auto& q : selective("analytics_small", "orders_small")) queries.push_back(q);
    // The example queries on the copies: what smaller files cost a full scan.
    queries.push_back({"example on analytics_small", examples[2].sql, false});
    queries.back().sql.replace(queries.back().sql.find("fake_analytics"), 14, "analytics_small");
    queries.push_back({"example on orders_small", examples[1].sql, false});
    queries.back().sql.replace(queries.back().sql.find("fake_orders"), 11, "orders_small");
  }

  std::printf(
      "\nmedian of %d runs each, server and DuckDB taking turns in a random order; ms, CPU ms per query, "
      "peak RSS MiB\n",
      runs);
  std::printf("%-44s %9s %9s %7s %11s %9s %9s %9s %9s\n", "query", "/execute", "duckdb", "ratio", "files", "cpu srv",
              "cpu duck", "peak srv", "peak bch");
  std::mt19937 order_rng(static_cast<uint32_t>(runs));
  for (const auto& q : queries) {
    const std::string body = json{{"query", q.sql}, {"per_page", 1000}}.dump();
    std::vector<double> ours, theirs;
    double server_cpu = 0, peer_cpu = 0;
    json last;
    size_t peer_rows = 0;
    bench::reset_peak_rss(server.pid);
    bench::reset_peak_rss(0);
    std::bernoulli_distribution coin(0.5);
    for (int r = 0; r < runs; ++r) {
      const bool server_first = coin(order_rng);
      for (int turn = 0; turn < 2; ++turn) {
        if ((turn == 0) == server_first) {
          const double cpu0 = bench::cpu_seconds(server.pid);
          const auto t0 = Clock::now();
          auto res = http.Post("/execute", auth, body, "application/json");
          ours.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          server_cpu += bench::cpu_seconds(server.pid) - cpu0;
          if (!res || res->status != 200) {
            std::fprintf(stderr, "/execute failed for %s: %s\n", q.name.c_str(), res ? res->body.c_str() : "no answer");
            return 1;
          }
          last = json::parse(res->body);
        } else {
          const double cpu0 = bench::cpu_seconds(0);
          const auto t0 = Clock::now();
          peer_rows = peer.execute(q.sql).row_count();
          theirs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          peer_cpu += bench::cpu_seconds(0) - cpu0;
        }
      }
    }
    if (last["total"].get<size_t>() != peer_rows) {
      std::fprintf(stderr, "%s: the server answered %zu rows, DuckDB %zu\n", q.name.c_str(),
                   last["total"].get<size_t>(), peer_rows);
      return 1;
    }
    const json& stats = last["stats"];
    const std::string files =
        std::to_string(stats.value("files_scanned", -1)) + "/" + std::to_string(stats.value("files_in_tables", -1));
    std::printf("%-44s %9.2f %9.2f %6.2fx %11s %9.2f %9.2f %9.0f %9.0f%s\n", q.name.c_str(), median(ours),
                median(theirs), median(ours) / median(theirs), files.c_str(), server_cpu * 1000 / runs,
                peer_cpu * 1000 / runs, bench::peak_rss_mib(server.pid), bench::peak_rss_mib(0),
                q.selective ? "  (selective)" : "");
    std::fflush(stdout);
  }
  std::printf("targets (issue 19): selective queries <= 0.33x (3x faster than DuckDB), the rest <= 1.05x\n");
  stop_running();
  return 0;
}
