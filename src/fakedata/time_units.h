// Timestamp units of the fake world (internal). Timestamps are microseconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>

namespace superstore::fakedata {

inline constexpr int64_t kSecondUs = 1'000'000;
inline constexpr int64_t kMinuteUs = 60 * kSecondUs;
inline constexpr int64_t kHourUs = 60 * kMinuteUs;
inline constexpr int64_t kDayUs = 24 * kHourUs;
inline constexpr int64_t kYearUs = 365 * kDayUs;

// Floor division, so that days before 1970 are numbered correctly too.
inline int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 -> 0 for Monday ... 6 for Sunday (1970-01-01 was a Thursday).
inline int weekday(int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); }

}  // namespace superstore::fakedata
