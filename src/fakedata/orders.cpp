// fake_orders: purchases of real products by real users. Every foreign value is computed with the users'
// and products' own cell functions, so the table needs neither parent in memory.
#include "fakedata/orders.h"

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

constexpr std::string_view kTable = Orders::kTable;
constexpr uint64_t kBaseRows = Orders::kBaseRows;

enum Column { kId, kUserId, kProductName, kQuantity, kUnitPrice, kTotalAmount, kOrderDate, kStatus, kShippingAddress };

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

void fill(const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
  const Users users(params);
  const Products products(params);
  const Orders orders(params);
  const Stream user_id(params, kTable, "user_id");
  const Stream product_name(params, kTable, "product_name");
  const Stream quantity(params, kTable, "quantity");
  const Stream shipping_address(params, kTable, "shipping_address");
  // What the partition and sort keys (status, order_date, id) need is always made; the purchase and the
  // address only when one of their columns is wanted.
  const bool purchase = wants(columns, kProductName) || wants(columns, kQuantity) || wants(columns, kUnitPrice) ||
                        wants(columns, kTotalAmount);
  const bool address = wants(columns, kShippingAddress);
  const bool buyer = address || wants(columns, kUserId);
  Text text;
  for (const uint64_t row : rows) {
    // By a user who had signed up, of a product that was listed, when the order was placed; each picked
    // only when a wanted column needs it (the keys alone, the write path's first pass, need neither).
    const int64_t date = orders.placed_at(row);
    const uint64_t user = buyer ? users.pick(user_id(row, 0), user_id(row, 1), date) : 0;

    out[kId].push_int(static_cast<int64_t>(row + 1));
    if (buyer) out[kUserId].push_int(static_cast<int64_t>(user + 1));
    if (purchase) {
      const uint64_t product = products.pick(product_name(row, 0), product_name(row, 1), date);
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
    out[kStatus].push_string(kOrderStatuses[static_cast<size_t>(orders.status(row, date, params.anchor_us))]);
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

Orders::Orders(const Params& params)
    : births_(params, kTable, kBaseRows, kHistoryUs), status_(params, kTable, "status") {}

// Packed within a day and a half (sooner more often), shipped one to four days later, delivered two to
// eight days after that; one order in sixteen is cancelled before it ships. So the orders of the last
// days are mostly pending or being packed, and after a month all are delivered or cancelled.
Orders::Schedule Orders::schedule(uint64_t row, int64_t placed_at) const {
  Schedule s;
  s.processing = placed_at + 30 * kMinuteUs + static_cast<int64_t>(low_biased(status_(row, 0), 36 * 60)) * kMinuteUs;
  s.shipped = s.processing + kDayUs + static_cast<int64_t>(below(status_(row, 1), 72 * 60)) * kMinuteUs;
  s.delivered = s.shipped + 2 * kDayUs + static_cast<int64_t>(below(status_(row, 2), 6 * 24 * 60)) * kMinuteUs;
  if (chance_bp(status_(row, 3), 625)) {
    s.cancelled =
        placed_at + static_cast<int64_t>(below(status_(row, 4), static_cast<uint64_t>(s.shipped - placed_at)));
  }
  return s;
}

OrderStatus Orders::status(uint64_t row, int64_t placed_at, int64_t time_us) const {
  const Schedule s = schedule(row, placed_at);
  if (s.cancelled <= time_us) return OrderStatus::Cancelled;
  if (s.delivered <= time_us) return OrderStatus::Delivered;
  if (s.shipped <= time_us) return OrderStatus::Shipped;
  if (s.processing <= time_us) return OrderStatus::Processing;
  return OrderStatus::Pending;
}

FakeTable orders_table() {
  TableSpec spec;
  spec.name = std::string(kTable);
  spec.description =
      "Orders of fake_products by fake_users: quantity, unit price and exact total in US dollars, order "
      "time, a status that follows the order's lifecycle, and a shipping address in the user's country.";
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
  spec.target_file_bytes = kSelectiveFileBytes;
  spec.base_rows = kBaseRows;
  spec.born = [](const Params& params) { return Orders(params).births().count(params.anchor_us); };
  // Orders whose status moves on between the two anchors: only those not yet settled at the first.
  auto changed = [](const Params& from, const Params& to) {
    const Orders orders(from);
    std::vector<uint64_t> out;
    const uint64_t end = orders.births().count(from.anchor_us);
    for (uint64_t row = orders.births().count(from.anchor_us - Orders::kSettledAfterUs); row < end; ++row) {
      const int64_t placed = orders.placed_at(row);
      if (orders.status(row, placed, from.anchor_us) != orders.status(row, placed, to.anchor_us)) out.push_back(row);
    }
    return out;
  };
  FakeTable table{std::move(spec), fill};
  table.changed = changed;
  return table;
}

}  // namespace superstore::fakedata
