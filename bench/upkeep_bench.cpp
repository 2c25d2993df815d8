// Benchmarks of the log for the long run (issue 18), in-process on the storage layer:
//   1. a table of N small commits, without checkpoints and with one every 10 commits: the time of a
//      commit early and late in the log, then open + first query (a fresh Warehouse, nothing cached,
//      answering SELECT count(*)), the query again, and a commit on the freshly opened table;
//   2. OPTIMIZE of a table made by N writes of R rows each (regenerable writes, the way file imports and
//      fake data write, which merge no earlier file): files before and after, the time OPTIMIZE takes, and
//      two queries before and after, beside DuckDB reading the same files directly (read_parquet over the
//      snapshot's file list, in this process, without the sandbox).
// Usage: upkeep_bench [--commits 1000] [--writes 1000] [--rows 1000] [--runs 5] [--intervals 0,10]
//                     [--retention-ms MS] [--dir PATH] [--keep yes] [--fork no]
// (--commits 0 or --writes 0 skips that part; --intervals lists the checkpoint intervals part 1 writes
// its table with, 0 for none; --retention-ms is VACUUM_RETENTION, which bounds the tombstones a
// checkpoint keeps: a week by default, so a run of minutes keeps every one; --keep yes leaves the tables
// in --dir for a look afterwards, e.g. `DATA_DIR=DIR/open-10 superstore sql ...`; --fork no runs the
// write and the opens in this process, for profilers that follow one process, and reports no CPU or peak.)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "child_process.h"
#include "common/columns.h"
#include "common/log.h"
#include "common/parse_int.h"
#include "common/strings.h"
#include "query/database.h"
#include "storage/warehouse.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace superstore;

