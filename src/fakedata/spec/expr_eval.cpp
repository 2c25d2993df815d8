// The expression language's evaluator: each node runs once over a whole batch of rows.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "fakedata/spec/det_math.h"
#include "fakedata/spec/expr_node.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata::spec {
namespace {

// ---------------------------------------------------------------------------------------------------
// Evaluation

// Values longer than this become NULL, so that no expression can build an unbounded string.
constexpr size_t kMaxTextBytes = 64 * 1024;

double num(const Column& c, Type t, size_t i) {
  return t == Type::Float ? c.double_at(i) : static_cast<double>(c.int_at(i));
}
int64_t micros(const Column& c, Type t, size_t i) { return t == Type::Date ? c.int_at(i) * kDayUs : c.int_at(i); }

// Pushes a double unless it is not a finite number.
void push_finite(Column& out, double v) {
  if (std::isfinite(v))
    out.push_double(v);
  else
    out.push_null();
}

void push_checked_int(Column& out, bool overflow, int64_t v) {
  if (overflow)
    out.push_null();
  else
    out.push_int(v);
}

std::chrono::year_month_day civil(int64_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

int64_t days_of(const std::chrono::year_month_day& ymd) {
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

// Three-way comparison of row i of a and b, which unify() accepted.
int compare_at(const Column& a, Type ta, const Column& b, Type tb, size_t i) {
  if (ta == Type::String)
    return a.string_at(i).compare(b.string_at(i)) < 0 ? -1 : a.string_at(i) == b.string_at(i) ? 0 : 1;
  if (temporal(ta) || temporal(tb)) {
    const int64_t x = micros(a, ta, i), y = micros(b, tb, i);
    return x < y ? -1 : x > y;
  }
  if (ta == Type::Float || tb == Type::Float) {
    const double x = num(a, ta, i), y = num(b, tb, i);
    return x < y ? -1 : x > y;
  }
  const int64_t x = a.int_at(i), y = b.int_at(i);
  return x < y ? -1 : x > y;
}

Column constant(const Node& n, size_t rows, int64_t anchor_us) {
  Column out(storage_of(n.type));
  out.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    switch (n.type) {
      case Type::Null:
        out.push_null();
        break;
      case Type::Float:
        out.push_double(n.d);
        break;
      case Type::String:
        out.push_string(n.s);
        break;
      default:
        out.push_int(n.op == Op::Anchor ? anchor_us : n.i);
        break;
    }
  }
  return out;
}

Column eval_call(const Node& n, const EvalInput& in, const std::vector<const Column*>& args) {
  const size_t rows = in.rows.size();
  Column out(storage_of(n.type));
  out.reserve(rows);
  const Type t0 = n.kids.empty() ? Type::Null : n.kids[0]->type;
  const auto any_null = [&](size_t i) {
    for (const Column* a : args) {
      if (a->is_null(i)) return true;
    }
    return false;
  };
  std::string text;
  for (size_t i = 0; i < rows; ++i) {
    const bool nulls_pass = n.fn == Fn::Least || n.fn == Fn::Greatest || n.fn == Fn::Coalesce || n.fn == Fn::ConcatFn;
    if (!nulls_pass && any_null(i)) {
      out.push_null();
      continue;
    }
    switch (n.fn) {
      case Fn::Round:
        if (t0 == Type::Float) {
          static constexpr std::array<double, 34> kPow10 = {
              1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7,
              1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,  1,     1e1,   1e2,   1e3,  1e4,  1e5,
              1e6,   1e7,   1e8,   1e9,   1e10,  1e11,  1e12,  1e13,  1e14,  1e15};
          const double scale = kPow10[static_cast<size_t>(n.i + 18)];
          const double x = args[0]->double_at(i);
          push_finite(out, n.i >= 0 ? std::round(x * scale) / scale
                                    : std::round(x / kPow10[static_cast<size_t>(18 - n.i)]) *
                                          kPow10[static_cast<size_t>(18 - n.i)]);
        } else if (n.i >= 0) {
          out.push_int(args[0]->int_at(i));
        } else {
          int64_t unit = 1;
          for (int64_t k = 0; k < -n.i; ++k) unit *= 10;
          const int64_t x = args[0]->int_at(i);
          const int64_t half = unit / 2;
          const int64_t r = x >= 0 ? (x / unit + (x % unit >= half)) : -((-x) / unit + ((-x) % unit >= half));
          int64_t v = 0;
          push_checked_int(out, __builtin_mul_overflow(r, unit, &v), v);
        }
        break;
      case Fn::Floor:
      case Fn::Ceil:
        if (t0 == Type::Float)
          push_finite(out, n.fn == Fn::Floor ? std::floor(args[0]->double_at(i)) : std::ceil(args[0]->double_at(i)));
        else
          out.push_int(args[0]->int_at(i));
        break;
      case Fn::Abs:
        if (t0 == Type::Float)
          out.push_double(std::fabs(args[0]->double_at(i)));
        else
          push_checked_int(
              out, args[0]->int_at(i) == std::numeric_limits<int64_t>::min(),
              std::abs(args[0]->int_at(i) == std::numeric_limits<int64_t>::min() ? 0 : args[0]->int_at(i)));
        break;
      case Fn::Sqrt: {
        const double x = num(*args[0], t0, i);
        if (x < 0)
          out.push_null();
        else
          out.push_double(std::sqrt(x));
        break;
      }
      case Fn::Pow: {
        const double b = num(*args[0], t0, i), p = num(*args[1], n.kids[1]->type, i);
        if (b < 0 || (b == 0 && p <= 0))
          out.push_null();
        else
          push_finite(out, b == 0 ? 0.0 : det_pow(b, p));
        break;
      }
      case Fn::Exp:
        push_finite(out, det_exp(num(*args[0], t0, i)));
        break;
      case Fn::Ln: {
        const double x = num(*args[0], t0, i);
        if (x <= 0)
          out.push_null();
        else
          out.push_double(det_log(x));
        break;
      }
      case Fn::Least:
      case Fn::Greatest:
      case Fn::Coalesce: {
        int best = -1;
        for (size_t k = 0; k < args.size(); ++k) {
          if (args[k]->is_null(i)) continue;
          if (best < 0) {
            best = static_cast<int>(k);
            if (n.fn == Fn::Coalesce) break;
            continue;
          }
          const int c = compare_at(*args[k], n.kids[k]->type, *args[static_cast<size_t>(best)],
                                   n.kids[static_cast<size_t>(best)]->type, i);
          if ((n.fn == Fn::Least && c < 0) || (n.fn == Fn::Greatest && c > 0)) best = static_cast<int>(k);
        }
        if (best < 0)
          out.push_null();
        else
          // The winner is read as its own type (an Int among Floats is no Float column; found by
          // fuzz/fake_spec_fuzz.cpp), then converted to the call's.
          push_converted(*args[static_cast<size_t>(best)], i, n.kids[static_cast<size_t>(best)]->type, out,
                         storage_of(n.type));
        break;
      }
      case Fn::Lower:
      case Fn::Upper: {
        text.assign(args[0]->string_at(i));
        for (char& c : text)
          c = static_cast<char>(n.fn == Fn::Lower ? std::tolower(static_cast<unsigned char>(c))
                                                  : std::toupper(static_cast<unsigned char>(c)));
        out.push_string(text);
        break;
      }
      case Fn::Length:
        out.push_int(static_cast<int64_t>(utf8_length(args[0]->string_at(i))));
        break;
      case Fn::Trim: {
        std::string_view s = args[0]->string_at(i);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
        out.push_string(s);
        break;
      }
      case Fn::Substr: {
        // By characters, as SQL counts them; a start before 1 eats into the length, as in DuckDB.
        const std::string_view s = args[0]->string_at(i);
        const int64_t start = args[1]->int_at(i);
        int64_t length = args.size() > 2 ? args[2]->int_at(i) : INT64_MAX / 2;
        if (length < 0) length = 0;
        const int64_t first = std::max<int64_t>(start, 1);
        const int64_t end = start > INT64_MAX / 2 ? start : start + length;
        out.push_string(end <= first
                            ? std::string_view()
                            : utf8_substr(s, static_cast<size_t>(first - 1), static_cast<size_t>(end - first)));
        break;
      }
      case Fn::Replace: {
        const std::string_view s = args[0]->string_at(i), from = args[1]->string_at(i), to = args[2]->string_at(i);
        text.clear();
        if (from.empty()) {
          text.assign(s);
        } else {
          size_t p = 0;
          while (true) {
            const size_t hit = s.find(from, p);
            text.append(s.substr(p, hit == std::string_view::npos ? std::string_view::npos : hit - p));
            if (hit == std::string_view::npos || text.size() > kMaxTextBytes) break;
            text.append(to);
            p = hit + from.size();
          }
        }
        if (text.size() > kMaxTextBytes)
          out.push_null();
        else
          out.push_string(text);
        break;
      }
      case Fn::ConcatFn:
      case Fn::ToText: {
        text.clear();
        for (size_t k = 0; k < args.size(); ++k) {
          if (!args[k]->is_null(i)) append_text(*args[k], i, n.kids[k]->type, text);
        }
        if ((n.fn == Fn::ToText && args[0]->is_null(i)) || text.size() > kMaxTextBytes)
          out.push_null();
        else
          out.push_string(text);
        break;
      }
      case Fn::Year:
      case Fn::Month:
      case Fn::Day:
      case Fn::Weekday: {
        const int64_t day = floor_div(micros(*args[0], t0, i), kDayUs);
        if (n.fn == Fn::Weekday) {
          out.push_int(weekday(day));
          break;
        }
        const auto ymd = civil(day);
        out.push_int(n.fn == Fn::Year    ? static_cast<int>(ymd.year())
                     : n.fn == Fn::Month ? static_cast<unsigned>(ymd.month())
                                         : static_cast<unsigned>(ymd.day()));
        break;
      }
      case Fn::Hour:
        out.push_int(floor_div(args[0]->int_at(i), kHourUs) - floor_div(args[0]->int_at(i), kDayUs) * 24);
        break;
      case Fn::Minute:
        out.push_int(floor_div(args[0]->int_at(i), kMinuteUs) - floor_div(args[0]->int_at(i), kHourUs) * 60);
        break;
      case Fn::Second:
        out.push_int(floor_div(args[0]->int_at(i), kSecondUs) - floor_div(args[0]->int_at(i), kMinuteUs) * 60);
        break;
      case Fn::DateOf:
        out.push_int(floor_div(micros(*args[0], t0, i), kDayUs));
        break;
      case Fn::TimestampOf:
        out.push_int(micros(*args[0], t0, i));
        break;
      case Fn::AddDays:
      case Fn::AddHours:
      case Fn::AddMinutes:
      case Fn::AddSeconds: {
        const int64_t unit = n.fn == Fn::AddDays      ? (n.type == Type::Date ? 1 : kDayUs)
                             : n.fn == Fn::AddHours   ? kHourUs
                             : n.fn == Fn::AddMinutes ? kMinuteUs
                                                      : kSecondUs;
        const int64_t base = n.type == Type::Date ? args[0]->int_at(i) : micros(*args[0], t0, i);
        int64_t delta = 0, v = 0;
        const bool overflow =
            __builtin_mul_overflow(args[1]->int_at(i), unit, &delta) || __builtin_add_overflow(base, delta, &v);
        push_checked_int(out, overflow, v);
        break;
      }
      case Fn::DaysBetween:
      case Fn::HoursBetween:
      case Fn::MinutesBetween:
      case Fn::SecondsBetween: {
        const int64_t unit = n.fn == Fn::DaysBetween      ? kDayUs
                             : n.fn == Fn::HoursBetween   ? kHourUs
                             : n.fn == Fn::MinutesBetween ? kMinuteUs
                                                          : kSecondUs;
        int64_t diff = 0;
        const bool overflow =
            __builtin_sub_overflow(micros(*args[1], n.kids[1]->type, i), micros(*args[0], t0, i), &diff);
        push_checked_int(out, overflow, overflow ? 0 : floor_div(diff, unit));
        break;
      }
      case Fn::DateTrunc: {
        const int64_t t = micros(*args[0], t0, i);
        const int64_t day = floor_div(t, kDayUs);
        int64_t v;
        if (n.s == "hour")
          v = floor_div(t, kHourUs) * kHourUs;
        else if (n.s == "minute")
          v = floor_div(t, kMinuteUs) * kMinuteUs;
        else if (n.s == "day")
          v = day * kDayUs;
        else if (n.s == "week")
          v = (day - weekday(day)) * kDayUs;
        else {
          const auto ymd = civil(day);
          const auto first = n.s == "year"
                                 ? std::chrono::year_month_day{ymd.year(), std::chrono::January, std::chrono::day{1}}
                                 : std::chrono::year_month_day{ymd.year(), ymd.month(), std::chrono::day{1}};
          v = days_of(first) * kDayUs;
        }
        out.push_int(v);
        break;
      }
      case Fn::ToInt: {
        if (t0 == Type::String) {
          const std::string_view s = args[0]->string_at(i);
          int64_t v = 0;
          const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
          if (r.ec != std::errc() || r.ptr != s.data() + s.size())
            out.push_null();
          else
            out.push_int(v);
        } else {
          push_converted(*args[0], i, t0 == Type::Bool ? Type::Int : t0, out, ColumnType::Int64);
        }
        break;
      }
      case Fn::ToFloat: {
        if (t0 == Type::String) {
          const std::string_view s = args[0]->string_at(i);
          double v = 0;
          const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
          if (r.ec != std::errc() || r.ptr != s.data() + s.size())
            out.push_null();
          else
            push_finite(out, v);
        } else {
          out.push_double(num(*args[0], t0, i));
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace

Column eval_node(const Node& n, const EvalInput& in) {
  const size_t rows = in.rows.size();
  switch (n.op) {
    case Op::Const:
    case Op::Anchor:
      return constant(n, rows, in.anchor_us);
    case Op::SlotRef: {
      const Column* c = in.slots[static_cast<size_t>(n.slot)];
      Column out(c->type());
      out.append(*c);
      return out;
    }
    case Op::Random:
    case Op::Normal: {
      Column out(ColumnType::Float64);
      out.reserve(rows);
      for (const uint64_t row : in.rows) {
        const uint64_t bits = (*in.stream)(row, static_cast<uint32_t>(16 + n.draw));
        out.push_double(n.op == Op::Random ? unit_interval(bits) : standard_normal(bits));
      }
      return out;
    }
    default:
      break;
  }
  // Children that name a slot are read in place; the others are evaluated into `owned`.
  std::vector<Column> owned;
  owned.reserve(n.kids.size());
  std::vector<const Column*> kids;
  kids.reserve(n.kids.size());
  for (const auto& k : n.kids) {
    if (k->op == Op::SlotRef) {
      kids.push_back(in.slots[static_cast<size_t>(k->slot)]);
    } else {
      owned.push_back(eval_node(*k, in));
      kids.push_back(&owned.back());
    }
  }
  if (n.op == Op::Call) return eval_call(n, in, kids);

  Column out(storage_of(n.type));
  out.reserve(rows);
  const Type ta = n.kids.empty() ? Type::Null : n.kids[0]->type;
  const Type tb = n.kids.size() < 2 ? Type::Null : n.kids[1]->type;
  std::string text;
  for (size_t i = 0; i < rows; ++i) {
    switch (n.op) {
      case Op::Neg:
        if (kids[0]->is_null(i))
          out.push_null();
        else if (n.type == Type::Float)
          out.push_double(-kids[0]->double_at(i));
        else
          push_checked_int(out, kids[0]->int_at(i) == std::numeric_limits<int64_t>::min(),
                           kids[0]->int_at(i) == std::numeric_limits<int64_t>::min() ? 0 : -kids[0]->int_at(i));
        break;
      case Op::Not:
        if (kids[0]->is_null(i))
          out.push_null();
        else
          out.push_bool(kids[0]->int_at(i) == 0);
        break;
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
      case Op::Mod: {
        if (kids[0]->is_null(i) || kids[1]->is_null(i) || n.type == Type::Null) {
          out.push_null();
          break;
        }
        if (n.type == Type::Float) {
          const double a = num(*kids[0], ta, i), b = num(*kids[1], tb, i);
          if (n.op == Op::Div && b == 0)
            out.push_null();
          else
            push_finite(out, n.op == Op::Add ? a + b : n.op == Op::Sub ? a - b : n.op == Op::Mul ? a * b : a / b);
          break;
        }
        const int64_t a = kids[0]->int_at(i), b = kids[1]->int_at(i);
        int64_t v = 0;
        bool overflow = false;
        if (n.op == Op::Add)
          overflow = __builtin_add_overflow(a, b, &v);
        else if (n.op == Op::Sub)
          overflow = __builtin_sub_overflow(a, b, &v);
        else if (n.op == Op::Mul)
          overflow = __builtin_mul_overflow(a, b, &v);
        else if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1))
          overflow = true;
        else
          v = a % b;
        push_checked_int(out, overflow, v);
        break;
      }
      case Op::Concat:
        if (kids[0]->is_null(i) || kids[1]->is_null(i)) {
          out.push_null();
          break;
        }
        text.clear();
        append_text(*kids[0], i, ta, text);
        append_text(*kids[1], i, tb, text);
        if (text.size() > kMaxTextBytes)
          out.push_null();
        else
          out.push_string(text);
        break;
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        if (kids[0]->is_null(i) || kids[1]->is_null(i) || ta == Type::Null || tb == Type::Null) {
          out.push_null();
          break;
        }
        const int c = compare_at(*kids[0], ta, *kids[1], tb, i);
        out.push_bool(n.op == Op::Eq   ? c == 0
                      : n.op == Op::Ne ? c != 0
                      : n.op == Op::Lt ? c < 0
                      : n.op == Op::Le ? c <= 0
                      : n.op == Op::Gt ? c > 0
                                       : c >= 0);
        break;
      }
      case Op::And:
      case Op::Or: {
        // SQL's three-valued logic: false and null is false, true or null is true.
        const bool an = kids[0]->is_null(i) || ta == Type::Null, bn = kids[1]->is_null(i) || tb == Type::Null;
        const bool a = !an && kids[0]->int_at(i) != 0, b = !bn && kids[1]->int_at(i) != 0;
        if (n.op == Op::And) {
          if ((!an && !a) || (!bn && !b))
            out.push_bool(false);
          else if (an || bn)
            out.push_null();
          else
            out.push_bool(true);
        } else {
          if (a || b)
            out.push_bool(true);
          else if (an || bn)
            out.push_null();
          else
            out.push_bool(false);
        }
        break;
      }
      case Op::IsNull:
      case Op::IsNotNull: {
        const bool null = ta == Type::Null || kids[0]->is_null(i);
        out.push_bool(n.op == Op::IsNull ? null : !null);
        break;
      }
      case Op::Case: {
        const size_t pairs = (kids.size() - (n.has_else ? 1 : 0)) / 2;
        size_t chosen = kids.size();  // none
        for (size_t k = 0; k < pairs; ++k) {
          const Type tc = n.kids[2 * k]->type;
          if (tc != Type::Null && !kids[2 * k]->is_null(i) && kids[2 * k]->int_at(i) != 0) {
            chosen = 2 * k + 1;
            break;
          }
        }
        if (chosen == kids.size() && n.has_else) chosen = kids.size() - 1;
        if (chosen == kids.size())
          out.push_null();
        else
          push_converted(*kids[chosen], i, n.kids[chosen]->type, out, storage_of(n.type));
        break;
      }
      default:
        out.push_null();
        break;
    }
  }
  return out;
}

Column Expr::eval(const EvalInput& input) const { return eval_node(*root_, input); }

}  // namespace superstore::fakedata::spec