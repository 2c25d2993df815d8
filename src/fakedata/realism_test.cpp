// Statistical sanity of the correlations issue 3 asks for. Thresholds are loose multiples of the
// designed effects, so they hold for any seed while still failing if a correlation disappears.
#include <gtest/gtest.h>

#include <map>

#include "fakedata/test_support.h"
#include "fakedata/time_units.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {
namespace {

using testing::whole_table;

Params scaled(int64_t scale) {
  Params p;
  p.scale = scale;
  return p;
}

struct Mean {
  double sum = 0;
  double n = 0;
  void add(double v) {
    sum += v;
    ++n;
  }
  double get() const { return n == 0 ? 0 : sum / n; }
};

TEST(FakeRealism, SalariesFollowDepartmentAndAge) {
  const ColumnBatch users = whole_table("fake_users", scaled(5));
  std::map<std::string_view, Mean> by_department;
  Mean young, senior;
  int inactive = 0;
  std::map<std::string_view, int> first_names;
  for (size_t r = 0; r < users.rows(); ++r) {
    const auto salary = static_cast<double>(users[6].int_at(r));
    by_department[users[5].string_at(r)].add(salary);
    if (users[4].int_at(r) < 30) young.add(salary);
    if (users[4].int_at(r) >= 50) senior.add(salary);
    inactive += users[8].int_at(r) == 0;
    ++first_names[users[1].string_at(r)];
  }
  EXPECT_GT(by_department["Engineering"].get(), 1.3 * by_department["HR"].get());
  EXPECT_GT(by_department["Engineering"].get(), by_department["Sales"].get());
  EXPECT_GT(senior.get(), 1.3 * young.get());
  const double inactive_share = static_cast<double>(inactive) / static_cast<double>(users.rows());
  EXPECT_GT(inactive_share, 0.05);
  EXPECT_LT(inactive_share, 0.25);
  // Frequency-weighted names: the most common first name is far above the average name.
  int most = 0;
  for (const auto& [_, n] : first_names) most = std::max(most, n);
  EXPECT_GT(most, 5 * static_cast<int>(users.rows() / first_names.size()));
}

TEST(FakeRealism, EmailsComeFromTheName) {
  const ColumnBatch users = whole_table("fake_users");
  for (size_t r = 0; r < users.rows(); ++r) {
    std::string first;
    for (char c : users[1].string_at(r)) first += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(users[3].string_at(r).find(first.substr(0, 1)) != std::string_view::npos);
    const bool has_first = users[3].string_at(r).find(first) != std::string_view::npos;
    EXPECT_TRUE(has_first || users[3].string_at(r)[1] != '.') << users[3].string_at(r);
  }
}

TEST(FakeRealism, OrderStatusFollowsAge) {
  const Params p = scaled(5);
  const ColumnBatch orders = whole_table("fake_orders", p);
  std::map<std::string_view, int> old_orders, recent_orders;
  int old_total = 0, recent_total = 0;
  Mean cheap_quantity, dear_quantity;
  for (size_t r = 0; r < orders.rows(); ++r) {
    const int64_t age = p.anchor_us - orders[6].int_at(r);
    const std::string_view status = orders[7].string_at(r);
    if (age > 30 * kDayUs) {
      ++old_orders[status];
      ++old_total;
    } else if (age < 3 * kDayUs) {
      ++recent_orders[status];
      ++recent_total;
    }
    (orders[4].double_at(r) < 20 ? cheap_quantity : dear_quantity).add(static_cast<double>(orders[3].int_at(r)));
  }
  ASSERT_GT(recent_total, 30);
  EXPECT_GT(old_orders["delivered"], old_total * 85 / 100);
  EXPECT_EQ(old_orders["pending"] + old_orders["processing"], 0);
  EXPECT_GT(recent_orders["pending"] + recent_orders["processing"], recent_total * 55 / 100);
  EXPECT_EQ(recent_orders["delivered"], 0);
  EXPECT_GT(cheap_quantity.get(), 1.5 * dear_quantity.get());
}

TEST(FakeRealism, SessionsBehaveLikeRealTraffic) {
  const ColumnBatch events = whole_table("fake_analytics", scaled(5));
  Mean bounced_duration, engaged_duration, converted_duration, unconverted_duration;
  Mean bounced_rate, engaged_rate;
  Mean checkout_conversion, other_conversion;
  for (size_t r = 0; r < events.rows(); ++r) {
    const auto duration = static_cast<double>(events[4].int_at(r));
    const bool bounced = events[5].int_at(r) == 1;
    const bool converted = events[7].int_at(r) == 1;
    if (bounced) {
      EXPECT_LE(duration, 45);
      EXPECT_FALSE(converted);
      bounced_duration.add(duration);
      bounced_rate.add(events[6].double_at(r));
    } else {
      engaged_duration.add(duration);
      engaged_rate.add(events[6].double_at(r));
    }
    (converted ? converted_duration : unconverted_duration).add(duration);
    (events[3].string_at(r).starts_with("/checkout") ? checkout_conversion : other_conversion).add(converted);
  }
  EXPECT_LT(bounced_duration.get() * 5, engaged_duration.get());
  EXPECT_GT(bounced_rate.get(), engaged_rate.get());
  EXPECT_GT(converted_duration.get(), 1.5 * unconverted_duration.get());
  EXPECT_GT(checkout_conversion.get(), 4 * other_conversion.get());
  EXPECT_GT(other_conversion.get(), 0.0);
}

TEST(FakeRealism, TrafficHasDailyAndWeeklyRhythmInLocalTime) {
  const ColumnBatch events = whole_table("fake_analytics", scaled(5));
  std::map<std::string_view, int32_t> offsets;
  for (const Country& c : word_lists().countries) offsets[c.code] = c.utc_offset_minutes;
  std::array<double, 7> by_weekday{};
  std::array<double, 24> by_hour{};
  for (size_t r = 0; r < events.rows(); ++r) {
    const int64_t local = events[1].int_at(r) + offsets.at(events[10].string_at(r)) * kMinuteUs;
    ++by_weekday[static_cast<size_t>(weekday(floor_div(local, kDayUs)))];
    ++by_hour[static_cast<size_t>(floor_div(local, kHourUs) % 24)];
  }
  const double workdays = (by_weekday[0] + by_weekday[1] + by_weekday[2] + by_weekday[3]) / 4;
  const double weekend = (by_weekday[5] + by_weekday[6]) / 2;
  EXPECT_GT(workdays, 1.2 * weekend);
  const double midday = (by_hour[11] + by_hour[12] + by_hour[13]) / 3;
  const double night = (by_hour[2] + by_hour[3] + by_hour[4]) / 3;
  EXPECT_GT(midday, 8 * night);
}

TEST(FakeRealism, DevicesAndBrowsersDifferByCountry) {
  const ColumnBatch events = whole_table("fake_analytics", scaled(10));
  std::map<std::string_view, Mean> mobile_share;
  std::map<std::string_view, Mean> safari_on_mobile;
  std::map<std::string_view, int> visits;
  for (size_t r = 0; r < events.rows(); ++r) {
    const std::string_view country = events[10].string_at(r);
    const bool mobile = events[8].string_at(r) == "mobile";
    mobile_share[country].add(mobile);
    if (mobile) safari_on_mobile[country].add(events[9].string_at(r) == "Safari");
    ++visits[country];
  }
  EXPECT_GT(mobile_share["IN"].get(), mobile_share["DE"].get() + 0.15);
  EXPECT_GT(safari_on_mobile["US"].get(), safari_on_mobile["IN"].get() + 0.2);
  EXPECT_GE(visits.size(), 15u);
  for (const auto& [country, n] : visits) EXPECT_LE(n, visits["US"]) << country;
}

TEST(FakeRealism, ProductsFitTheirCategory) {
  const ColumnBatch products = whole_table("fake_products", scaled(4));
  std::map<std::string_view, Mean> price, weight;
  for (size_t r = 0; r < products.rows(); ++r) {
    price[products[3].string_at(r)].add(products[5].double_at(r));
    weight[products[3].string_at(r)].add(products[8].double_at(r));
  }
  EXPECT_GT(price["Electronics"].get(), 2 * price["Books"].get());
  EXPECT_GT(weight["Office"].get(), 5 * weight["Beauty"].get());
}

}  // namespace
}  // namespace superstore::fakedata
