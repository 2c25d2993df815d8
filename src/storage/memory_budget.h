// A process-wide allowance of bytes that concurrent writes draw from (FAKE_DATA_MEMORY: the keys that
// regenerable writes hold, several tables being built at once). A write takes what it needs, or what is
// left, and spills beyond it; the least a write needs to make progress is granted even past the total,
// so a write never waits on another. Internal to the storage layer.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace superstore::storage {

class MemoryBudget {
 public:
  explicit MemoryBudget(int64_t total) : total_(total) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  int64_t total() const { return total_; }
  int64_t used() const { return used_.load(); }

  // Takes `wanted` bytes, or what is left of the total when less, but at least `least`.
  int64_t take(int64_t wanted, int64_t least) {
    int64_t used = used_.load();
    for (;;) {
      const int64_t granted = std::max(least, std::min(wanted, total_ - used));
      if (used_.compare_exchange_weak(used, used + granted)) return granted;
    }
  }
  void give(int64_t bytes) { used_ -= bytes; }

 private:
  const int64_t total_;
  std::atomic<int64_t> used_{0};
};

// Bytes taken from a budget, given back when it goes out of scope.
class BudgetShare {
 public:
  BudgetShare(MemoryBudget& budget, int64_t wanted, int64_t least)
      : budget_(budget), bytes_(budget.take(wanted, least)) {}
  BudgetShare(const BudgetShare&) = delete;
  BudgetShare& operator=(const BudgetShare&) = delete;
  ~BudgetShare() { budget_.give(bytes_); }
  int64_t bytes() const { return bytes_; }
  // Takes up to `more` bytes besides (what is left of the total); returns the bytes held now.
  int64_t grow(int64_t more) { return bytes_ += budget_.take(more, 0); }

 private:
  MemoryBudget& budget_;
  int64_t bytes_;
};

}  // namespace superstore::storage
