// Foreign keys resolve and related values agree, at more than one scale.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <unordered_map>

#include "fakedata/test_support.h"
#include "fakedata/users.h"

namespace superstore::fakedata {
namespace {

using testing::whole_table;

struct ProductFacts {
  double price;
  int64_t created_at;
};

class FakeRelations : public ::testing::TestWithParam<int64_t> {
 protected:
  Params params() const {
    Params p;
    p.scale = GetParam();
    return p;
  }
};

TEST_P(FakeRelations, OrdersReferToRealUsersAndProducts) {
  const Params p = params();
  const ColumnBatch users = whole_table("fake_users", p);
  const ColumnBatch products = whole_table("fake_products", p);
  const ColumnBatch orders = whole_table("fake_orders", p);
  std::unordered_map<std::string_view, ProductFacts> by_name;
  for (size_t r = 0; r < products.rows(); ++r) {
    by_name[products[1].string_at(r)] = {products[5].double_at(r), products[11].int_at(r)};
  }
  const Users hidden(p);
  std::map<int64_t, int> orders_per_user;
  std::map<std::string_view, int> orders_per_product;
  for (size_t r = 0; r < orders.rows(); ++r) {
    const int64_t user_id = orders[1].int_at(r);
    ASSERT_GE(user_id, 1);
    ASSERT_LE(user_id, static_cast<int64_t>(users.rows()));
    const auto product = by_name.find(orders[2].string_at(r));
    ASSERT_NE(product, by_name.end()) << orders[2].string_at(r);
    const int64_t quantity = orders[3].int_at(r);
    const double unit_price = orders[4].double_at(r);
    EXPECT_EQ(unit_price, product->second.price);
    EXPECT_EQ(std::llround(orders[5].double_at(r) * 100), quantity * std::llround(unit_price * 100));
    const int64_t order_date = orders[6].int_at(r);
    EXPECT_GT(order_date, users[7].int_at(static_cast<size_t>(user_id - 1)));
    EXPECT_GT(order_date, product->second.created_at);
    EXPECT_LE(order_date, p.anchor_us);
    // Shipped within the user's country.
    const Country& country = hidden.country(static_cast<uint64_t>(user_id - 1));
    const std::string_view address = orders[8].string_at(r);
    EXPECT_NE(address.find(country.name), std::string_view::npos) << address << " / " << country.code;
    ++orders_per_user[user_id];
    ++orders_per_product[orders[2].string_at(r)];
  }
  // A few heavy users and best sellers.
  int max_user = 0, max_product = 0;
  for (const auto& [_, n] : orders_per_user) max_user = std::max(max_user, n);
  for (const auto& [_, n] : orders_per_product) max_product = std::max(max_product, n);
  EXPECT_GT(max_user, 4 * static_cast<int>(orders.rows() / users.rows()));
  EXPECT_GT(max_product, 10 * static_cast<int>(orders.rows() / products.rows()));
}

TEST_P(FakeRelations, AnalyticsReferToRealUsersAfterTheySignedUp) {
  const Params p = params();
  const ColumnBatch users = whole_table("fake_users", p);
  const ColumnBatch events = whole_table("fake_analytics", p);
  const auto products = static_cast<int64_t>(find_table("fake_products").spec.rows(p));
  for (size_t r = 0; r < events.rows(); ++r) {
    const int64_t user_id = events[2].int_at(r);
    ASSERT_GE(user_id, 1);
    ASSERT_LE(user_id, static_cast<int64_t>(users.rows()));
    EXPECT_GT(events[1].int_at(r), users[7].int_at(static_cast<size_t>(user_id - 1)));
    EXPECT_LE(events[1].int_at(r), p.anchor_us);
    const std::string_view path = events[3].string_at(r);
    if (path.starts_with("/product/")) {
      const int64_t id = std::stoll(std::string(path.substr(9)));
      EXPECT_GE(id, 1);
      EXPECT_LE(id, products);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scales, FakeRelations, ::testing::Values(1, 3));

TEST(FakeRelationsAnchor, HoldForAnotherAnchor) {
  Params p;
  p.anchor_us = kDefaultAnchorUs - 123'456'789'000LL;  // not on a day boundary
  const ColumnBatch users = whole_table("fake_users", p);
  const ColumnBatch orders = whole_table("fake_orders", p);
  const ColumnBatch events = whole_table("fake_analytics", p);
  for (size_t r = 0; r < orders.rows(); ++r) {
    EXPECT_GT(orders[6].int_at(r), users[7].int_at(static_cast<size_t>(orders[1].int_at(r) - 1)));
    EXPECT_LE(orders[6].int_at(r), p.anchor_us);
  }
  for (size_t r = 0; r < events.rows(); ++r) {
    EXPECT_GT(events[1].int_at(r), users[7].int_at(static_cast<size_t>(events[2].int_at(r) - 1)));
    EXPECT_LE(events[1].int_at(r), p.anchor_us);
  }
}

}  // namespace
}  // namespace superstore::fakedata
