// Shapes of random numbers shared by the spec generators (internal).
#pragma once

#include <algorithm>
#include <cstdint>

#include "fakedata/spec/det_math.h"

namespace superstore::fakedata::spec {

// Zipf-like ranks in [0, n): rank k comes up with a probability falling as (k + 1)^-s, by inverting the
// distribution function of the continuous power law on [1, n + 1). s = 1 is the classic Zipf shape;
// larger s concentrates more on the first ranks.
class ZipfRanks {
 public:
  ZipfRanks(uint64_t n, double s) : n_(n) {
    const double top = static_cast<double>(n) + 1.0;
    if (s > 0.999999 && s < 1.000001) {
      log_form_ = true;
      log_top_ = det_log(top);
    } else {
      inverse_ = 1.0 / (1.0 - s);
      span_ = det_pow(top, 1.0 - s) - 1.0;
    }
  }

  uint64_t operator()(uint64_t bits) const {
    const double u = unit_interval(bits);
    const double x = log_form_ ? det_exp(u * log_top_) : det_exp(det_log(1.0 + u * span_) * inverse_);
    const double rank = x - 1.0;
    if (!(rank > 0.0)) return 0;
    return std::min<uint64_t>(n_ - 1, static_cast<uint64_t>(rank));
  }

 private:
  uint64_t n_;
  bool log_form_ = false;
  double log_top_ = 0, inverse_ = 0, span_ = 0;
};

}  // namespace superstore::fakedata::spec
