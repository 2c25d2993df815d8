// Parallel generation delivers exactly the single-threaded rows, in order, for any thread count.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "common/error.h"
#include "fakedata/test_support.h"

namespace superstore::fakedata {
namespace {

using testing::same_batches;

ColumnBatch collect(const FakeTable& table, const Params& p, unsigned threads, uint64_t batch_rows,
                    std::vector<size_t>* sizes = nullptr) {
  ColumnBatch all;
  generate_parallel(table, p, threads, batch_rows, [&](ColumnBatch&& batch) {
    if (sizes) sizes->push_back(batch.rows());
    EXPECT_EQ(batch.schema, table.spec.columns);
    testing::append(all, batch);
  });
  return all;
}

TEST(FakeParallel, AnyThreadCountGivesTheSameRowsInOrder) {
  Params p;
  p.scale = 2;
  for (const FakeTable& table : tables()) {
    const ColumnBatch single = generate(table, p, 0, table.spec.rows(p));
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
      EXPECT_TRUE(same_batches(single, collect(table, p, threads, 777))) << table.spec.name << " x" << threads;
    }
    EXPECT_TRUE(same_batches(single, collect(table, p, 0, kDefaultBatchRows))) << table.spec.name;
  }
}

TEST(FakeParallel, OnlyTheColumnsAskedForComeInOrder) {
  Params p;
  p.scale = 2;
  for (const FakeTable& table : tables()) {
    std::vector<std::string> keys = table.spec.partition_keys;
    keys.insert(keys.end(), table.spec.sort_keys.begin(), table.spec.sort_keys.end());
    const ColumnMask columns = column_mask(table.spec, keys);
    const ColumnBatch single = generate_columns(table, p, 0, table.spec.rows(p), columns);
    ColumnBatch all;
    generate_parallel(
        table, p, 3, 777, [&](ColumnBatch&& batch) { testing::append(all, batch); }, columns);
    EXPECT_EQ(all.schema, single.schema) << table.spec.name;
    EXPECT_TRUE(same_batches(single, all)) << table.spec.name;
  }
}

TEST(FakeParallel, BatchesAreFullExceptTheLast) {
  std::vector<size_t> sizes;
  collect(find_table("fake_users"), Params{}, 2, 300, &sizes);
  EXPECT_EQ(sizes, (std::vector<size_t>{300, 300, 300, 100}));
  sizes.clear();
  collect(find_table("fake_users"), Params{}, 4, 5'000, &sizes);
  EXPECT_EQ(sizes, (std::vector<size_t>{1'000}));
}

TEST(FakeParallel, ConsumerErrorsStopGenerationAndPropagate) {
  int calls = 0;
  EXPECT_THROW(generate_parallel(find_table("fake_analytics"), Params{}, 2, 100,
                                 [&](ColumnBatch&&) {
                                   if (++calls == 3) throw std::runtime_error("disk full");
                                 }),
               std::runtime_error);
  EXPECT_EQ(calls, 3);
}

TEST(FakeParallel, BadArgumentsAreRejected) {
  EXPECT_THROW(generate_parallel(find_table("fake_users"), Params{}, 2, 0, [](ColumnBatch&&) {}), Error);
  Params bad;
  bad.scale = 0;
  EXPECT_THROW(generate_parallel(find_table("fake_users"), bad, 2, 10, [](ColumnBatch&&) {}), Error);
}

std::atomic<uint64_t> batches_started{0};

void counting_fill(const Params& p, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
  ++batches_started;
  find_table("fake_orders").fill(p, rows, columns, out);
}

TEST(FakeParallel, WorkersStayAtMostTwoBatchesPerThreadAhead) {
  const FakeTable probe{find_table("fake_orders").spec, counting_fill};
  constexpr unsigned kThreads = 2;
  uint64_t consumed = 0;
  uint64_t next_id = 1;
  generate_parallel(probe, Params{}, kThreads, 50, [&](ColumnBatch&& batch) {
    ++consumed;
    // Give the workers every chance to run ahead of this slow consumer.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    EXPECT_LE(batches_started.load(), consumed + 2 * kThreads);
    EXPECT_EQ(static_cast<uint64_t>(batch[0].int_at(0)), next_id);
    next_id += batch.rows();
  });
  EXPECT_EQ(consumed, 100u);
  EXPECT_EQ(next_id, 5'001u);
}

}  // namespace
}  // namespace superstore::fakedata
