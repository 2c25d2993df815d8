// Benchmarks of the log for the long run (issue 18), in-process on the storage layer:
//   1. open + first query of a table with N small commits, without checkpoints and with one every 10
//      commits: a fresh Warehouse (nothing cached) answering SELECT count(*);
//   2. OPTIMIZE of a table made by N writes of R rows each (regenerable writes, the way file imports and
//      fake data write, which merge no earlier file): files before and after, the time OPTIMIZE takes, and
//      two queries before and after, beside DuckDB reading the same files directly (read_parquet over the
//      snapshot's file list, in this process, without the sandbox).
// Usage: upkeep_bench [--commits 1000] [--writes 1000] [--rows 1000] [--runs 5] [--dir PATH]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "common/columns.h"
#include "common/log.h"
#include "common/parse_int.h"
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

storage::WarehouseOptions options(const fs::path& dir, int64_t checkpoint_interval) {
  storage::WarehouseOptions o;
  o.data_dir = dir;
  o.checkpoint_interval = checkpoint_interval;
  o.vacuum_min_retention_ms = 0;
  return o;
}

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

// 1. Open + first query, median of `runs` fresh warehouses.
void open_bench(const fs::path& root, int64_t commits, int runs) {
  for (int64_t interval : {int64_t{0}, int64_t{10}}) {
    const fs::path dir = root / ("open-" + std::to_string(interval));
    fs::remove_all(dir);
    const auto start = Clock::now();
    {
      storage::Warehouse wh(options(dir, interval));
      auto t = make_table(wh);
      for (int64_t i = 0; i < commits; ++i) {
        auto w = wh.writer(t);
        w->add(rows(i * 10, 10));
        w->commit_insert();
      }
    }
    const double write_s = ms_since(start) / 1000;
    std::vector<double> open_ms;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = Clock::now();
      storage::Warehouse wh(options(dir, interval));
      const int64_t n = count(wh, "SELECT count(*) FROM events");
      open_ms.push_back(ms_since(t0));
      if (n != commits * 10) std::fprintf(stderr, "wrong count %lld\n", static_cast<long long>(n));
    }
    std::printf("open + first query, %lld commits, %s: %.1f ms (median of %d; writing them took %.1f s)\n",
                static_cast<long long>(commits),
                interval ? "checkpoint every 10 commits" : "no checkpoints (replay from commit 0)", median(open_ms),
                runs, write_s);
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
  fs::path dir = fs::temp_directory_path() / ("upkeep-bench-" + std::to_string(::getpid()));
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--commits")
      commits = parse_int64_in(v, 1, 1'000'000, a);
    else if (a == "--writes")
      writes = parse_int64_in(v, 1, 1'000'000, a);
    else if (a == "--rows")
      per_write = parse_int64_in(v, 1, 100'000'000, a);
    else if (a == "--runs")
      runs = static_cast<int>(parse_int64_in(v, 1, 1000, a));
    else if (a == "--dir")
      dir = v;
    else {
      std::fprintf(stderr, "usage: upkeep_bench [--commits N] [--writes N] [--rows N] [--runs N] [--dir PATH]\n");
      return 2;
    }
  }
  log::set_quiet(true);
  fs::create_directories(dir);
  open_bench(dir, commits, runs);
  optimize_bench(dir, writes, per_write, runs);
  fs::remove_all(dir);
  return 0;
}
