// Generation speed, printed for information only (machines differ too much for assertions).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include "fakedata/fakedata.h"

namespace superstore::fakedata {
namespace {

// CPU seconds of the whole process, so that a busy machine does not hide the generator's own cost.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

TEST(FakeThroughput, PrintRowsPerSecond) {
  Params p;
  p.scale = 100;
  for (unsigned threads : {1u, 2u}) {
    uint64_t total_rows = 0;
    double total_seconds = 0;
    for (const FakeTable& table : tables()) {
      uint64_t rows = 0;
      const double cpu_start = process_cpu_seconds();
      const auto start = std::chrono::steady_clock::now();
      generate_parallel(table, p, threads, kDefaultBatchRows, [&](ColumnBatch&& batch) { rows += batch.rows(); });
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double cpu_seconds = process_cpu_seconds() - cpu_start;
      EXPECT_EQ(rows, table.spec.rows(p));
      std::printf("[ throughput ] %-15s %8llu rows, %u thread(s): %5.2f M rows/s wall, %5.2f M rows per CPU-second\n",
                  table.spec.name.c_str(), static_cast<unsigned long long>(rows), threads,
                  static_cast<double>(rows) / seconds / 1e6, static_cast<double>(rows) / cpu_seconds / 1e6);
      total_rows += rows;
      total_seconds += seconds;
    }
    std::printf("[ throughput ] all four tables, %u thread(s): %5.2f M rows/s wall\n", threads,
                static_cast<double>(total_rows) / total_seconds / 1e6);
  }
}

}  // namespace
}  // namespace superstore::fakedata