namespace {

const std::vector<ColumnDef> kColumns = {{"id", ColumnType::Int64},
                                         {"dept", ColumnType::String},
                                         {"name", ColumnType::String},
                                         {"score", ColumnType::Float64}};
const char* const kDepts[] = {"Sales", "Eng", "HR", "Ops"};

ColumnBatch rows(int64_t first, int64_t count) {
  ColumnBatch b(kColumns);
  for (int64_t i = first; i < first + count; ++i) {
    // Ids shuffled within the batch, so that sorting has work to do.
    const int64_t id = first + (i - first) * 7919 % count;
    b[0].push_int(id);
    b[1].push_string(kDepts[id % 4]);
    b[2].push_string("name " + std::to_string(id));
    b[3].push_double(static_cast<double>(id % 1000) / 3.0);
  }
  return b;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// VACUUM_RETENTION for the tables of part 1 (--retention-ms); the default keeps the server's week.
int64_t g_retention_ms = storage::WarehouseOptions{}.vacuum_retention_ms;

storage::WarehouseOptions options(const fs::path& dir, int64_t checkpoint_interval) {
  storage::WarehouseOptions o;
  o.data_dir = dir;
  o.checkpoint_interval = checkpoint_interval;
  o.vacuum_min_retention_ms = 0;
  o.vacuum_retention_ms = g_retention_ms;
  return o;
}

// The id of the one table of the bench's catalog.
int64_t make_table_id(storage::Warehouse& wh) { return wh.catalog().list_tables().at(0).id; }

catalog::TableInfo make_table(storage::Warehouse& wh) {
  catalog::NewTable t;
  t.name = "events";
  t.columns = kColumns;
  t.partition_keys = {"dept"};
  t.sort_keys = {"id"};
  return wh.create_table(t);
}

int64_t count(storage::Warehouse& wh, const std::string& sql) {
  storage::QueryOptions q;
  return wh.query(sql, q).page.rows.at(0).begin()->get<int64_t>();
}

// Resident memory of this process now, in MiB (VmRSS): the progress lines show how it moves with the log.
double rss_mib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmRSS: %lf kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib / 1024;
}

// CPU time of this process (user + system), ms.
double cpu_ms() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// --fork no: everything in this process, for profilers that follow one; the CPU and peak are then 0.
bool g_fork = true;

// `work` in a child process of its own (bench/child_process.h), or here with --fork no.
bench::ChildFigures measured(const std::function<std::vector<double>()>& work) {
  if (!g_fork) return {work()};
  return bench::in_child(work);
}

// One commit of 10 rows; returns its wall time in ms.
double timed_commit(storage::Warehouse& wh, const catalog::TableInfo& t, int64_t i) {
  const auto t0 = Clock::now();
  auto w = wh.writer(t);
  w->add(rows(i * 10, 10));
  w->commit_insert();
  return ms_since(t0);
}

// 1. Writing N small commits, then opening the table and querying it, without checkpoints and with one
// every 10 commits. The write and every open run in child processes of their own (their CPU and peak are
// theirs alone). Beside it, DuckDB counting the same files (the live files' list handed to it: what any
// reader pays once it knows the files).
void open_bench(const fs::path& root, int64_t commits, int runs, const std::vector<int64_t>& intervals) {
  std::printf("%lld commits of 10 rows (each merges the newest small file of its partitions)\n",
              static_cast<long long>(commits));
  for (int64_t interval : intervals) {
    const fs::path dir = root / ("open-" + std::to_string(interval));
    fs::remove_all(dir);
    const auto start = Clock::now();
    // values: median of the first 100 commits, of the last 100
    const bench::ChildFigures write = measured([&] {
      std::vector<double> first, last, recent;  // commit times of the first and the last 100, and lately
      storage::Warehouse wh(options(dir, interval));
      auto t = make_table(wh);
      for (int64_t i = 0; i < commits; ++i) {
        const double ms = timed_commit(wh, t, i);
        if (i < 100) first.push_back(ms);
        if (i >= commits - 100) last.push_back(ms);
        recent.push_back(ms);
        if ((i + 1) % 1000 == 0) {  // a long run shows how a commit's cost and memory move with the log
          std::printf("  %lld commits after %.0f s; the last 1,000 took %.1f ms each (median); RSS %.0f MiB\n",
                      static_cast<long long>(i + 1), ms_since(start) / 1000, median(recent), rss_mib());
          std::fflush(stdout);
          recent.clear();
        }
      }
      return std::vector<double>{median(first), median(last)};
    });
    const double write_s = ms_since(start) / 1000;
    // values: open + first query wall ms, its CPU ms, the query again ms
    std::vector<double> open_ms, open_cpu, query_ms, open_peak;
    for (int r = 0; r < runs; ++r) {
      const bench::ChildFigures open = measured([&] {
        const auto t0 = Clock::now();
        const double c0 = cpu_ms();
        storage::Warehouse wh(options(dir, interval));
        const int64_t n = count(wh, "SELECT count(*) FROM events");
        const double wall = ms_since(t0), cpu = cpu_ms() - c0;
        if (n != commits * 10) std::fprintf(stderr, "wrong count %lld\n", static_cast<long long>(n));
        const auto t1 = Clock::now();
        count(wh, "SELECT count(*) FROM events");
        return std::vector<double>{wall, cpu, ms_since(t1)};
      });
      open_ms.push_back(open.values.at(0));
      open_cpu.push_back(open.values.at(1));
      query_ms.push_back(open.values.at(2));
      open_peak.push_back(open.peak_mib);
    }
    // One more commit on a freshly opened table (after the open runs, which expect the written rows).
    const double fresh_commit_ms = measured([&] {
                                     storage::Warehouse wh(options(dir, interval));
                                     const auto t = wh.catalog().get_table(make_table_id(wh));
                                     return std::vector<double>{timed_commit(wh, t, commits)};
                                   }).values.at(0);
    std::vector<double> duck_ms;
    {
      storage::Warehouse wh(options(dir, interval));
      const auto t = wh.catalog().get_table(make_table_id(wh));
      std::string files;
      for (const auto& f : wh.snapshot(t)->files) {
        files += (files.empty() ? "" : ", ") + query::quote_literal((dir / "warehouse" / t.location / f.path).string());
      }
      for (int r = 0; r < runs; ++r) {
        const auto t0 = Clock::now();
        query::DatabaseOptions o;
        o.sandboxed = false;
        query::Database db(o);
        query::Connection conn(db);
        conn.execute("SELECT count(*) FROM read_parquet([" + files + "], hive_partitioning = true)");
        duck_ms.push_back(ms_since(t0));
      }
    }
    std::printf(" %s\n", interval ? "checkpoint every 10 commits" : "no checkpoints (replay from commit 0)");
    std::printf(
        "  write: %.1f s wall, %.1f s CPU, peak %.0f MiB; one commit: %.1f ms (median of the first 100), "
        "%.1f ms (of the last 100), %.1f ms (on a freshly opened table)\n",
        write_s, write.cpu_s, write.peak_mib, write.values.at(0), write.values.at(1), fresh_commit_ms);
    std::printf(
        "  open + first query: %.1f ms wall, %.1f ms CPU (median of %d), peak %.0f MiB; the query again: "
        "%.1f ms; DuckDB opening and counting the same files: %.1f ms\n",
        median(open_ms), median(open_cpu), runs, median(open_peak), median(query_ms), median(duck_ms));
  }
}

// Median time of `sql` through the warehouse, and of the same SQL over read_parquet of the same files.
void query_pair(storage::Warehouse& wh, const catalog::TableInfo& t, const fs::path& dir, const std::string& label,
                const std::string& sql, int runs) {
  std::vector<double> ours, duck;
  storage::QueryOptions q;
  q.per_page = 100;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    wh.query(sql, q);
    ours.push_back(ms_since(t0));
  }
  std::string files;
  for (const auto& f : wh.snapshot(t)->files) {
    files += (files.empty() ? "" : ", ") + query::quote_literal((dir / "warehouse" / t.location / f.path).string());
  }
  query::DatabaseOptions o;
  o.sandboxed = false;
  query::Database db(o);
  query::Connection conn(db);
  conn.execute("CREATE VIEW events AS SELECT * FROM read_parquet([" + files + "], hive_partitioning = true)");
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    conn.execute(sql);
    duck.push_back(ms_since(t0));
  }
  std::printf("  %-34s superstore %8.1f ms   DuckDB on the same files %8.1f ms\n", label.c_str(), median(ours),
              median(duck));
}

