// Deterministic floating-point helpers for the spec engine (internal). The C library's exp, log and pow
// may differ by an ulp between platforms and versions, which would break "same spec, same bytes on any
// machine"; these use only IEEE addition, multiplication and division, which are exact-rounded
// everywhere (the build keeps the default -ffp-contract=off of standard C++, so nothing is fused).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace superstore::fakedata::spec {

inline constexpr double kLn2 = 0.6931471805599453094;

// 1/k! and 2/(2k+1): the series' coefficients, as constants (a division per term would cost more
// than the rest of the function).
inline constexpr double kInverseFactorial[] = {1.0,
                                               1.0,
                                               1.0 / 2,
                                               1.0 / 6,
                                               1.0 / 24,
                                               1.0 / 120,
                                               1.0 / 720,
                                               1.0 / 5040,
                                               1.0 / 40320,
                                               1.0 / 362880,
                                               1.0 / 3628800,
                                               1.0 / 39916800,
                                               1.0 / 479001600,
                                               1.0 / 6227020800.0,
                                               1.0 / 87178291200.0};
inline constexpr double kAtanhCoefficient[] = {2.0,      2.0 / 3,  2.0 / 5,  2.0 / 7,  2.0 / 9,  2.0 / 11,
                                               2.0 / 13, 2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21, 2.0 / 23};

// e^x, relative error about 1e-15.
inline double det_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.0) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  const double k = std::nearbyint(x / kLn2);  // x = k ln 2 + r with |r| <= ln 2 / 2
  const double r = x - k * kLn2;
  // Taylor to r^14 in Horner form: the remainder is below 0.35^15 / 15! ~ 1e-19.
  double sum = kInverseFactorial[14];
  for (int i = 13; i >= 0; --i) sum = sum * r + kInverseFactorial[i];
  return std::ldexp(sum, static_cast<int>(k));  // exact scaling by a power of two
}

// ln x for x > 0 (NaN otherwise), relative error about 1e-15.
inline double det_log(double x) {
  if (!(x > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1): exact
  if (m < 0.70710678118654752) {
    m *= 2.0;
    --e;
  }
  // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) with s = (m - 1) / (m + 1), |s| < 0.172: to s^23
  // the remainder is below 0.172^25 ~ 1e-19.
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double sum = kAtanhCoefficient[11];
  for (int i = 10; i >= 0; --i) sum = sum * s2 + kAtanhCoefficient[i];
  return s * sum + e * kLn2;
}

// b^p for b > 0.
inline double det_pow(double b, double p) { return det_exp(p * det_log(b)); }

// A uniform double in [0, 1) from the top 53 bits.
inline double unit_interval(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// A standard normal variate by Irwin-Hall: the sum of four 16-bit uniforms, centred and scaled to unit
// variance. Bounded to +-3.46, like the built-in generators' bell curve, and needs no transcendental
// function.
inline double standard_normal(uint64_t bits) {
  int64_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += static_cast<int64_t>((bits >> (16 * i)) & 0xFFFF);
  // The sum's mean is 131070 and its standard deviation 65536 / sqrt(3) (near enough).
  return static_cast<double>(sum - 131070) * 1.7320508075688772 / 65536.0;
}

}  // namespace superstore::fakedata::spec
