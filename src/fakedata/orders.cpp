// fake_orders: purchases of real products by real users. Every foreign value is computed with the users'
// and products' own cell functions, so the table needs neither parent in memory.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "fakedata/address.h"
#include "fakedata/products.h"
#include "fakedata/users.h"

namespace superstore::fakedata {
namespace {

constexpr std::string_view kTable = "fake_orders";
constexpr uint64_t kBaseRows = 5'000;

enum Column { kId, kUserId, kProductName, kQuantity, kUnitPrice, kTotalAmount, kOrderDate, kStatus, kShippingAddress };

constexpr std::array<std::string_view, 5> kStatuses = {"pending", "processing", "shipped", "delivered", "cancelled"};

// How an order's status depends on its age at the anchor: fresh orders wait or are being packed, then
// ship, and after a month nearly all are delivered; a few of every age were cancelled.
struct AgeBand {
  int64_t younger_than_us;
  WeightedTable statuses;  // over kStatuses
};

const std::array<AgeBand, 5>& age_bands() {
  static const std::array<AgeBand, 5> bands = {{
      {1 * kDayUs, WeightedTable({60, 35, 0, 0, 5})},
      {3 * kDayUs, WeightedTable({15, 50, 30, 0, 5})},
      {10 * kDayUs, WeightedTable({0, 10, 55, 30, 5})},
      {30 * kDayUs, WeightedTable({0, 0, 10, 83, 7})},
      {INT64_MAX, WeightedTable({0, 0, 0, 92, 8})},
  }};
  return bands;
}

// People buy cheap things by the handful and expensive things one at a time.
struct QuantityBand {
  int64_t below_cents;
  std::vector<int64_t> quantities;
  WeightedTable table;
};

const std::array<QuantityBand, 3>& quantity_bands() {
  static const std::array<QuantityBand, 3> bands = {{
      {2'000, {1, 2, 3, 4, 5, 6, 8, 10}, WeightedTable({50, 22, 12, 6, 4, 2, 2, 2})},
      {10'000, {1, 2, 3, 4}, WeightedTable({75, 17, 5, 3})},
      {INT64_MAX, {1, 2, 3}, WeightedTable({92, 7, 1})},
  }};
  return bands;
}

int64_t quantity_for(int64_t price_cents, uint64_t bits) {
  for (const QuantityBand& band : quantity_bands()) {
    if (price_cents < band.below_cents) return band.quantities[band.table.pick(bits)];
  }
  return 1;
}

std::string_view status_for(int64_t age_us, uint64_t bits) {
  for (const AgeBand& band : age_bands()) {
    if (age_us < band.younger_than_us) return kStatuses[band.statuses.pick(bits)];
  }
  return kStatuses[3];
}

void fill(const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
  const Users users(params);
  const Products products(params);
  const Stream user_id(params, kTable, "user_id");
  const Stream product_name(params, kTable, "product_name");
  const Stream quantity(params, kTable, "quantity");
  const Stream order_date(params, kTable, "order_date");
  const Stream status(params, kTable, "status");
  const Stream shipping_address(params, kTable, "shipping_address");
  // What the partition and sort keys (status, order_date, id) need is always made; the purchase and the
  // address only when one of their columns is wanted.
  const bool purchase = wants(columns, kProductName) || wants(columns, kQuantity) || wants(columns, kUnitPrice) ||
                        wants(columns, kTotalAmount);
  const bool address = wants(columns, kShippingAddress);
  Text text;
  for (const uint64_t row : rows) {
    const uint64_t user = users.pick(user_id(row));
    const uint64_t product = products.pick(product_name(row));

    // After the user signed up and the product was listed (both at least two days before the anchor),
    // more often recently, never after the anchor.
    const int64_t earliest = std::max(users.created_at(user), products.created_at(product)) + kMinuteUs;
    const auto span_s = static_cast<uint64_t>((params.anchor_us - earliest) / kSecondUs);
    const int64_t date = earliest + static_cast<int64_t>(high_biased(order_date(row), span_s + 1)) * kSecondUs;

    out[kId].push_int(static_cast<int64_t>(row + 1));
    out[kUserId].push_int(static_cast<int64_t>(user + 1));
    if (purchase) {
      const Products::Identity identity = products.identity(product);
      const int64_t price = products.price_cents(product, identity);
      const int64_t count = quantity_for(price, quantity(row));
      text.clear();
      products.name(product, identity, text);
      out[kProductName].push_string(text.view());
      out[kQuantity].push_int(count);
      // Prices are whole cents, so both doubles are the nearest double to an exact cent amount.
      out[kUnitPrice].push_double(static_cast<double>(price) / 100.0);
      out[kTotalAmount].push_double(static_cast<double>(price * count) / 100.0);
    }
    out[kOrderDate].push_int(date);
    out[kStatus].push_string(status_for(params.anchor_us - date, status(row)));
    if (address) {
      // Most orders go to the user's home; some to another address in the same country (work, a gift).
      text.clear();
      if (chance_bp(shipping_address(row, 4), 8'500)) {
        users.home_address(user, text);
      } else {
        write_address(users.country(user), shipping_address, row, text);
      }
      out[kShippingAddress].push_string(text.view());
    }
  }
}

}  // namespace

FakeTable orders_table() {
  TableSpec spec;
  spec.name = std::string(kTable);
  spec.description =
      "Orders of fake_products by fake_users: quantity, unit price and exact total in US dollars, order "
      "time, a status that follows the order's age, and a shipping address in the user's country.";
  // In the order of the Column enum above.
  spec.columns = {{"id", ColumnType::Int64},
                  {"user_id", ColumnType::Int64},
                  {"product_name", ColumnType::String},
                  {"quantity", ColumnType::Int32},
                  {"unit_price", ColumnType::Float64},
                  {"total_amount", ColumnType::Float64},
                  {"order_date", ColumnType::Timestamp},
                  {"status", ColumnType::String},
                  {"shipping_address", ColumnType::String}};
  spec.partition_keys = {"status"};
  spec.sort_keys = {"order_date", "id"};
  spec.base_rows = kBaseRows;
  return {std::move(spec), fill};
}

}  // namespace superstore::fakedata
