// The fake-data PRNG and its distributions (internal to fakedata/).
//
// Every random value is a pure function of (seed, rows version, table, stream, row, draw): there is
// no generator state to advance, so a row can be computed alone, in any order, on any thread. All
// arithmetic is on integers (plus exact IEEE operations at the very end in the generators), because the
// standard library's distributions and transcendental functions differ between implementations and
// would make "same seed, same data" false across machines.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "fakedata/fakedata.h"

namespace superstore::fakedata {

// SplitMix64's finaliser (Stafford's "Mix13"): a bijection on 64-bit words in which every input bit
// flips about half of the output bits.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// FNV-1a over the bytes, then mixed. Stable across compilers and runs, unlike std::hash.
constexpr uint64_t hash_text(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return mix64(h);
}

// The random numbers of one column (or of one hidden attribute that several columns share) of one
// table. The stream is named, not numbered, so adding a column never shifts another column's values.
//
// A stream is a SplitMix64 sequence (Steele, Lea and Flood, 2014) whose starting point is a hash of
// (seed, rows version (kRowsVersion), table, name); the draw-th value of row r is the sequence's element at
// position r + draw * 2^48, computed directly rather than by stepping. SplitMix64 passes BigCrush, costs
// one multiply-add and one mix per value, and its positions map one-to-one to outputs, so within a
// stream no two (row, draw) pairs share a value. Rows stay below 2^48 (see kMaxScale).
class Stream {
 public:
  Stream(const Params& params, std::string_view table, std::string_view name) {
    uint64_t k = mix64(params.seed ^ 0x5EED5EED5EED5EEDULL);
    k = mix64(k ^ kRowsVersion);
    k = mix64(k ^ hash_text(table));
    start_ = mix64(k ^ hash_text(name));
  }

  uint64_t operator()(uint64_t row, uint32_t draw = 0) const {
    return mix64(start_ + (row | (uint64_t{draw} << 48)) * kGamma);
  }

