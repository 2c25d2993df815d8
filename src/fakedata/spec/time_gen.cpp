// `timestamp:` and `date:` generators: a time in a window whose ends are the anchor, a time relative to
// it, a fixed date, or another time column of the row (also through a ref), with an optional lean to
// the recent or early end and optional hour-of-day and day-of-week rhythms.
#include <algorithm>

#include "common/error.h"
#include "fakedata/spec/program.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata::spec {
namespace {

constexpr int64_t kDefaultSpanUs = 365 * kDayUs;

// One end of the window: a slot's value or the anchor (or neither: a fixed time), plus an offset.
struct Bound {
  enum Kind { Anchor, Fixed, Column } kind = Anchor;
  int64_t offset_us = 0;  // Anchor and Column: added; Fixed: the time
  Slot slot;
};

enum class Lean { Uniform, Recent, Early };

class Times : public Generator {
 public:
  bool date_only = false;
  std::optional<Bound> after, before;
  std::optional<int64_t> within_us;
  Lean lean = Lean::Uniform;
  std::optional<WeightedTable> hours, weekdays;

  Type type() const override { return date_only ? Type::Date : Type::Timestamp; }

  void fill(const GenInput& in, Column& out) const override {
    const int64_t anchor = in.params.anchor_us;
    for (size_t i = 0; i < in.rows.size(); ++i) {
      std::optional<int64_t> lo = after ? value(*after, in, i, anchor) : std::nullopt;
      std::optional<int64_t> hi = before ? value(*before, in, i, anchor) : std::nullopt;
      if ((after && !lo) || (before && !hi)) {  // an end read from a NULL
        out.push_null();
        continue;
      }
      if (!hi) hi = anchor;
      if (within_us) {
        if (lo)
          hi = std::min(*hi, *lo + *within_us);
        else
          lo = *hi - *within_us;
      }
      if (!lo) lo = *hi - kDefaultSpanUs;
      const int64_t t = draw(in.stream, in.rows[i], *lo, std::max(*lo, *hi));
      out.push_int(date_only ? floor_div(t, kDayUs) : t);
    }
  }

 private:
  static std::optional<int64_t> value(const Bound& b, const GenInput& in, size_t i, int64_t anchor) {
    switch (b.kind) {
      case Bound::Anchor:
        return anchor + b.offset_us;
      case Bound::Fixed:
        return b.offset_us;
      case Bound::Column: {
        const Column& c = *in.slots[static_cast<size_t>(b.slot.index)];
        if (c.is_null(i)) return std::nullopt;
        const int64_t v = b.slot.type == Type::Date ? c.int_at(i) * kDayUs : c.int_at(i);
        return v + b.offset_us;
      }
    }
    return std::nullopt;
  }

  uint64_t pick(uint64_t bits, uint64_t n) const {
    return lean == Lean::Recent ? high_biased(bits, n) : lean == Lean::Early ? low_biased(bits, n) : below(bits, n);
  }

