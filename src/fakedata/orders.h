// fake_orders' clock (internal): when each order is placed and how its status moves on. The lifecycle's
// advance uses it to find the orders whose status changes in a window without generating the table.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "fakedata/births.h"
#include "fakedata/fakedata.h"
#include "fakedata/random.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata {

// In lifecycle order; an order only ever moves forward through it, and to Cancelled only before it ships.
enum class OrderStatus { Pending, Processing, Shipped, Delivered, Cancelled };
inline constexpr std::array<std::string_view, 5> kOrderStatuses = {"pending", "processing", "shipped", "delivered",
                                                                   "cancelled"};

class Orders {
 public:
  static constexpr std::string_view kTable = "fake_orders";
  static constexpr uint64_t kBaseRows = 5'000;
  // The base orders were placed over the two years before the default anchor.
  static constexpr int64_t kHistoryUs = 2 * kYearUs;
  // Every order is delivered or cancelled this long after it was placed.
  static constexpr int64_t kSettledAfterUs = 16 * kDayUs;

  explicit Orders(const Params& params);

  const Births& births() const { return births_; }
  int64_t placed_at(uint64_t row) const { return births_.at(row); }
  // The order's status at `time_us` (at or after it was placed): a pure function of (seed, order, time).
  OrderStatus status(uint64_t row, int64_t placed_at, int64_t time_us) const;

 private:
  // When the order reaches each status; cancelled is INT64_MAX for an order that is never cancelled.
  struct Schedule {
    int64_t processing = 0, shipped = 0, delivered = 0, cancelled = INT64_MAX;
  };
  Schedule schedule(uint64_t row, int64_t placed_at) const;

  Births births_;
  Stream status_;
};

}  // namespace superstore::fakedata
