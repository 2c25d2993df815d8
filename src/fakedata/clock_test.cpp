// The fake world's clock: births that rise with the row and count exactly, order statuses that only
// move forward along the lifecycle, a daily and weekly rhythm in the rows that arrive, relations that
// hold after time passes, and changed_rows() naming exactly the rows whose cells change.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <string>

#include "common/error.h"
#include "fakedata/births.h"
#include "fakedata/orders.h"
#include "fakedata/test_support.h"
#include "fakedata/time_units.h"
#include "fakedata/users.h"

namespace superstore::fakedata {
namespace {

using testing::same_cell;
using testing::whole_table;

Params at(int64_t anchor_us, int64_t scale = 1) {
  Params p;
  p.anchor_us = anchor_us;
  p.scale = scale;
  return p;
}

TEST(FakeClock, BirthsRiseWithTheRowAndCountExactly) {
  for (int64_t scale : {1, 7}) {
    const Births births(at(kDefaultAnchorUs, scale), "fake_orders", 5'000, 2 * kYearUs);
    const uint64_t base = 5'000 * static_cast<uint64_t>(scale);
    EXPECT_EQ(births.count(kDefaultAnchorUs), base);
    EXPECT_LE(births.at(base - 1), kDefaultAnchorUs);
    EXPECT_GT(births.at(base), kDefaultAnchorUs);
    int64_t previous = INT64_MIN;
    for (uint64_t row = 0; row < base + 3'000; row += 1 + row % 7) {
      const int64_t t = births.at(row);
      ASSERT_GE(t, previous) << "row " << row;
      previous = t;
      EXPECT_GT(births.count(t), row) << "row " << row;  // born by its own birth time
      EXPECT_LE(births.count(t - kSecondUs), row) << "row " << row;
      EXPECT_LE(births.surely(t), births.count(t));
      EXPECT_GE(births.surely(t) + 8, births.count(t));  // rows born in the same second count late
    }
    EXPECT_GE(births.at(0), kDefaultAnchorUs - 2 * kYearUs - 7 * kDayUs);
  }
}

TEST(FakeClock, OrderStatusesOnlyMoveForwardAlongTheLifecycle) {
  const Params start = at(kDefaultAnchorUs - 20 * kDayUs, 2);
  const Orders orders(start);
  const uint64_t first = orders.births().count(start.anchor_us - 3 * kDayUs);
  const uint64_t last = orders.births().count(kDefaultAnchorUs + 10 * kDayUs);
  std::map<std::string, int> seen;
  for (uint64_t row = first; row < last; ++row) {
    const int64_t placed = orders.placed_at(row);
    OrderStatus before = OrderStatus::Pending;
    for (int64_t t = placed; t <= placed + Orders::kSettledAfterUs + kDayUs; t += 3 * kHourUs) {
      const OrderStatus now = orders.status(row, placed, t);
      ++seen[std::string(kOrderStatuses[static_cast<size_t>(now)])];
      if (before == OrderStatus::Cancelled || before == OrderStatus::Delivered) {
        ASSERT_EQ(now, before) << "row " << row << ": a settled order stays settled";
      } else if (now == OrderStatus::Cancelled) {
        ASSERT_LT(before, OrderStatus::Shipped) << "row " << row << ": cancelled only before it ships";
      } else {
        ASSERT_GE(now, before) << "row " << row;
        ASSERT_LE(static_cast<int>(now) - static_cast<int>(before), 1) << "row " << row << ": no stage skipped";
      }
      before = now;
    }
    EXPECT_TRUE(before == OrderStatus::Delivered || before == OrderStatus::Cancelled) << "row " << row;
  }
  for (const auto status : kOrderStatuses) EXPECT_GT(seen[std::string(status)], 0) << status;
}

// New rows arrive with the weekly rhythm: more orders and visits on workdays than at weekends, every
// day some, and about base_rows / history per day.
TEST(FakeClock, RowsPerDayFollowTheRhythm) {
  const int64_t first_monday = kDefaultAnchorUs + 5 * kDayUs;  // 2025-01-06
  ASSERT_EQ(weekday(floor_div(first_monday, kDayUs)), 0);
  for (const char* name : {"fake_orders", "fake_analytics"}) {
    const FakeTable& table = find_table(name);
    std::array<double, 7> by_weekday{};
    const int weeks = 8;
    for (int64_t day = 0; day < 7 * weeks; ++day) {
      const int64_t start = first_monday + day * kDayUs;
      const uint64_t n = table.spec.rows(at(start + kDayUs - 1, 5)) - table.spec.rows(at(start - 1, 5));
      EXPECT_GT(n, 0u) << name << " day " << day;
      by_weekday[static_cast<size_t>(day % 7)] += static_cast<double>(n) / weeks;
    }
    const double workdays = (by_weekday[0] + by_weekday[1] + by_weekday[2] + by_weekday[3]) / 4;
    const double weekend = (by_weekday[5] + by_weekday[6]) / 2;
    EXPECT_GT(workdays, 1.15 * weekend) << name;
    const double per_day =
        (table.spec.rows(at(first_monday + 7 * weeks * kDayUs, 5)) - table.spec.rows(at(first_monday, 5))) /
        (7.0 * weeks);
    const double history_days = std::string(name) == "fake_orders" ? 730 : 365;
    EXPECT_NEAR(per_day, 5.0 * static_cast<double>(table.spec.base_rows) / history_days, 0.1 * per_day) << name;
  }
}

// Two months on, orders and visits still refer to users and products that exist and signed up or were
// listed before; new orders come from new users too.
TEST(FakeClock, RelationsHoldAfterTimePasses) {
  const Params later = at(kDefaultAnchorUs + 60 * kDayUs, 2);
  const ColumnBatch users = whole_table("fake_users", later);
  const ColumnBatch products = whole_table("fake_products", later);
  const ColumnBatch orders = whole_table("fake_orders", later);
  const ColumnBatch events = whole_table("fake_analytics", later);
  const auto base_users = static_cast<int64_t>(find_table("fake_users").spec.base_rows * 2);
  std::map<std::string_view, int64_t> listed;
  for (size_t r = 0; r < products.rows(); ++r) listed[products[1].string_at(r)] = products[11].int_at(r);
  int new_orders_of_new_users = 0;
  for (size_t r = 0; r < orders.rows(); ++r) {
    const int64_t user = orders[1].int_at(r);
    ASSERT_GE(user, 1);
    ASSERT_LE(user, static_cast<int64_t>(users.rows()));
    EXPECT_GT(orders[6].int_at(r), users[7].int_at(static_cast<size_t>(user - 1)));
    const auto product = listed.find(orders[2].string_at(r));
    ASSERT_NE(product, listed.end());
    EXPECT_GT(orders[6].int_at(r), product->second);
    EXPECT_LE(orders[6].int_at(r), later.anchor_us);
    if (orders[6].int_at(r) > kDefaultAnchorUs && user > base_users) ++new_orders_of_new_users;
  }
  EXPECT_GT(new_orders_of_new_users, 0);
  for (size_t r = 0; r < events.rows(); ++r) {
    const int64_t user = events[2].int_at(r);
    ASSERT_LE(user, static_cast<int64_t>(users.rows()));
    EXPECT_GT(events[1].int_at(r), users[7].int_at(static_cast<size_t>(user - 1)));
  }
}

// changed_rows() names exactly the existing rows whose cells differ between two anchors.
TEST(FakeClock, ChangedRowsAreExactlyTheRowsThatDiffer) {
  for (const auto& [from_us, to_us] : {std::pair{kDefaultAnchorUs, kDefaultAnchorUs + kDayUs},
                                       std::pair{kDefaultAnchorUs + 3 * kHourUs, kDefaultAnchorUs + 40 * kDayUs}}) {
    const Params from = at(from_us, 2), to = at(to_us, 2);
    for (const FakeTable& table : tables()) {
      const ColumnBatch a = whole_table(table.spec.name, from);
      const ColumnBatch b = whole_table(table.spec.name, to);
      std::vector<uint64_t> differ;
      for (size_t r = 0; r < a.rows(); ++r) {
        for (size_t c = 0; c < a.columns.size(); ++c) {
          if (!same_cell(a[c], r, b[c], r)) {
            differ.push_back(r);
            break;
          }
        }
      }
      EXPECT_EQ(changed_rows(table, from, to), differ) << table.spec.name;
      if (table.spec.name == "fake_orders") {
        EXPECT_FALSE(differ.empty());
      }
    }
  }
  EXPECT_THROW(changed_rows(find_table("fake_orders"), at(kDefaultAnchorUs + kDayUs), at(kDefaultAnchorUs)), Error);
}

}  // namespace
}  // namespace superstore::fakedata
