// fake_products as cell functions (internal): the products generator uses them row by row, and orders
// and analytics call them to name, price and link products without holding the products table.
#pragma once

#include <cstdint>
#include <string_view>

#include "fakedata/fakedata.h"
#include "fakedata/random.h"
#include "fakedata/text.h"
#include "fakedata/time_units.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {

class Products {
 public:
  static constexpr std::string_view kTable = "fake_products";
  static constexpr uint64_t kBaseRows = 500;
  // Products are listed at least this long before the anchor, so orders always fit after them.
  static constexpr int64_t kMinListingAgeUs = 2 * kDayUs;

  // What a product is; every other column follows from it.
  struct Identity {
    const Category* category;
    const ProductKind* kind;
    std::string_view brand;
    std::string_view line;
  };

  explicit Products(const Params& params);

  uint64_t rows() const { return rows_; }
  Identity identity(uint64_t row) const;
  void name(uint64_t row, const Identity& product, Text& out) const;
  void description(uint64_t row, const Identity& product, Text& out) const;
  int64_t price_cents(uint64_t row, const Identity& product) const;
  int64_t cost_cents(uint64_t row, int64_t price_cents) const;
  int64_t stock_quantity(uint64_t row) const;
  int64_t weight_grams(uint64_t row, const Identity& product) const;
  void dimensions(uint64_t row, const Identity& product, Text& out) const;
  bool is_featured(uint64_t row) const;
  int64_t created_at(uint64_t row) const;

  // A product row for an order or a page view: a few best sellers, a long tail.
  uint64_t pick(uint64_t bits) const { return popularity_(skewed_below(bits, rows_, 3)); }

 private:
  const WordLists& words_;
  int64_t anchor_us_;
  uint64_t rows_;
  Stream category_, kind_, brand_, line_, description_, price_, cost_, stock_, weight_, dimensions_;
  Stream featured_, created_at_;
  Shuffle popularity_;
};

FakeTable products_table();

}  // namespace superstore::fakedata
