// fake_products: a catalogue whose names, brands, descriptions, prices, weights and sizes fit each
// product's kind and category.
#include "fakedata/products.h"

#include <algorithm>
#include <span>

namespace superstore::fakedata {
namespace {

enum Column {
  kId,
  kName,
  kDescription,
  kCategory,
  kBrand,
  kPrice,
  kCost,
  kStockQuantity,
  kWeight,
  kDimensions,
  kIsFeatured,
  kCreatedAt
};

void fill(const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
  const Products products(params);
  // Every column but id and category comes with the rest.
  const bool rest = (columns & ~((ColumnMask{1} << kId) | (ColumnMask{1} << kCategory))) != 0;
  const bool category = rest || wants(columns, kCategory);
  Text text;
  for (const uint64_t row : rows) {
    if (wants(columns, kId)) out[kId].push_int(static_cast<int64_t>(row + 1));
    if (!category) continue;
    const Products::Identity product = products.identity(row);
    out[kCategory].push_string(product.category->name);
    if (!rest) continue;
    const int64_t price = products.price_cents(row, product);
    text.clear();
    products.name(row, product, text);
    out[kName].push_string(text.view());
    text.clear();
    products.description(row, product, text);
    out[kDescription].push_string(text.view());
    out[kBrand].push_string(product.brand);
    out[kPrice].push_double(static_cast<double>(price) / 100.0);
    out[kCost].push_double(static_cast<double>(products.cost_cents(row, price)) / 100.0);
    out[kStockQuantity].push_int(products.stock_quantity(row));
    out[kWeight].push_double(static_cast<double>(products.weight_grams(row, product)) / 1000.0);
    text.clear();
    products.dimensions(row, product, text);
    out[kDimensions].push_string(text.view());
    out[kIsFeatured].push_bool(products.is_featured(row));
    out[kCreatedAt].push_int(products.created_at(row));
  }
}

}  // namespace

Products::Products(const Params& params)
    : words_(word_lists()),
      anchor_us_(params.anchor_us),
      births_(params, kTable, kBaseRows, kHistoryUs),
      rows_(births_.count(params.anchor_us)),
      category_(params, kTable, "category"),
      kind_(params, kTable, "(kind)"),
      brand_(params, kTable, "brand"),
      line_(params, kTable, "(line)"),
      description_(params, kTable, "description"),
      price_(params, kTable, "price"),
      cost_(params, kTable, "cost"),
      stock_(params, kTable, "stock_quantity"),
      weight_(params, kTable, "weight"),
      dimensions_(params, kTable, "dimensions"),
      featured_(params, kTable, "is_featured"),
      sales_(params, kTable, "(sales)"),
      popularity_(births_.base_rows(), Stream(params, kTable, "(popularity)")(0)) {}

uint64_t Products::pick(uint64_t a, uint64_t b, const Candidates& candidates) const {
  const uint64_t among = candidates.among;
  const int64_t time_us = candidates.time_us;
  if (among == 0) fail(ErrorCode::Internal, "no row of " + std::string(kTable) + " to refer to");
  if (chance_bp(b, 1'000)) {
    const uint64_t first = before(time_us - 90 * kDayUs);
    if (first < among) return first + below(mix64(b), among - first);
  }
  const uint64_t rank = skewed_below(a, among, 3);
  if (rank >= births_.base_rows()) return rank;  // past the base rows: by age
  const uint64_t row = popularity_(rank);
  return row < among ? row : below(mix64(a), among);
}

Products::Identity Products::identity(uint64_t row) const {
  const Category& category = words_.categories[words_.category_table.pick(category_(row))];
  return {&category, &category.kinds[below(kind_(row), category.kinds.size())],
          category.brands[below(brand_(row), category.brands.size())],
          category.lines[below(line_(row), category.lines.size())]};
}

// "<brand> <line> <kind> <code>", e.g. "Voltix Pro Wireless Earbuds VP-0042". The code ends in the
// row's id and is the last word, so equal names would need equal ids: names are unique by construction.
void Products::name(uint64_t row, const Products::Identity& product, Text& out) const {
  out << product.brand << ' ' << product.line << ' ' << product.kind->name << ' ' << product.brand[0] << product.line[0]
      << '-';
  out.number(row + 1, 4);
}

// "<Kind> with <feature> and <another feature>. <closing sentence>"
void Products::description(uint64_t row, const Products::Identity& product, Text& out) const {
  const auto& features = product.kind->features;
  const size_t first = below(description_(row, 0), features.size());
  size_t second = below(description_(row, 1), features.size() - 1);
  if (second >= first) ++second;
  out << product.kind->name << " with " << features[first] << " and " << features[second] << ". ";
  const std::string_view closing =
      product.category->closings[below(description_(row, 2), product.category->closings.size())];
  const size_t at = closing.find("{brand}");
  if (at == std::string_view::npos) {
    out << closing;
  } else {
    out << closing.substr(0, at) << product.brand << closing.substr(at + 7);
  }
}

// Mostly the cheaper end of the kind's range, at a shop price ending in .99 (or .49 for one in five).
int64_t Products::price_cents(uint64_t row, const Products::Identity& product) const {
  const ProductKind& kind = *product.kind;
  const auto range = static_cast<uint64_t>(kind.price_max_cents - kind.price_min_cents) + 1;
  const int64_t raw = kind.price_min_cents + static_cast<int64_t>(low_biased(price_(row, 0), range));
  const int64_t ending = chance_bp(price_(row, 1), 2'000) ? 51 : 1;  // cents below the whole dollar
  return std::max<int64_t>(99, raw / 100 * 100 - ending);
}

// A margin of 25% to 60%: cost is always positive and below the price.
int64_t Products::cost_cents(uint64_t row, int64_t price_cents) const {
  return std::max<int64_t>(1, price_cents * in_range(cost_(row), 4'000, 7'500) / 10'000);
}

// A product is restocked to its level (mostly small numbers, a few in bulk) every 7 to 42 days from its
// listing, and sells a few units on some of the whole days since: each day's sale is drawn per
// (product, day), so the stock at any time is a pure function of the product and the time, found by
// summing at most 42 days.
int64_t Products::stock_at(uint64_t row, int64_t created_at, int64_t time_us) const {
  const int64_t level = 1 + static_cast<int64_t>(low_biased(stock_(row, 1), 1'000));
  const int64_t cycle = in_range(stock_(row, 2), 7, 42);
  const int64_t sale_bp = in_range(stock_(row, 3), 500, 4'000);
  const int64_t listed = floor_div(created_at, kDayUs);
  const int64_t today = floor_div(time_us, kDayUs);  // the days before it are over
  if (today <= listed) return level;
  const int64_t restocked = listed + (today - listed) / cycle * cycle;
  int64_t sold = 0;
  for (int64_t day = restocked; day < today; ++day) {
    const uint64_t bits = sales_(row, static_cast<uint32_t>(day));
    if (chance_bp(bits, sale_bp)) sold += 1 + static_cast<int64_t>(below(bits >> 32, 3));
  }
  return std::max<int64_t>(0, level - sold);
}

int64_t Products::weight_grams(uint64_t row, const Products::Identity& product) const {
  return in_range(weight_(row), product.kind->weight_min_g, product.kind->weight_max_g);
}

// The kind's typical packed size, each side varied by up to 20%: "30x20x10 cm".
void Products::dimensions(uint64_t row, const Products::Identity& product, Text& out) const {
  for (int i = 0; i < 3; ++i) {
    const int64_t typical = product.kind->dimensions_cm[static_cast<size_t>(i)];
    const int64_t side =
        std::max<int64_t>(1, typical * in_range(dimensions_(row, static_cast<uint32_t>(i)), 80, 120) / 100);
    if (i > 0) out << 'x';
    out << static_cast<uint64_t>(side);
  }
  out << " cm";
}

bool Products::is_featured(uint64_t row) const { return chance_bp(featured_(row), 1'000); }

FakeTable products_table() {
  TableSpec spec;
  spec.name = std::string(Products::kTable);
  spec.description =
      "Product catalogue: unique names, descriptions and brands fitting the category, price and cost in "
      "US dollars, stock, shipping weight in kg, packed dimensions, featured flag and listing time.";
  // In the order of the Column enum above.
  spec.columns = {
      {"id", ColumnType::Int64},          {"name", ColumnType::String},          {"description", ColumnType::String},
      {"category", ColumnType::String},   {"brand", ColumnType::String},         {"price", ColumnType::Float64},
      {"cost", ColumnType::Float64},      {"stock_quantity", ColumnType::Int32}, {"weight", ColumnType::Float64},
      {"dimensions", ColumnType::String}, {"is_featured", ColumnType::Boolean},  {"created_at", ColumnType::Timestamp}};
  spec.partition_keys = {"category"};
  spec.sort_keys = {"id"};
  spec.base_rows = Products::kBaseRows;
  spec.born = [](const Params& params) { return Products(params).rows(); };
  // Products that sold or were restocked between the two anchors.
  auto changed = [](const Params& from, const Params& to) {
    const Products products(from);
    std::vector<uint64_t> out;
    for (uint64_t row = 0; row < products.rows(); ++row) {
      const int64_t created = products.created_at(row);
      if (products.stock_at(row, created, from.anchor_us) != products.stock_at(row, created, to.anchor_us)) {
        out.push_back(row);
      }
    }
    return out;
  };
  FakeTable table{std::move(spec), fill};
  table.changed = changed;
  return table;
}

}  // namespace superstore::fakedata
