#include <algorithm>
#include <latch>
#include <mutex>
#include <thread>

#include "catalog/test_support.h"

namespace superstore::catalog {
namespace {

using CatalogCounters = CatalogTest;

TEST_F(CatalogCounters, StartAtOneAndHandOutConsecutiveRanges) {
  EXPECT_EQ(catalog().next_id("table"), 1);
  EXPECT_EQ(catalog().next_id("table"), 2);
  EXPECT_EQ(catalog().next_id("micro_partition", 10), 1);
  EXPECT_EQ(catalog().next_id("micro_partition", 5), 11);
  EXPECT_EQ(catalog().next_id("micro_partition"), 16);
  EXPECT_EQ(catalog().next_id("table"), 3);
}

TEST_F(CatalogCounters, KeepGoingAfterReopen) {
  catalog().next_id("table", 3);
  catalog().next_id("micro_partition", 100);
  reopen();
  EXPECT_EQ(catalog().next_id("table"), 4);
  EXPECT_EQ(catalog().next_id("micro_partition"), 101);
}

TEST_F(CatalogCounters, RejectBadCountsAndNames) {
  EXPECT_EQ(error_of([&] { catalog().next_id("table", 0); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().next_id("table", -3); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().next_id("table", int64_t{1} << 62); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().next_id(""); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().next_id("x'; DROP TABLE counters; --"); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(catalog().next_id("table"), 1);  // nothing was reserved by the failures
}

// Two Catalog objects on one file stand for two processes: each has its own SQLite connection, so only
// SQLite's locking keeps their reservations apart.
TEST_F(CatalogCounters, TwoCatalogsOnOneFileNeverHandOutTheSameId) {
  std::unique_ptr<Catalog> first = Catalog::open(file());
  std::unique_ptr<Catalog> second = Catalog::open(file());
  constexpr int kThreadsPerCatalog = 4, kReservations = 100;
  std::mutex mutex;
  std::vector<int64_t> ids;
  std::latch start(2 * kThreadsPerCatalog);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerCatalog; ++t) {
    Catalog& catalog = t % 2 ? *first : *second;
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kReservations; ++i) {
        int64_t count = 1 + (t + i) % 3;
        int64_t begin = catalog.next_id("micro_partition", count);
        std::lock_guard lock(mutex);
        for (int64_t id = begin; id < begin + count; ++id) ids.push_back(id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "an id was handed out twice";
  // No gaps either: every reserved range was used exactly once.
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(ids.back(), static_cast<int64_t>(ids.size()));
}

}  // namespace
}  // namespace superstore::catalog
