// fake_products as cell functions (internal): the products generator uses them row by row, and orders
// and analytics call them to name, price and link products without holding the products table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fakedata/births.h"
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
  // The base products were listed over the four years before the default anchor.
  static constexpr int64_t kHistoryUs = 4 * kYearUs;

  // What a product is; every other column follows from it.
  struct Identity {
    const Category* category;
    const ProductKind* kind;
    std::string_view brand;
    std::string_view line;
  };

  explicit Products(const Params& params);

  // Products listed by the anchor.
  uint64_t rows() const { return rows_; }
  // Products listed at least a minute before `time_us`: those an order then may buy.
  uint64_t before(int64_t time_us) const { return births_.surely(time_us - kMinuteUs); }
  Identity identity(uint64_t row) const;
  void name(uint64_t row, const Identity& product, Text& out) const;
  void description(uint64_t row, const Identity& product, Text& out) const;
  int64_t price_cents(uint64_t row, const Identity& product) const;
  int64_t cost_cents(uint64_t row, int64_t price_cents) const;
  // Units in stock at the anchor: sold on some days, restocked on a fixed cycle (stock_at).
  int64_t stock_quantity(uint64_t row) const { return stock_at(row, created_at(row), anchor_us_); }
  int64_t stock_at(uint64_t row, int64_t created_at, int64_t time_us) const;
  int64_t weight_grams(uint64_t row, const Identity& product) const;
  void dimensions(uint64_t row, const Identity& product, Text& out) const;
  bool is_featured(uint64_t row) const;
  int64_t created_at(uint64_t row) const { return births_.at(row); }

  // A row for an order or a visit at `time_us` (from two random words), among the rows born a minute
  // before it: a few heavy ones and a long tail among the base rows, scattered over them, the same at
  // every anchor; and one in ten among those listed in the 90 days before (newcomers are active).
  uint64_t pick(uint64_t a, uint64_t b, int64_t time_us) const { return pick(a, b, candidates(time_us)); }
  // The same with the rows born a minute before `time_us` counted once, for several picks at one time.
  struct Candidates {
    int64_t time_us;
    uint64_t among;
  };
  Candidates candidates(int64_t time_us) const { return {time_us, before(time_us)}; }
  uint64_t pick(uint64_t a, uint64_t b, const Candidates& candidates) const;

 private:
  const WordLists& words_;
  int64_t anchor_us_;
  Births births_;
  uint64_t rows_;
  Stream category_, kind_, brand_, line_, description_, price_, cost_, stock_, weight_, dimensions_;
  Stream featured_, sales_;
  Shuffle popularity_;  // over the base rows
};

FakeTable products_table();

}  // namespace superstore::fakedata
