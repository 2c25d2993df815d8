// The expression tree shared by the parser and the evaluator (internal to fakedata/spec).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fakedata/spec/expr.h"

namespace superstore::fakedata::spec {

enum class Op {
  Const,
  SlotRef,
  Anchor,
  Neg,
  Not,
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Concat,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  And,
  Or,
  IsNull,
  IsNotNull,
  Case,
  Call,
  Random,
  Normal
};

enum class Fn {
  Round,
  Floor,
  Ceil,
  Abs,
  Sqrt,
  Pow,
  Exp,
  Ln,
  Least,
  Greatest,
  Coalesce,
  Lower,
  Upper,
  Length,
  Trim,
  Substr,
  Replace,
  ConcatFn,
  Year,
  Month,
  Day,
  Hour,
  Minute,
  Second,
  Weekday,
  DateOf,
  TimestampOf,
  AddDays,
  AddHours,
  AddMinutes,
  AddSeconds,
  DaysBetween,
  HoursBetween,
  MinutesBetween,
  SecondsBetween,
  DateTrunc,
  ToText,
  ToInt,
  ToFloat
};

struct Expr::Node {
  Op op = Op::Const;
  Type type = Type::Null;
  // Const: the value (by type); Call: a constant argument (round's digits, date_trunc's unit).
  int64_t i = 0;
  double d = 0;
  std::string s;
  int slot = -1;  // SlotRef
  int draw = 0;   // Random, Normal
  Fn fn = Fn::Round;
  std::vector<std::unique_ptr<Node>> kids;  // Case: when, then, when, then, ..., [else]
  bool has_else = false;
};

using Node = Expr::Node;
using NodePtr = std::unique_ptr<Node>;

inline bool temporal(Type t) { return t == Type::Timestamp || t == Type::Date; }

// `x` evaluated over every row of the input, as a column of x's type.
Column eval_node(const Node& x, const EvalInput& in);

}  // namespace superstore::fakedata::spec
