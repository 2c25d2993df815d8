// Fake-data benchmark: for each scale, all four fake tables
//   1. generated only (rows/s),
//   2. generated, sorted, partitioned, written as Parquet and committed by superstore (rows/s), in a
//      child process whose CPU seconds and peak RSS (wait4's rusage) are its own: the create alone,
//   3. beside them, the peer measured in the same run: DuckDB writing the same rows, already
//      materialised in an in-memory table, to Hive-partitioned Parquet with COPY ... PARTITION_BY (up
//      to --peer-max-scale, as the materialised rows take several GB beyond).
// Then a spec table (fakedata/spec) of ten columns (ids, a skewed ref with parent columns, a choice, a
// skewed int, an expr, timestamps after a parent's, nulls, a template over parent columns, words, a
// bool) at each of --spec-rows, generated only and end to end, beside DuckDB generating comparable rows
// in SQL and writing them sorted and Hive-partitioned (COPY of an ORDER BY ... PARTITION_BY), and the
// time of a 20-row preview. Every line gives the process's peak RSS so far (getrusage).
// Usage: fakedata_bench [--scales 1,100,1000,3000] [--threads N] [--spec-rows 1000000,10000000]
//                       [--memory BYTES (FAKE_DATA_MEMORY)] [--peer-max-scale 1000] [--dir PARENT]
// Scale 10000 (165 M rows) needs about 6 GB of disk: --scales 1,100,1000,3000,10000.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "common/allocator.h"
#include "common/defaults.h"
#include "fakedata/fakedata.h"
#include "fakedata/lifecycle.h"
#include "fakedata/spec/spec.h"
#include "query/appender.h"
#include "query/database.h"
#include "storage/warehouse.h"

using namespace superstore;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

fs::path bench_parent = fs::temp_directory_path();
int64_t key_memory = kDefaultFakeDataMemory;

// A warehouse in `dir` whose writes hold their keys within --memory (FAKE_DATA_MEMORY).
storage::WarehouseOptions bench_options(const fs::path& dir) {
  storage::WarehouseOptions o;
  o.data_dir = dir;
  o.fake_data_memory = key_memory;
  return o;
}

fs::path fresh_dir(const std::string& name) {
  fs::path p = bench_parent / ("superstore-bench-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  for (size_t p = 0; p <= s.size();) {
    size_t c = s.find(',', p);
    out.push_back(std::stoll(s.substr(p, c - p)));
    p = c == std::string::npos ? s.size() + 1 : c + 1;
  }
  return out;
}

// The spec issue's example table, at `rows` rows.
std::string bench_spec(int64_t rows) {
  return R"(tables:
  - name: bench_subscriptions
    rows: )" +
         std::to_string(rows) + R"(
    partition_by: [plan]
    sort_by: [started_at, id]
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: user_id, type: Int64, gen: {ref: fake_users.id, skew: 1.2}}
      - {name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}
      - {name: seats, type: Int32, gen: {int: {min: 1, max: 200, skew: 1.3}}}
      - {name: monthly_price, type: Float64, gen: {expr: "case when plan = 'free' then 0 when plan = 'pro' then 12 else round(8.5 * seats, 2) end"}}
      - {name: started_at, type: Timestamp, gen: {timestamp: {after: user_id.created_at, before: anchor}}}
      - {name: cancelled_at, type: Timestamp, null: 0.7, gen: {timestamp: {after: started_at, within: 180d}}}
      - {name: contact, type: String, gen: {template: "{user_id.first_name}.{user_id.last_name}+{id}@example.com", case: lower}}
      - {name: city, type: String, gen: {words: city}}
      - {name: trial, type: Boolean, gen: {bool: 0.15}}
)";
}