// 2. OPTIMIZE of a table made by `writes` writes of `per_write` rows.
void optimize_bench(const fs::path& root, int64_t writes, int64_t per_write, int runs) {
  const fs::path dir = root / "optimize";
  fs::remove_all(dir);
  storage::Warehouse wh(options(dir, 10));
  auto t = make_table(wh);
  const auto start = Clock::now();
  for (int64_t i = 0; i < writes; ++i) {
    const ColumnBatch batch = rows(i * per_write, per_write);
    storage::RegenerableRows source;
    source.rows = batch.rows();
    source.scan = [&batch](const std::vector<std::string>& names, const storage::RegenerableRows::Consumer& consume) {
      ColumnBatch keys;
      for (const auto& name : names) {
        const size_t at = batch.index_of(name);
        keys.schema.push_back(batch.schema[at]);
        keys.columns.push_back(batch.columns[at]);
      }
      consume(keys);
    };
    source.fetch = [&batch](std::span<const uint64_t> indices) { return batch.take(indices); };
    auto w = wh.writer(t);
    w->add_regenerable(source, UINT64_MAX);
    w->commit_insert();
  }
  std::printf("\nOPTIMIZE of a table made by %lld writes of %lld rows (4 partitions; writing took %.1f s)\n",
              static_cast<long long>(writes), static_cast<long long>(per_write), ms_since(start) / 1000);
  const std::string group = "SELECT dept, count(*), avg(score), max(name) FROM events GROUP BY dept";
  const std::string point = "SELECT * FROM events WHERE id = " + std::to_string(writes * per_write / 2);
  auto report = [&](const char* when) {
    auto s = wh.snapshot(t);
    const storage::TableUpkeep u = wh.upkeep(t);
    std::printf(" %s: %zu files, %lld bytes, %lld small files\n", when, s->files.size(),
                static_cast<long long>(s->total_bytes()), static_cast<long long>(u.small_files));
    query_pair(wh, t, dir, "group by dept (whole table)", group, runs);
    query_pair(wh, t, dir, "one row by id", point, runs);
  };
  report("before");
  const auto t0 = Clock::now();
  const storage::WriteResult r = wh.optimize(t);
  std::printf(" OPTIMIZE: %.1f s, %lld files into %lld, %lld rows rewritten, version %lld\n", ms_since(t0) / 1000,
              static_cast<long long>(r.files_removed), static_cast<long long>(r.files_added),
              static_cast<long long>(r.rows), static_cast<long long>(r.version));
  report("after");
  const int64_t rows_after = count(wh, "SELECT count(*) FROM events");
  if (rows_after != writes * per_write) std::fprintf(stderr, "OPTIMIZE lost rows: %lld\n", (long long)rows_after);
  const auto v0 = Clock::now();
  const storage::VacuumResult v = wh.vacuum(t, {.retention_ms = 0});
  std::printf(" VACUUM (retain 0): %zu files, %lld bytes deleted in %.1f ms\n", v.files.files.size(),
              static_cast<long long>(v.files.bytes), ms_since(v0));
}

}  // namespace

int main(int argc, char** argv) {
  int64_t commits = 1000, writes = 1000, per_write = 1000;
  int runs = 5;
  std::vector<int64_t> intervals = {0, 10};
  fs::path dir = fs::temp_directory_path() / ("upkeep-bench-" + std::to_string(::getpid()));
  bool keep = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--commits")
      commits = parse_int64_in(v, 0, 1'000'000, a);
    else if (a == "--writes")
      writes = parse_int64_in(v, 0, 1'000'000, a);
    else if (a == "--rows")
      per_write = parse_int64_in(v, 1, 100'000'000, a);
    else if (a == "--runs")
      runs = static_cast<int>(parse_int64_in(v, 1, 1000, a));
    else if (a == "--dir")
      dir = v;
    else if (a == "--keep")
      keep = v == "yes";
    else if (a == "--fork")
      g_fork = v != "no";
    else if (a == "--retention-ms")
      g_retention_ms = parse_int64_in(v, 0, INT64_MAX, a);
    else if (a == "--intervals") {
      intervals.clear();
      for (const auto& part : split_list(v)) intervals.push_back(parse_int64_in(part, 0, 1'000'000, a));
    } else {
      std::fprintf(stderr,
                   "usage: upkeep_bench [--commits N] [--writes N] [--rows N] [--runs N] [--intervals 0,10] "
                   "[--retention-ms MS] [--dir PATH] [--keep yes] [--fork no]\n");
      return 2;
    }
  }
  log::set_quiet(true);
  fs::create_directories(dir);
  if (commits > 0) open_bench(dir, commits, runs, intervals);
  if (writes > 0) optimize_bench(dir, writes, per_write, runs);
  if (!keep) fs::remove_all(dir);
  return 0;
}
