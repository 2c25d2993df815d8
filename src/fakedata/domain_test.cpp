// Every generated value lies in its column's domain.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <unordered_set>

#include "fakedata/test_support.h"
#include "fakedata/time_units.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {
namespace {

using testing::whole_table;

std::set<std::string_view> set_of(const std::vector<std::string_view>& items) { return {items.begin(), items.end()}; }

bool whole_cents(double amount) { return static_cast<double>(std::llround(amount * 100)) / 100.0 == amount; }

void expect_dense_ids(const ColumnBatch& batch) {
  for (size_t r = 0; r < batch.rows(); ++r) ASSERT_EQ(batch[0].int_at(r), static_cast<int64_t>(r + 1));
}

TEST(FakeDomain, Users) {
  for (int64_t scale : {1, 2}) {
    Params params;
    params.scale = scale;
    const ColumnBatch users = whole_table("fake_users", params);
    expect_dense_ids(users);
    const auto first_names = set_of(word_lists().first_names.items);
    const auto last_names = set_of(word_lists().last_names.items);
    const auto domains = set_of(word_lists().email_domains.items);
    const std::set<std::string_view> departments = {"Engineering", "Marketing", "Sales", "HR", "Finance"};
    const std::regex email(R"(([a-z_.]+)([0-9]+)@([a-z.]+))");
    for (size_t r = 0; r < users.rows(); ++r) {
      const std::string first(users[1].string_at(r)), last(users[2].string_at(r));
      EXPECT_TRUE(first_names.count(first)) << first;
      EXPECT_TRUE(last_names.count(last)) << last;
      const std::string address(users[3].string_at(r));
      std::smatch m;
      ASSERT_TRUE(std::regex_match(address, m, email)) << address;
      EXPECT_EQ(m[2].str(), std::to_string(r + 1)) << address;
      EXPECT_TRUE(domains.count(m[3].str())) << address;
      const int64_t age = users[4].int_at(r);
      EXPECT_GE(age, 20);
      EXPECT_LE(age, 68);
      EXPECT_TRUE(departments.count(users[5].string_at(r))) << users[5].string_at(r);
      const int64_t salary = users[6].int_at(r);
      EXPECT_GE(salary, 30'000);
      EXPECT_LE(salary, 400'000);
      EXPECT_EQ(salary % 500, 0);
      const int64_t created = users[7].int_at(r);
      EXPECT_LE(created, params.anchor_us);
      EXPECT_GE(created, params.anchor_us - 6 * kYearUs - 7 * kDayUs);
      EXPECT_EQ(created % kSecondUs, 0);
      EXPECT_TRUE(users[8].int_at(r) == 0 || users[8].int_at(r) == 1);
    }
  }
}

TEST(FakeDomain, Products) {
  const ColumnBatch products = whole_table("fake_products");
  expect_dense_ids(products);
  const std::regex dimensions(R"([1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]* cm)");
  for (size_t r = 0; r < products.rows(); ++r) {
    const std::string_view name = products[1].string_at(r);
    const std::string_view category = products[3].string_at(r);
    const std::string_view brand = products[4].string_at(r);
    const Category* c = nullptr;
    for (const Category& each : word_lists().categories) {
      if (each.name == category) c = &each;
    }
    ASSERT_NE(c, nullptr) << category;
    EXPECT_TRUE(std::find(c->brands.begin(), c->brands.end(), brand) != c->brands.end()) << brand;
    EXPECT_EQ(name.substr(0, brand.size()), brand) << name;
    const double price = products[5].double_at(r), cost = products[6].double_at(r);
    EXPECT_TRUE(whole_cents(price)) << price;
    EXPECT_TRUE(whole_cents(cost)) << cost;
    EXPECT_GT(cost, 0);
    EXPECT_LT(cost, price);
    EXPECT_GE(products[7].int_at(r), 0);
    EXPECT_LE(products[7].int_at(r), 1'000);
    EXPECT_GT(products[8].double_at(r), 0);
    EXPECT_LT(products[8].double_at(r), 50);
    EXPECT_TRUE(std::regex_match(std::string(products[9].string_at(r)), dimensions)) << products[9].string_at(r);
    EXPECT_TRUE(products[10].int_at(r) == 0 || products[10].int_at(r) == 1);
    const int64_t created = products[11].int_at(r);
    EXPECT_LE(created, Params{}.anchor_us);
    EXPECT_GE(created, Params{}.anchor_us - 4 * kYearUs - 7 * kDayUs);
    // The description starts with a kind of this category and mentions no other category's brand.
    const std::string_view description = products[2].string_at(r);
    bool kind_found = false;
    for (const ProductKind& kind : c->kinds) kind_found |= description.starts_with(kind.name);
    EXPECT_TRUE(kind_found) << description;
  }
}

TEST(FakeDomain, Orders) {
  const ColumnBatch orders = whole_table("fake_orders");
  expect_dense_ids(orders);
  const std::set<std::string_view> statuses = {"pending", "processing", "shipped", "delivered", "cancelled"};
  for (size_t r = 0; r < orders.rows(); ++r) {
    EXPECT_GE(orders[3].int_at(r), 1);
    EXPECT_LE(orders[3].int_at(r), 10);
    EXPECT_GT(orders[4].double_at(r), 0);
    EXPECT_TRUE(whole_cents(orders[4].double_at(r)));
    EXPECT_TRUE(whole_cents(orders[5].double_at(r)));
    EXPECT_LE(orders[6].int_at(r), Params{}.anchor_us);
    EXPECT_TRUE(statuses.count(orders[7].string_at(r))) << orders[7].string_at(r);
    EXPECT_GT(orders[8].string_at(r).size(), 20u);
  }
}

TEST(FakeDomain, Analytics) {
  const ColumnBatch events = whole_table("fake_analytics");
  expect_dense_ids(events);
  std::set<std::string_view> countries;
  for (const Country& c : word_lists().countries) countries.insert(c.code);
  const std::set<std::string_view> devices = {"desktop", "mobile", "tablet"};
  const int64_t anchor = Params{}.anchor_us;
  for (size_t r = 0; r < events.rows(); ++r) {
    EXPECT_LE(events[1].int_at(r), anchor);
    EXPECT_GE(events[1].int_at(r), anchor - 372 * kDayUs);
    EXPECT_GE(events[2].int_at(r), 1);
    EXPECT_LE(events[2].int_at(r), 1'000);
    EXPECT_TRUE(events[3].string_at(r).starts_with("/")) << events[3].string_at(r);
    EXPECT_EQ(events[3].string_at(r).find('{'), std::string_view::npos);
    EXPECT_GE(events[4].int_at(r), 0);
    EXPECT_LE(events[4].int_at(r), 4 * 3600);
    EXPECT_GE(events[5].int_at(r), 1);
    EXPECT_LE(events[5].int_at(r), 20);
    EXPECT_GE(events[6].double_at(r), 0.0);
    EXPECT_LE(events[6].double_at(r), 1.0);
    EXPECT_TRUE(events[7].int_at(r) == 0 || events[7].int_at(r) == 1);
    EXPECT_TRUE(devices.count(events[8].string_at(r)));
    EXPECT_FALSE(events[9].string_at(r).empty());
    EXPECT_TRUE(countries.count(events[10].string_at(r))) << events[10].string_at(r);
  }
}

TEST(FakeDomain, EmailsAreUniqueAtScale20) {
  Params params;
  params.scale = 20;
  const ColumnBatch users = whole_table("fake_users", params);
  std::unordered_set<std::string_view> seen;
  for (size_t r = 0; r < users.rows(); ++r)
    EXPECT_TRUE(seen.insert(users[3].string_at(r)).second) << users[3].string_at(r);
  EXPECT_EQ(seen.size(), 20'000u);
}

TEST(FakeDomain, ProductNamesAreUnique) {
  for (int64_t scale : {1, 20}) {
    Params params;
    params.scale = scale;
    const ColumnBatch products = whole_table("fake_products", params);
    std::unordered_set<std::string_view> seen;
    for (size_t r = 0; r < products.rows(); ++r) EXPECT_TRUE(seen.insert(products[1].string_at(r)).second);
    EXPECT_EQ(seen.size(), products.rows());
  }
}

}  // namespace
}  // namespace superstore::fakedata
