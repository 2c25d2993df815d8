// Fake-data benchmark: for each scale, all four fake tables
//   1. generated only (rows/s),
//   2. generated, sorted, partitioned, written as Parquet and committed by superstore (rows/s),
//   3. beside them, the peer measured in the same run: DuckDB writing the same rows, already
//      materialised in an in-memory table, to Hive-partitioned Parquet with COPY ... PARTITION_BY.
// Usage: fakedata_bench [--scales 1,100,1000] [--threads N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/allocator.h"
#include "fakedata/fakedata.h"
#include "fakedata/lifecycle.h"
#include "query/appender.h"
#include "query/database.h"
#include "storage/warehouse.h"

using namespace superstore;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

fs::path fresh_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("superstore-bench-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

struct Figures {
  uint64_t rows = 0;
  double generate_s = 0, ours_s = 0, duckdb_s = 0;
};

Figures run_scale(int64_t scale, int threads) {
  Figures f;
  fakedata::Params params;
  params.scale = scale;
  for (const auto& t : fakedata::tables()) f.rows += t.spec.rows(params);

  // 1. Generation alone.
  auto t0 = Clock::now();
  uint64_t seen = 0;
  for (const auto& t : fakedata::tables()) {
    fakedata::generate_parallel(t, params, static_cast<unsigned>(threads), fakedata::kDefaultBatchRows,
                                [&](ColumnBatch&& b) { seen += b.rows(); });
  }
  f.generate_s = since(t0);
  if (seen != f.rows) std::abort();

  // 2. superstore end to end.
  fs::path ours = fresh_dir("ours");
  {
    storage::WarehouseOptions o;
    o.data_dir = ours;
    storage::Warehouse wh(o);
    fakedata::LifecycleOptions lo;
    lo.scale = scale;
    lo.threads = threads;
    t0 = Clock::now();
    fakedata::create_missing(wh, lo);
    f.ours_s = since(t0);
  }
  fs::remove_all(ours);

  // 3. DuckDB alone: the same rows, materialised first (not timed), then COPY ... PARTITION_BY (timed).
  fs::path peer = fresh_dir("duckdb");
  query::DatabaseOptions dbo;
  dbo.sandboxed = false;
  dbo.temp_directory = (peer / "tmp").string();
  query::Database db(dbo);
  query::Connection conn(db);
  for (const auto& t : fakedata::tables()) {
    std::string cols;
    for (const auto& c : t.spec.columns) {
      cols += (cols.empty() ? "" : ", ") + query::quote_identifier(c.name) + " " + std::string(duckdb_type_name(c.type));
    }
    conn.execute("CREATE TABLE " + t.spec.name + " (" + cols + ")");
    query::Appender app(conn, t.spec.name);
    fakedata::generate_parallel(t, params, static_cast<unsigned>(threads), 65536, [&](ColumnBatch&& b) { app.append(b); });
    app.close();
  }
  t0 = Clock::now();
  for (const auto& t : fakedata::tables()) {
    std::string keys;
    for (const auto& k : t.spec.partition_keys) keys += (keys.empty() ? "" : ", ") + query::quote_identifier(k);
    conn.execute("COPY " + t.spec.name + " TO " + query::quote_literal((peer / t.spec.name).string()) +
                 " (FORMAT parquet, PARTITION_BY (" + keys + "))");
  }
  f.duckdb_s = since(t0);
  fs::remove_all(peer);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator_for_bulk_work();  // as superstore's main does; it applies to the peer's work too
  std::vector<int64_t> scales = {1, 100, 1000};
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--scales") {
      scales.clear();
      std::string s = argv[i + 1];
      for (size_t p = 0; p <= s.size();) {
        size_t c = s.find(',', p);
        scales.push_back(std::stoll(s.substr(p, c - p)));
        p = c == std::string::npos ? s.size() + 1 : c + 1;
      }
    } else if (a == "--threads") {
      threads = std::atoi(argv[i + 1]);
    }
  }
  std::printf("fake-data benchmark: 4 tables, %d threads\n", threads);
  std::printf("%6s %11s | %14s | %14s %9s | %14s %9s | %12s\n", "scale", "rows", "generate rows/s", "superstore rows/s",
              "seconds", "duckdb rows/s", "seconds", "ours/duckdb");
  for (int64_t scale : scales) {
    Figures f = run_scale(scale, threads);
    auto rate = [&](double s) { return static_cast<double>(f.rows) / s; };
    std::printf("%6lld %11llu | %14.0f | %17.0f %9.3f | %14.0f %9.3f | %11.2fx\n", static_cast<long long>(scale),
                static_cast<unsigned long long>(f.rows), rate(f.generate_s), rate(f.ours_s), f.ours_s,
                rate(f.duckdb_s), f.duckdb_s, f.ours_s / f.duckdb_s);
    std::fflush(stdout);
  }
  std::printf("targets: scale 1 ready in under 0.3 s; at scale 1000 superstore within 1.5x of duckdb\n");
  return 0;
}