 private:
  static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;  // SplitMix64's increment: 2^64 / golden ratio
  uint64_t start_ = 0;
};

// Uniform integer in [0, n) by Lemire's multiply-high. The bias is below n / 2^64: invisible here, and
// unlike rejection it costs exactly one word.
inline uint64_t below(uint64_t bits, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
}

// Uniform integer in [lo, hi].
inline int64_t in_range(uint64_t bits, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(below(bits, static_cast<uint64_t>(hi - lo) + 1));
}

// True with probability basis_points / 10,000.
inline bool chance_bp(uint64_t bits, int64_t basis_points) {
  return static_cast<int64_t>(below(bits, 10000)) < basis_points;
}

// Integer in [0, n) with density falling linearly from 2/n to 0 (the smaller of two uniforms): for
// "most recent", "mostly cheap", "mostly small" shapes.
inline uint64_t low_biased(uint64_t bits, uint64_t n) {
  const uint64_t a = bits & 0xFFFFFFFFULL;
  const uint64_t b = bits >> 32;
  return below(std::min(a, b) << 32, n);
}

// Integer in [0, n) with density rising linearly to 2/n (the larger of two uniforms).
inline uint64_t high_biased(uint64_t bits, uint64_t n) {
  const uint64_t a = bits & 0xFFFFFFFFULL;
  const uint64_t b = bits >> 32;
  return below(std::max(a, b) << 32, n);
}

// A standard normal variate in thousandths, by Irwin–Hall: the sum of four 16-bit uniforms is already
// bell-shaped, needs one word and no transcendental function, and is bounded to ±3.46 sd, which keeps
// ages and salaries sane without clamping most of the time.
inline int64_t bell_milli(uint64_t bits) {
  int64_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += static_cast<int64_t>((bits >> (16 * i)) & 0xFFFF);
  // Mean of the sum is 2 * 65536 and its standard deviation 65536 / sqrt(3); 1732 / 1000 ~ sqrt(3).
  return (sum - 2 * 65536) * 1732 / 65536;
}

// Zipf-like skew over [0, n): the product of `factors` independent uniforms has density
// (-ln x)^(factors-1) / (factors-1)!, so the first few indices are drawn many times more often than the
// average and most of the tail rarely. Used for "a few heavy users" and "a few popular products".
inline uint64_t skewed_below(uint64_t bits, uint64_t n, int factors) {
  uint64_t fraction;  // a fraction of 2^64
  if (factors == 2) {
    fraction = (bits & 0xFFFFFFFFULL) * (bits >> 32);
  } else {
    const uint64_t a = bits & 0x1FFFFF, b = (bits >> 21) & 0x1FFFFF, c = (bits >> 42) & 0x1FFFFF;
    fraction = (a * b * c) << 1;  // 63 bits of product, no rounding on the way
  }
  return below(fraction, n);
}

// Weighted choice among n items in constant time, by Walker's alias method (Vose's construction, in
// exact integer arithmetic so that every platform builds the same table). Each of n equal buckets holds
// item i with some probability and otherwise its alias; one 64 x 64-bit multiply yields both the bucket
// (high word) and a uniform fraction for the coin (low word). Binary search over cumulative weights
// would cost a dozen mispredicted branches per name, which dominated generation time.
class WeightedTable {
 public:
  WeightedTable() = default;
  explicit WeightedTable(const std::vector<uint64_t>& weights) {
    const size_t n = weights.size();
    unsigned __int128 total = 0;
    for (uint64_t w : weights) total += w;
    if (n == 0 || total == 0 || total >> 63 != 0)
      fail(ErrorCode::Internal, "weighted table without weight or with too much");
    // Scaled so that a full bucket holds `total`: item i brings weights[i] * n.
    std::vector<unsigned __int128> mass(n);
    std::vector<size_t> small, large;
    for (size_t i = 0; i < n; ++i) {
      mass[i] = static_cast<unsigned __int128>(weights[i]) * n;
      (mass[i] < total ? small : large).push_back(i);
    }
    keep_.assign(n, ~0ULL);
    alias_.resize(n);
    for (size_t i = 0; i < n; ++i) alias_[i] = static_cast<uint32_t>(i);
    while (!small.empty() && !large.empty()) {
      const size_t s = small.back(), l = large.back();
      small.pop_back();
      keep_[s] = static_cast<uint64_t>((mass[s] << 64) / total);  // mass[s] < total, so this fits
      alias_[s] = static_cast<uint32_t>(l);
      mass[l] -= total - mass[s];
      if (mass[l] < total) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // Exact arithmetic leaves only full buckets here; they keep their own item always.
  }

  size_t size() const { return alias_.size(); }

  size_t pick(uint64_t bits) const {
    const unsigned __int128 product = static_cast<unsigned __int128>(bits) * alias_.size();
    const auto bucket = static_cast<size_t>(product >> 64);
    return static_cast<uint64_t>(product) < keep_[bucket] ? bucket : alias_[bucket];
  }

 private:
  std::vector<uint64_t> keep_;   // the bucket keeps its own item when the coin is below this (of 2^64)
  std::vector<uint32_t> alias_;  // the other item of the bucket
};

// A fixed pseudo-random bijection of [0, n): rank r -> (r * step + offset) mod n with step coprime to
// n. Popularity skew picks a rank; this turns ranks into row indices, so the heavy users or popular
// products are scattered over the table instead of being ids 1, 2, 3.
class Shuffle {
 public:
  Shuffle(uint64_t n, uint64_t bits) : n_(n), offset_(below(bits, n)) {
    step_ = 2654435761ULL % n;  // a prime near 2^32 / golden ratio
    if (step_ == 0) step_ = 1;
    while (std::gcd(step_, n_) != 1) ++step_;
  }
  uint64_t operator()(uint64_t rank) const {
    // Every table up to kMaxScale has fewer than 2^32 rows, where 64-bit arithmetic cannot overflow and
    // avoids a slow 128-bit division.
    if (n_ <= 0xFFFFFFFFULL) return (rank * step_ + offset_) % n_;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(rank) * step_ + offset_) % n_);
  }

 private:
  uint64_t n_;
  uint64_t offset_;
  uint64_t step_ = 1;
};

}  // namespace superstore::fakedata
