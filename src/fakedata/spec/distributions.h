// Shapes of random numbers shared by the spec generators (internal).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "fakedata/random.h"
#include "fakedata/spec/det_math.h"

namespace superstore::fakedata::spec {

// Zipf-like ranks in [0, n): rank k comes up with the probability the continuous power law on
// [1, n + 1) with density ~ x^-s gives to [k + 1, k + 2). s = 1 is the classic Zipf shape; larger s
// concentrates more on the first ranks. Up to `table_ranks` ranks an alias table (12 bytes a rank)
// answers in constant time; beyond, the law's distribution function is inverted per draw.
class ZipfRanks {
 public:
  ZipfRanks(uint64_t n, double s, uint64_t table_ranks) : n_(n) {
    const double top = static_cast<double>(n) + 1.0;
    if (s > 0.999999 && s < 1.000001) {
      log_form_ = true;
      log_top_ = det_log(top);
    } else {
      inverse_ = 1.0 / (1.0 - s);
      span_ = det_pow(top, 1.0 - s) - 1.0;
    }
    if (n <= table_ranks) {
      std::vector<uint64_t> weights(n);
      double previous = 0;
      for (uint64_t k = 0; k < n; ++k) {
        const double next = cdf(static_cast<double>(k) + 2.0);
        // 2^52 keeps every weight's integer exact and the total far below 2^63.
        weights[k] = static_cast<uint64_t>(std::max(0.0, next - previous) * 0x1.0p52) + 1;
        previous = next;
      }
      table_.emplace(weights);
    }
  }

  uint64_t operator()(uint64_t bits) const {
    if (table_) return table_->pick(bits);
    const double u = unit_interval(bits);
    const double x = log_form_ ? det_exp(u * log_top_) : det_exp(det_log(1.0 + u * span_) * inverse_);
    const double rank = x - 1.0;
    if (!(rank > 0.0)) return 0;
    return std::min<uint64_t>(n_ - 1, static_cast<uint64_t>(rank));
  }

 private:
  // The share of the law below x, for x in [1, n + 1].
  double cdf(double x) const { return log_form_ ? det_log(x) / log_top_ : (det_pow(x, 1.0 / inverse_) - 1.0) / span_; }

  uint64_t n_;
  bool log_form_ = false;
  double log_top_ = 0, inverse_ = 0, span_ = 0;
  std::optional<WeightedTable> table_;
};

// ZipfRanks per row count, made once and shared by every batch and thread (a ref's parent row count
// depends on the scale, so it is known only when rows are made).
class ZipfCache {
 public:
  explicit ZipfCache(double s) : s_(s) {}
  std::shared_ptr<const ZipfRanks> get(uint64_t n) {
    std::lock_guard lock(mutex_);
    auto& slot = by_rows_[n];
    // Up to 2^20 parents (12 MiB) the table pays for itself within a few batches.
    if (!slot) slot = std::make_shared<const ZipfRanks>(n, s_, uint64_t{1} << 20);
    return slot;
  }

 private:
  double s_;
  std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<const ZipfRanks>> by_rows_;
};

}  // namespace superstore::fakedata::spec