// DuckDB making comparable rows in SQL: the same columns and shapes (random choices, a skewed int, a
// case, timestamps in a window, a text built from parts), sorted and written Hive-partitioned. Picks
// from word lists use CASE over a random number, which DuckDB evaluates far faster than indexing a
// list literal per row.
std::string duckdb_spec_sql(int64_t rows, const fs::path& out) {
  return "COPY (SELECT id, user_id, plan, seats, "
         "CASE WHEN plan = 'free' THEN 0 WHEN plan = 'pro' THEN 12 ELSE round(8.5 * seats, 2) END AS monthly_price, "
         "started_at, CASE WHEN random() < 0.3 THEN started_at + to_seconds((random() * 15552000)::BIGINT) END AS "
         "cancelled_at, "
         "lower('user' || user_id || '.' || CASE (random() * 4)::INT WHEN 0 THEN 'Smith' WHEN 1 THEN 'Jones' "
         "WHEN 2 THEN 'Brown' ELSE 'Lee' END || '+' || id || '@example.com') AS contact, "
         "CASE (random() * 5)::INT WHEN 0 THEN 'New York' WHEN 1 THEN 'Paris' WHEN 2 THEN 'Tokyo' WHEN 3 THEN 'Berlin' "
         "ELSE 'Madrid' END AS city, random() < 0.15 AS trial "
         "FROM (SELECT range + 1 AS id, 1 + (random() * random() * random() * 1000)::BIGINT AS user_id, "
         "CASE WHEN r < 0.6 THEN 'free' WHEN r < 0.9 THEN 'pro' ELSE 'team' END AS plan, "
         "(1 + random() * random() * 199)::INTEGER AS seats, "
         "TIMESTAMPTZ '2019-01-01 00:00:00+00' + to_seconds((random() * 189216000)::BIGINT) AS started_at "
         "FROM (SELECT range, random() AS r FROM range(" +
         std::to_string(rows) +
         "))) "
         "ORDER BY plan, started_at, id) TO " +
         query::quote_literal(out.string()) + " (FORMAT parquet, PARTITION_BY (plan))";
}

void run_spec(int64_t rows, int threads) {
  const std::vector<fakedata::FakeTable> tables = fakedata::compile_specs({{"bench", bench_spec(rows)}});
  const fakedata::FakeTable& t = tables.at(0);
  const fakedata::Params params;
  const auto total = static_cast<double>(rows);

  auto t0 = Clock::now();
  const nlohmann::ordered_json sample = fakedata::preview(tables, params, 20);
  const double preview_ms = since(t0) * 1000;
  if (sample["tables"][0]["rows"].size() != 20) std::abort();

  t0 = Clock::now();
  uint64_t seen = 0;
  fakedata::generate_parallel(t, params, static_cast<unsigned>(threads), fakedata::kDefaultBatchRows,
                              [&](ColumnBatch&& b) { seen += b.rows(); });
  const double generate_s = since(t0);
  if (seen != static_cast<uint64_t>(rows)) std::abort();
  const double generate_rss = peak_rss_mib();

  fs::path ours = fresh_dir("spec");
  double ours_s;
  {
    storage::Warehouse wh(bench_options(ours));
    fakedata::LifecycleOptions lo;
    lo.threads = threads;
    fakedata::create_missing(wh, lo);  // the built-in parents, not timed
    lo.spec_tables = tables;
    t0 = Clock::now();
    fakedata::create_missing(wh, lo);
    ours_s = since(t0);
  }
  const double ours_rss = peak_rss_mib();
  fs::remove_all(ours);

  fs::path peer = fresh_dir("spec-duckdb");
  query::DatabaseOptions dbo;
  dbo.sandboxed = false;
  dbo.temp_directory = (peer / "tmp").string();
  double duckdb_s;
  {
    query::Database db(dbo);
    query::Connection conn(db);
    t0 = Clock::now();
    conn.execute(duckdb_spec_sql(rows, peer / "out"));
    duckdb_s = since(t0);
  }
  const double duckdb_rss = peak_rss_mib();
  fs::remove_all(peer);
  std::printf("%11lld | %14.0f %8.0f | %17.0f %9.3f %8.0f | %14.0f %9.3f %8.0f | %10.2fx | %8.1f\n",
              static_cast<long long>(rows), total / generate_s, generate_rss, total / ours_s, ours_s, ours_rss,
              total / duckdb_s, duckdb_s, duckdb_rss, duckdb_s / ours_s, preview_ms);
  std::fflush(stdout);
}

struct Figures {
  uint64_t rows = 0;
  double generate_s = 0, ours_s = 0, ours_cpu_s = 0, ours_peak_mib = 0, duckdb_s = 0;
};