  int64_t draw(const Stream& stream, uint64_t row, int64_t lo, int64_t hi) const {
    const uint64_t bits = stream(row, 0);
    if (!hours && !weekdays) {
      const int64_t unit = date_only ? kDayUs : kSecondUs;
      const auto span = static_cast<uint64_t>((hi - lo) / unit);
      return lo + static_cast<int64_t>(pick(bits, span + 1)) * unit;
    }
    // Days that overlap the window; a window ending at midnight does not take the next day in.
    const int64_t day_lo = floor_div(lo, kDayUs), day_hi = std::max(day_lo, floor_div(hi - 1, kDayUs));
    int64_t day = day_lo + static_cast<int64_t>(pick(bits, static_cast<uint64_t>(day_hi - day_lo) + 1));
    if (weekdays && day_hi - day_lo >= 6) {
      const auto wanted = static_cast<int64_t>(weekdays->pick(stream(row, 1)));
      const int64_t first = day_lo + ((wanted - weekday(day_lo)) % 7 + 7) % 7;
      const auto count = static_cast<uint64_t>((day_hi - first) / 7 + 1);
      day = first + 7 * static_cast<int64_t>(pick(bits, count));
    }
    if (date_only) return std::clamp(day * kDayUs, lo, hi);
    const int64_t hour = hours ? static_cast<int64_t>(hours->pick(stream(row, 2))) : in_range(stream(row, 2), 0, 23);
    const int64_t second = in_range(stream(row, 3), 0, 3599);
    return std::clamp(day * kDayUs + hour * kHourUs + second * kSecondUs, lo, hi);
  }
};

Bound read_bound(const YAML::Node& node, ColumnScope& scope, std::string_view what) {
  std::string text = text_of(node, scope, what);
  Bound b;
  // "<base> + <duration>" or "<base> - <duration>"
  for (const char* sign : {" + ", " - "}) {
    const size_t at = text.rfind(sign);
    if (at == std::string::npos) continue;
    const std::optional<int64_t> d = parse_duration_us(text.substr(at + 3));
    if (!d)
      scope.fail(node, std::string(what) + ": '" + text.substr(at + 3) + "' is not a duration such as 30d, 12h or 2w");
    b.offset_us = sign[1] == '+' ? *d : -*d;
    text = text.substr(0, at);
    break;
  }
  if (text == "anchor" || text == "now") return b;
  if (const std::optional<int64_t> d = parse_duration_us(text)) {
    b.offset_us += *d;
    return b;
  }
  if (const std::optional<int64_t> t = parse_instant_us(text)) {
    b.kind = Bound::Fixed;
    b.offset_us += *t;
    return b;
  }
  const std::optional<Slot> slot = scope.resolve(text, node);
  if (!slot) {
    scope.fail(node, std::string(what) + ": '" + text +
                         "' is neither anchor, a duration from it (-365d), a date (2024-01-31) nor a column");
  }
  if (slot->type != Type::Timestamp && slot->type != Type::Date) {
    scope.fail(node, std::string(what) + ": " + text + " is " + std::string(type_label(slot->type)) + ", not a time");
  }
  b.kind = Bound::Column;
  b.slot = *slot;
  return b;
}

WeightedTable rhythm(const YAML::Node& node, ColumnScope& scope, size_t count, std::string_view what) {
  if (!node.IsSequence() || node.size() != count) {
    scope.fail(node, std::string(what) + " is a list of " + std::to_string(count) + " weights");
  }
  std::vector<uint64_t> weights;
  for (const auto& w : node) {
    const double v = number_of(w, scope, "a weight");
    if (v < 0) scope.fail(w, "a weight cannot be negative");
    weights.push_back(static_cast<uint64_t>(std::llround(v * 1e6)));
  }
  uint64_t total = 0;
  for (uint64_t w : weights) total += w;
  if (total == 0) scope.fail(node, std::string(what) + " needs a weight above 0");
  return WeightedTable(weights);
}

}  // namespace

std::unique_ptr<Generator> make_time(Settings& s, ColumnScope& scope) {
  const ColumnType type = scope.column_type();
  if (type != ColumnType::Timestamp && type != ColumnType::Date) {
    scope.fail(s.where(), s.kind() + " makes times, but the column is " + std::string(type_name(type)));
  }
  auto g = std::make_unique<Times>();
  g->date_only = s.kind() == "date";
  if (s.main().IsDefined())
    scope.fail(s.main(), s.kind() + " takes settings, e.g. {" + s.kind() + ": {after: -365d, before: anchor}}");
  if (const auto n = s.take("after")) g->after = read_bound(*n, scope, "after");
  if (const auto n = s.take("before")) g->before = read_bound(*n, scope, "before");
  if (const auto n = s.take("within")) {
    const std::string text = text_of(*n, scope, "within");
    g->within_us = parse_duration_us(text);
    if (!g->within_us || *g->within_us <= 0) scope.fail(*n, "within is a positive duration such as 180d, 12h or 2w");
  }
  if (const auto n = s.take("lean")) {
    const std::string v = text_of(*n, scope, "lean");
    if (v == "recent")
      g->lean = Lean::Recent;
    else if (v == "early")
      g->lean = Lean::Early;
    else if (v != "uniform")
      scope.fail(*n, "lean is uniform, recent or early");
  }
  if (const auto n = s.take("hours")) {
    if (g->date_only) scope.fail(*n, "a date has no hours; use timestamp");
    g->hours = rhythm(*n, scope, 24, "hours");
  }
  if (const auto n = s.take("weekdays")) g->weekdays = rhythm(*n, scope, 7, "weekdays (Monday first)");
  return g;
}

}  // namespace superstore::fakedata::spec
