// Benchmark of the fake world's clock (issue 17, `fake-data advance`):
//   1. per scale, one simulated day committed (median of --days single-day advances): rows added, rows
//      changed, files added and removed (rewritten) per day, beside the peer measured in the same run:
//      a fresh create of the four tables at the later anchor, which is what a day would cost without
//      advance;
//   2. a year of daily advances at --year-scale (365 versions per table): the time of all of them, then
//      the time to open the tables in a new process-like Warehouse (replaying every log) and run a query,
//      beside the same on a fresh create at the same anchor (one version per table).
// Every line gives the process's peak RSS so far (getrusage).
// Usage: fakedata_advance_bench [--scales 1,10,100] [--days 3] [--year-days 365] [--year-scale 1]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/allocator.h"
#include "fakedata/lifecycle.h"
#include "storage/warehouse.h"

using namespace superstore;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kDayUs = 86'400'000'000LL;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

fs::path fresh_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("superstore-advance-bench-" + name + "-" + std::to_string(::getpid()));
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

storage::WarehouseOptions options_in(const fs::path& dir) {
  storage::WarehouseOptions o;
  o.data_dir = dir;
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Opens the tables in a new Warehouse (every log replayed) and runs a query over orders and visits.
std::pair<double, double> open_and_query(const fs::path& dir) {
  const auto start = Clock::now();
  storage::Warehouse wh(options_in(dir));
  storage::QueryOptions q;
  wh.query("SELECT count(*) FROM fake_users", q);
  const double open_s = since(start);
  const auto query_start = Clock::now();
  wh.query(
      "SELECT o.status, count(*), sum(o.total_amount) FROM fake_orders o JOIN fake_users u ON u.id = o.user_id "
      "WHERE o.order_date > TIMESTAMP '2025-06-01' GROUP BY o.status",
      q);
  wh.query("SELECT country, count(*) FROM fake_analytics GROUP BY country", q);
  return {open_s, since(query_start)};
}

void one_day(int64_t scale, int days) {
  const fs::path dir = fresh_dir("day");
  {
    storage::Warehouse wh(options_in(dir));
    fakedata::LifecycleOptions options;
    options.scale = scale;
    fakedata::create_missing(wh, options);
    std::vector<double> seconds;
    int64_t added = 0, changed = 0, files_added = 0, files_removed = 0;
    for (int d = 0; d < days; ++d) {
      fakedata::AdvanceOptions a;
      a.days = 1;
      const auto start = Clock::now();
      const fakedata::AdvanceReport r = fakedata::advance(wh, a);
      seconds.push_back(since(start));
      for (const auto& t : r.tables) {
        added += t["rows_added"].get<int64_t>();
        changed += t["rows_changed"].get<int64_t>();
        files_added += t["files_added"].get<int64_t>();
        files_removed += t["files_removed"].get<int64_t>();
      }
    }
    // The peer: the same world made afresh at the later anchor.
    const fs::path peer_dir = fresh_dir("peer");
    double peer_s = 0;
    {
      storage::Warehouse peer(options_in(peer_dir));
      fakedata::LifecycleOptions options;
      options.scale = scale;
      options.anchor_us = fakedata::kDefaultAnchorUs + days * kDayUs;
      const auto start = Clock::now();
      fakedata::create_missing(peer, options);
      peer_s = since(start);
    }
    fs::remove_all(peer_dir);
    std::printf(
        "scale %6lld  one day: %6.3f s (median of %d)  per day: %8.0f rows added, %7.0f changed, %5.1f files added, "
        "%5.1f rewritten  fresh create: %7.3f s  ratio %.3f  peak %.0f MiB\n",
        static_cast<long long>(scale), median(seconds), days, static_cast<double>(added) / days,
        static_cast<double>(changed) / days, static_cast<double>(files_added) / days,
        static_cast<double>(files_removed) / days, peer_s, median(seconds) / peer_s, peak_rss_mib());
    std::fflush(stdout);
  }
  fs::remove_all(dir);
}

void a_year(int64_t scale, int days) {
  const fs::path dir = fresh_dir("year");
  const fs::path peer_dir = fresh_dir("year-peer");
  double advance_s = 0;
  {
    storage::Warehouse wh(options_in(dir));
    fakedata::LifecycleOptions options;
    options.scale = scale;
    fakedata::create_missing(wh, options);
    const auto start = Clock::now();
    for (int d = 0; d < days; ++d) {
      fakedata::AdvanceOptions a;
      a.days = 1;
      fakedata::advance(wh, a);
    }
    advance_s = since(start);
  }
  {
    storage::Warehouse peer(options_in(peer_dir));
    fakedata::LifecycleOptions options;
    options.scale = scale;
    options.anchor_us = fakedata::kDefaultAnchorUs + days * kDayUs;
    fakedata::create_missing(peer, options);
  }
  const auto [open_s, query_s] = open_and_query(dir);
  const auto [peer_open_s, peer_query_s] = open_and_query(peer_dir);
  int64_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) files += entry.path().extension() == ".parquet";
  std::printf(
      "scale %6lld  %d daily advances: %7.2f s (%.1f ms each), %lld Parquet files on disk  then open %.3f s, query "
      "%.3f "
      "s  fresh create at the same anchor: open %.3f s, query %.3f s  peak %.0f MiB\n",
      static_cast<long long>(scale), days, advance_s, 1000 * advance_s / days, static_cast<long long>(files), open_s,
      query_s, peer_open_s, peer_query_s, peak_rss_mib());
  // What the storage issue's upkeep does for such a table: OPTIMIZE compacts each table's small files.
  double optimize_s = 0;
  int64_t compacted = 0;
  {
    storage::Warehouse wh(options_in(dir));
    const auto start = Clock::now();
    for (const auto& t : fakedata::tables()) {
      compacted += wh.optimize(wh.table(t.spec.name, t.spec.database, t.spec.schema)).files_removed;
    }
    optimize_s = since(start);
  }
  const auto [optimized_open_s, optimized_query_s] = open_and_query(dir);
  std::printf(
      "scale %6lld  after OPTIMIZE (%.2f s, %lld small files compacted): open %.3f s, query %.3f s  peak %.0f MiB\n",
      static_cast<long long>(scale), optimize_s, static_cast<long long>(compacted), optimized_open_s, optimized_query_s,
      peak_rss_mib());
  std::fflush(stdout);
  fs::remove_all(dir);
  fs::remove_all(peer_dir);
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator_for_bulk_work();
  std::vector<int64_t> scales = {1, 10, 100};
  int days = 3, year_days = 365;
  int64_t year_scale = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--scales") {
      scales = value == "none" ? std::vector<int64_t>{} : parse_list(value);
    } else if (flag == "--days") {
      days = std::max(1, std::stoi(value));
    } else if (flag == "--year-days") {
      year_days = std::stoi(value);
    } else if (flag == "--year-scale") {
      year_scale = std::stoll(value);
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  for (int64_t scale : scales) one_day(scale, days);
  if (year_days > 0) a_year(year_scale, year_days);
  return 0;
}
