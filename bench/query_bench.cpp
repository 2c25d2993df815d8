// Query benchmark: the four example queries of the fake-data spec, at each scale,
//   - through superstore's HTTP API (POST /execute on a real `superstore serve`, loopback, one keep-alive
//     connection), and
//   - beside them, measured in the same run: DuckDB running the same SQL directly over the same Parquet
//     files (read_parquet with Hive partitions over each table folder), in this process, as it comes and
//     with the Parquet metadata cache that the server's engine uses; before them, the fixed cost of a
//     request: GET /health and /execute of a query that reads no table;
// then request throughput and p50/p99 latency of /execute under concurrent load from a second process
// (wrk, from Debian's packages).
// Usage: query_bench SUPERSTORE_BINARY [--scales 1,100] [--runs 31] [--wrk-seconds 5]
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench_server.h"
#include "query/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using superstore::query::quote_literal;

namespace {

const char* kQueries[][2] = {
    {"department averages",
     "SELECT department, COUNT(*) as count, AVG(salary) as avg_salary FROM fake_users GROUP BY department "
     "ORDER BY avg_salary DESC"},
    {"order revenue by status",
     "SELECT status, COUNT(*) as order_count, SUM(total_amount) as total_revenue, AVG(total_amount) as "
     "avg_order_value FROM fake_orders GROUP BY status"},
    {"analytics by device and country",
     "SELECT device_type, country, COUNT(*) as events, AVG(session_duration) as avg_session_duration, "
     "SUM(CASE WHEN conversion THEN 1 ELSE 0 END) as conversions FROM fake_analytics GROUP BY device_type, "
     "country ORDER BY events DESC"},
    {"inventory by category",
     "SELECT category, COUNT(*) as product_count, AVG(price) as avg_price, SUM(stock_quantity) as "
     "total_inventory FROM fake_products GROUP BY category"},
};
const char* kTables[] = {"fake_users", "fake_orders", "fake_analytics", "fake_products"};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: query_bench SUPERSTORE_BINARY [--scales 1,100] [--runs N] [--wrk-seconds S]\n");
    return 2;
  }
  std::string binary = argv[1];
  std::vector<int64_t> scales = {1, 100};
  int runs = 31, wrk_seconds = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--scales") {
      scales.clear();
      for (size_t p = 0; p <= v.size();) {
        size_t c = v.find(',', p);
        scales.push_back(std::stoll(v.substr(p, c - p)));
        p = c == std::string::npos ? v.size() + 1 : c + 1;
      }
    } else if (a == "--runs") {
      runs = std::stoi(v);
    } else if (a == "--wrk-seconds") {
      wrk_seconds = std::stoi(v);
    }
  }

  for (int64_t scale : scales) {
    // Dev data at this scale: the fake tables are made at start-up, before "listening on".
    const fs::path data_dir =
        fs::temp_directory_path() / ("superstore-qbench-" + std::to_string(getpid()) + "-" + std::to_string(scale));
    bench::Server server =
        bench::start_server(binary, data_dir, {"APP_ENV=dev", "FAKE_DATA_SCALE=" + std::to_string(scale)});
    httplib::Client http("127.0.0.1", server.port);
    http.set_read_timeout(300, 0);
    // One connection for all requests, as applications (and wrk below) keep theirs: a TCP handshake per
    // request would be measured as the server's time. Without TCP_NODELAY the body, written after the
    // headers, would wait for the server's delayed ACK (40 ms) on a connection past its first requests.
    http.set_keep_alive(true);
    http.set_tcp_nodelay(true);
    const std::string token = bench::login(http);
    httplib::Headers auth = {{"Authorization", "Bearer " + token}};

    // The peer reads the very files the server wrote: DuckDB as it comes, and (for information) DuckDB
    // keeping decoded Parquet footers as the server's engine does.
    superstore::query::DatabaseOptions o;
    o.sandboxed = false;
    superstore::query::Database db(o);
    o.cache_parquet_metadata = true;
    superstore::query::Database cached_db(o);
    superstore::query::Connection direct(db), cached(cached_db);
    for (const char* t : kTables) {
      fs::path dir;
      for (const auto& e : fs::directory_iterator(server.data_dir / "warehouse" / "development" / "dev_schema")) {
        if (e.path().filename().string().rfind(std::string(t) + "-", 0) == 0) dir = e.path();
      }
      for (auto* conn : {&direct, &cached}) {
        conn->execute("CREATE VIEW " + std::string(t) + " AS SELECT * FROM read_parquet(" +
                      quote_literal((dir / "**" / "*.parquet").string()) + ", hive_partitioning = true)");
      }
    }

    std::printf("\nscale %lld: median of %d runs, ms\n", static_cast<long long>(scale), runs);
    std::printf("%-34s %10s %10s %8s %10s %14s %8s\n", "query", "/execute", "duckdb", "ratio", "/execute",
                "duckdb+cache", "ratio");
    // What every request pays whatever its query: the HTTP round trip alone, and /execute of a query
    // that reads no table.
    std::vector<double> health, select_one;
    const std::string select_one_body = nlohmann::json{{"query", "SELECT 1 AS one"}}.dump();
    for (int r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      auto res = http.Get("/health");
      health.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      t0 = Clock::now();
      auto one = http.Post("/execute", auth, select_one_body, "application/json");
      select_one.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!res || res->status != 200 || !one || one->status != 200) {
        std::fprintf(stderr, "GET /health or SELECT 1 failed\n");
        return 1;
      }
    }
    std::printf("%-34s %10.2f\n%-34s %10.2f\n", "GET /health (HTTP alone)", median(health), "SELECT 1 (no table)",
                median(select_one));
    // Each peer is measured against the server in a loop of its own, the two taking turns in an order
    // drawn at random every run (the same draws in every benchmark run), so that each follows the other as
    // often as itself. With all three in one loop, the two DuckDB peers, which share this process, often
    // ran right after one another on warm caches, while the server always ran after this process: measured
    // both ways in the same runs, the single loop's ratios were 0.03 to 0.27 higher. And in a fixed order
    // the server's idle gap for the revenue query came to about 10 ms, where httplib's keep-alive wait
    // sleeps 1 ms between polls.
    std::mt19937 order_rng(static_cast<uint32_t>(runs));
    auto server_against = [&](const std::string& body, const std::function<void()>& peer, std::vector<double>& ours,
                              std::vector<double>& theirs) {
      std::bernoulli_distribution coin(0.5);
      for (int r = 0; r < runs; ++r) {
        const bool server_first = coin(order_rng);
        for (int turn = 0; turn < 2; ++turn) {
          auto t0 = Clock::now();
          if ((turn == 0) == server_first) {
            auto res = http.Post("/execute", auth, body, "application/json");
            ours.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            if (!res || res->status != 200) {
              std::fprintf(stderr, "/execute failed: %s\n", res ? res->body.c_str() : "no answer");
              std::exit(1);
            }
          } else {
            peer();
            theirs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          }
        }
      }
    };
    for (const auto& q : kQueries) {
      std::string body = nlohmann::json{{"query", q[1]}, {"per_page", 1000}}.dump();
      std::vector<double> ours, theirs, ours_again, theirs_cached;
      server_against(
          body, [&] { direct.execute(q[1]); }, ours, theirs);
      server_against(
          body, [&] { cached.execute(q[1]); }, ours_again, theirs_cached);
      std::printf("%-34s %10.2f %10.2f %7.2fx %10.2f %14.2f %7.2fx\n", q[0], median(ours), median(theirs),
                  median(ours) / median(theirs), median(ours_again), median(theirs_cached),
                  median(ours_again) / median(theirs_cached));
    }

    // Throughput under load from a second process.
    fs::path script = server.data_dir / "execute.lua";
    std::ofstream(script) << "wrk.method = \"POST\"\n"
                          << "wrk.body = '" << nlohmann::json{{"query", kQueries[1][1]}}.dump() << "'\n"
                          << "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                          << "wrk.headers[\"Authorization\"] = \"Bearer " << token << "\"\n";
    std::string cmd = "wrk -t2 -c8 -d" + std::to_string(wrk_seconds) + "s --latency -s " + script.string() +
                      " http://127.0.0.1:" + std::to_string(server.port) + "/execute 2>&1";
    std::printf("load: %s\n", ("wrk -t2 -c8 -d" + std::to_string(wrk_seconds) + "s, order revenue by status").c_str());
    std::fflush(stdout);
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char line[512];
      while (std::fgets(line, sizeof line, p)) {
        std::string l = line;
        if (l.find("Requests/sec") != std::string::npos || l.find(" 50%") != std::string::npos ||
            l.find(" 99%") != std::string::npos || l.find("Non-2xx") != std::string::npos ||
            l.find("requests in") != std::string::npos) {
          std::printf("  %s", line);
        }
      }
      pclose(p);
    }
    bench::stop_server(server);
  }
  std::printf("target: /execute within 1.1x of direct DuckDB at scale 100\n");
  return 0;
}
