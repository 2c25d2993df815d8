// The expression language of `expr:` generators (internal to fakedata/spec): a small, SQL-flavoured,
// typed language over the earlier columns of the same row. It has no loops, no recursion and no way
// to reach files or SQL, so an expression costs at most a fixed amount of work per row, bounded by its
// length (at most kMaxExprChars) and depth (kMaxExprDepth).
//
//   literals     42, 8.5, 'text' ('' for a quote), true, false, null
//   names        a column of the row, ref_column.parent_column, anchor (the fake world's "now")
//   operators    + - * / %, || (text), = != <> < <= > >=, and, or, not, is [not] null,
//                [not] in (a, b, ...), [not] between a and b
//   case         case when c then v ... [else v] end; case x when v then r ... [else v] end
//   functions    see docs/fake-data-specs.md (round, least, lower, year, add_days, random, ...)
//
// Evaluation is by column: eval() runs each node once over a whole batch of rows. Errors of a row's
// values (division by zero, overflow, a value out of range) give NULL, as in SQL; an expression never
// fails at run time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/columns.h"
#include "fakedata/random.h"
#include "fakedata/spec/values.h"

namespace superstore::fakedata::spec {

inline constexpr size_t kMaxExprChars = 4096;
inline constexpr int kMaxExprDepth = 64;

// A name the expression may read: its position in the batch's value table and its type.
struct Slot {
  int index = -1;
  Type type = Type::Null;
};

// Resolves a name (a column, or "column.parent_column") to its slot; returns nothing for an unknown
// name, or throws ExprError itself for a name it knows but may not read (e.g. a later column).
using Resolver = std::function<std::optional<Slot>(std::string_view name)>;

// A compile error at `offset` characters into the expression text.
struct ExprError {
  size_t offset = 0;
  std::string message;
};

// What a batch evaluation reads.
struct EvalInput {
  std::span<const uint64_t> rows;        // the rows' numbers, for random() and normal()
  std::span<const Column* const> slots;  // by Slot::index; nullptr for slots not computed
  const Stream* stream = nullptr;        // the column's own random numbers
  int64_t anchor_us = 0;
};

class Expr {
 public:
  // Parses and type-checks `text`; throws ExprError.
  static Expr compile(std::string_view text, const Resolver& resolve);

  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;
  ~Expr();

  Type type() const;
  // The slots it reads.
  const std::vector<int>& reads() const { return reads_; }
  // One value per row of input.rows, of type type() (stored as storage_of(type())).
  Column eval(const EvalInput& input) const;

  struct Node;

 private:
  Expr();
  std::unique_ptr<Node> root_;
  std::vector<int> reads_;
};

}  // namespace superstore::fakedata::spec