Figures run_scale(int64_t scale, int threads, int64_t peer_max_scale) {
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
  const bench::ChildFigures create = bench::in_child([&] {
    storage::Warehouse wh(bench_options(ours));
    fakedata::LifecycleOptions lo;
    lo.scale = scale;
    lo.threads = threads;
    fakedata::create_missing(wh, lo);
    return std::vector<double>{};
  });
  f.ours_s = create.wall_s;
  f.ours_cpu_s = create.cpu_s;
  f.ours_peak_mib = create.peak_mib;
  fs::remove_all(ours);
  if (scale > peer_max_scale) return f;

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
      cols +=
          (cols.empty() ? "" : ", ") + query::quote_identifier(c.name) + " " + std::string(duckdb_type_name(c.type));
    }
    conn.execute("CREATE TABLE " + t.spec.name + " (" + cols + ")");
    query::Appender app(conn, t.spec.name);
    fakedata::generate_parallel(t, params, static_cast<unsigned>(threads), 65536,
                                [&](ColumnBatch&& b) { app.append(b); });
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
  std::vector<int64_t> scales = {1, 100, 1000, 3000};
  int64_t peer_max_scale = 1000;
  std::vector<int64_t> spec_rows = {1'000'000, 10'000'000};
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--scales") {
      scales = std::string(argv[i + 1]) == "none" ? std::vector<int64_t>{} : parse_list(argv[i + 1]);
    } else if (a == "--spec-rows") {
      spec_rows = std::string(argv[i + 1]) == "none" ? std::vector<int64_t>{} : parse_list(argv[i + 1]);
    } else if (a == "--threads") {
      threads = std::atoi(argv[i + 1]);
    } else if (a == "--memory") {
      key_memory = std::atoll(argv[i + 1]);
    } else if (a == "--peer-max-scale") {
      peer_max_scale = std::atoll(argv[i + 1]);
    } else if (a == "--dir") {
      bench_parent = argv[i + 1];
    }
  }
  std::printf(
      "fake-data benchmark: 4 tables, %d threads, FAKE_DATA_MEMORY %lld MiB; superstore's CPU s and\n"
      "peak MiB are the create's own (a child process); the peer only up to scale %lld\n",
      threads, static_cast<long long>(key_memory >> 20), static_cast<long long>(peer_max_scale));
  std::printf("%6s %11s | %14s | %17s %9s %9s %9s | %14s %9s | %11s\n", "scale", "rows", "generate rows/s",
              "superstore rows/s", "seconds", "CPU s", "peak MiB", "duckdb rows/s", "seconds", "ours/duckdb");
  for (int64_t scale : scales) {
    Figures f = run_scale(scale, threads, peer_max_scale);
    auto rate = [&](double s) { return static_cast<double>(f.rows) / s; };
    std::printf("%6lld %11llu | %14.0f | %17.0f %9.3f %9.2f %9.0f | ", static_cast<long long>(scale),
                static_cast<unsigned long long>(f.rows), rate(f.generate_s), rate(f.ours_s), f.ours_s, f.ours_cpu_s,
                f.ours_peak_mib);
    if (f.duckdb_s > 0) {
      std::printf("%14.0f %9.3f | %10.2fx\n", rate(f.duckdb_s), f.duckdb_s, f.ours_s / f.duckdb_s);
    } else {
      std::printf("%14s %9s | %11s\n", "-", "-", "-");
    }
    std::fflush(stdout);
  }
  std::printf("targets: scale 1 ready in under 0.3 s; at scale 1000 superstore within 1.5x of duckdb\n");
  if (!spec_rows.empty()) {
    std::printf("\nspec table (10 columns), %d threads; peak MiB is the process's peak RSS after the step\n", threads);
    std::printf("%11s | %14s %8s | %17s %9s %8s | %14s %9s %8s | %11s | %8s\n", "rows", "generate rows/s", "peak MiB",
                "superstore rows/s", "seconds", "peak MiB", "duckdb rows/s", "seconds", "peak MiB", "duckdb/ours",
                "preview ms");
    for (int64_t rows : spec_rows) run_spec(rows, threads);
    std::printf("targets: spec tables at >= 1 M rows/s end to end (duckdb/ours >= 1), preview of 20 rows < 50 ms\n");
  }
  return 0;
}
