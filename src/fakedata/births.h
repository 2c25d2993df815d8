// The fake world's clock (internal): when each row of a fake table is born.
//
// Rows arrive as a steady stream with the weekly and daily rhythm of people's lives: the rate per UTC
// hour of the week is the traffic of every country's local weekday and hour, mixed by how many users
// each country has. Row i is placed at position i + u (u in (0, 1], drawn per row) of the stream, so
// ids follow birth time and the births are a pure function of (seed, scale, table, row). The rate is
// fixed so that exactly base_rows x scale rows are born by kDefaultAnchorUs, spread over `history`
// before it; the stream goes on after it at the same rate, which is what makes days pass.
//
// All arithmetic is on integers, so every machine places every row at the same microsecond.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "fakedata/fakedata.h"
#include "fakedata/random.h"

namespace superstore::fakedata {

inline constexpr int kHoursPerWeek = 168;

// The traffic weight of each UTC hour of the week (Monday 00:00 UTC first) and, per hour, the country
// of a visit made then: local rhythm times the country's share, so that choosing the country this way
// gives every country its own local rhythm exactly (up to half-hour offsets).
struct Rhythm {
  std::array<uint64_t, kHoursPerWeek> weight{};
  std::array<WeightedTable, kHoursPerWeek> country{};
  std::array<uint64_t, kHoursPerWeek + 1> before{};  // the weight of the week's hours before each hour
  uint64_t week = 0;                                 // the sum of `weight`
};
const Rhythm& rhythm();

// The hour of the week (0 = Monday 00:00) of a UTC time.
int hour_of_week(int64_t utc_us);

class Births {
 public:
  Births(const Params& params, std::string_view table, uint64_t base_rows, int64_t history_us);

  // Rows born at or before `time_us` (0 before the stream starts).
  uint64_t count(int64_t time_us) const;
  // A count of rows surely born at or before `time_us`: count(time_us) or a few rows fewer, for the
  // price of one division (what references to earlier rows need, row by row).
  uint64_t surely(int64_t time_us) const;
  // When row `row` is born; rises with the row.
  int64_t at(uint64_t row) const;
  // The rows born by the default anchor.
  uint64_t base_rows() const { return base_rows_; }

 private:
  // Weighted time since the origin, in 1/1024 of a weight unit, and back.
  uint64_t units(int64_t time_us) const;
  int64_t time_of(uint64_t units) const;

  uint64_t base_rows_;  // born by the default anchor
  int64_t origin_us_;   // a Monday 00:00 UTC: where the stream starts
  uint64_t span_;       // units(kDefaultAnchorUs)
  Stream position_;
};

}  // namespace superstore::fakedata
