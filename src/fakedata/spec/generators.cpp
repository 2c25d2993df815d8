// The generator kinds of the spec language that need no word lists or time windows: sequence, int,
// float (decimal), choice, bool, uuid and expr; and the helpers every kind uses to read its settings.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "common/error.h"
#include "fakedata/spec/distributions.h"
#include "fakedata/spec/program.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata::spec {

// ----------------------------------------------------------------------------------------------------
// Settings and values

std::optional<YAML::Node> Settings::take(std::string_view key) {
  for (const auto& [name, node] : keys_) {
    if (name == key) {
      taken_.push_back(name);
      return node;
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, YAML::Node>> Settings::leftover() const {
  std::vector<std::pair<std::string, YAML::Node>> out;
  for (const auto& entry : keys_) {
    if (std::find(taken_.begin(), taken_.end(), entry.first) == taken_.end()) out.push_back(entry);
  }
  return out;
}

std::string key_text(const YAML::Node& key) { return key.IsNull() ? std::string("null") : key.Scalar(); }

YAML::Node find_key(const YAML::Node& map, std::string_view key) {
  if (map.IsMap()) {
    for (const auto& entry : map) {
      if (key_text(entry.first) == key) return entry.second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

Resolver ColumnScope::resolver(const YAML::Node& at) {
  return [this, at](std::string_view name) { return resolve(name, at); };
}

namespace {

std::string scalar(const YAML::Node& node) { return node.IsScalar() ? node.Scalar() : std::string(); }

}  // namespace

double number_of(const YAML::Node& node, ColumnScope& scope, std::string_view what) {
  const std::string text = scalar(node);
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(v)) {
    scope.fail(node, std::string(what) + " must be a number, got '" + text + "'");
  }
  return v;
}

int64_t integer_of(const YAML::Node& node, ColumnScope& scope, std::string_view what) {
  const std::string text = scalar(node);
  int64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    scope.fail(node, std::string(what) + " must be a whole number, got '" + text + "'");
  }
  return v;
}

std::string text_of(const YAML::Node& node, ColumnScope& scope, std::string_view what) {
  if (!node.IsScalar()) scope.fail(node, std::string(what) + " must be a single value");
  return node.Scalar();
}

std::optional<int64_t> parse_duration_us(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t unit;
  switch (text.back()) {
    case 's':
      unit = kSecondUs;
      break;
    case 'm':
      unit = kMinuteUs;
      break;
    case 'h':
      unit = kHourUs;
      break;
    case 'd':
      unit = kDayUs;
      break;
    case 'w':
      unit = 7 * kDayUs;
      break;
    case 'y':
      unit = 365 * kDayUs;
      break;
    default:
      return std::nullopt;
  }
  std::string_view digits = text.substr(0, text.size() - 1);
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double amount = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
  if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  const double us = amount * static_cast<double>(unit);
  if (!(std::fabs(us) < 4e17)) return std::nullopt;  // about 12,000 years
  return static_cast<int64_t>(std::llround(us));
}

namespace {

// Parses one literal written in a spec (a choice value) as a value of the column's type.
void push_literal(const YAML::Node& node, ColumnScope& scope, const std::string& text, Column& out) {
  const ColumnType to = scope.column_type();
  const auto bad = [&]() { scope.fail(node, "'" + text + "' is not a " + std::string(type_name(to)) + " value"); };
  switch (type_of(to)) {
    case Type::String:
      out.push_string(text);
      return;
    case Type::Int: {
      int64_t v = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) bad();
      if (v < min_of(to) || v > max_of(to)) scope.fail(node, text + " does not fit " + std::string(type_name(to)));
      out.push_int(v);
      return;
    }
    case Type::Float: {
      double v = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) bad();
      out.push_double(v);
      return;
    }
    case Type::Bool:
      if (text == "true" || text == "True" || text == "TRUE")
        out.push_bool(true);
      else if (text == "false" || text == "False" || text == "FALSE")
        out.push_bool(false);
      else
        bad();
      return;
    case Type::Timestamp:
    case Type::Date: {
      const std::optional<int64_t> us = parse_instant_us(text);
      if (!us) bad();
      out.push_int(type_of(to) == Type::Date ? floor_div(*us, kDayUs) : *us);
      return;
    }
    case Type::Null:
      return;
  }
}

// Weights are written as any non-negative numbers; the alias table wants integers, so they are
// scaled to millionths (0.5 and 50 both work; differences below a millionth of the largest vanish).
WeightedTable weight_table(const std::vector<double>& weights, const YAML::Node& at, ColumnScope& scope) {
  double top = 0;
  for (double w : weights) top = std::max(top, w);
  if (weights.empty() || top <= 0) scope.fail(at, "choice needs at least one value with a weight above 0");
  std::vector<uint64_t> scaled;
  for (double w : weights) scaled.push_back(static_cast<uint64_t>(std::llround(w / top * 1e9)));
  return WeightedTable(scaled);
}

struct Choices {
  Column values;
  WeightedTable table;
};

// A map {value: weight, ...} or a list [value, ...] (equal weights).
Choices read_choices(const YAML::Node& node, ColumnScope& scope) {
  Choices c{Column(scope.column_type()), {}};
  std::vector<double> weights;
  if (node.IsMap()) {
    // In the order of the values' text, not as written: a map's order means nothing in YAML, and a
    // recorded spec (JSON, keys sorted) must make the same data as the file it came from.
    // (Indices are sorted, not nodes: assigning a YAML::Node rewrites the node it refers to.)
    std::vector<YAML::Node> keys, values;
    std::vector<std::string> texts;
    for (const auto& entry : node) {
      keys.push_back(entry.first);
      values.push_back(entry.second);
      texts.push_back(key_text(entry.first));
    }
    std::vector<size_t> order(keys.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return texts[a] < texts[b]; });
    for (const size_t i : order) {
      push_literal(keys[i], scope, texts[i], c.values);
      const double w = number_of(values[i], scope, "a choice weight");
      if (w < 0) scope.fail(values[i], "a choice weight cannot be negative");
      weights.push_back(w);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) scope.fail(item, "a choice value must be a single value");
      push_literal(item, scope, item.Scalar(), c.values);
      weights.push_back(1);
    }
  } else {
    scope.fail(node, "choice takes a map of values to weights, or a list of values");
  }
  c.table = weight_table(weights, node, scope);
  return c;
}

// ----------------------------------------------------------------------------------------------------
// Kinds

class Sequence : public Generator {
 public:
  Sequence(int64_t start, int64_t step, ColumnType type, std::string column)
      : start_(start), step_(step), type_(type), column_(std::move(column)) {}
  Type type() const override { return Type::Int; }
  bool unique() const override { return true; }
  bool non_negative_unique_int() const override { return start_ >= 0 && step_ > 0; }
  void fill(const GenInput& in, Column& out) const override {
    for (const uint64_t row : in.rows) {
      int64_t offset, v;
      if (__builtin_mul_overflow(static_cast<int64_t>(row), step_, &offset) ||
          __builtin_add_overflow(start_, offset, &v) || v < min_of(type_) || v > max_of(type_)) {
        fail(ErrorCode::InvalidArgument, "column " + column_ + ": its sequence passes the range of " +
                                             std::string(type_name(type_)) + " at row " + std::to_string(row + 1) +
                                             "; use Int64 or fewer rows");
      }
      out.push_int(v);
    }
  }

 private:
  int64_t start_, step_;
  ColumnType type_;
  std::string column_;
};

struct Shape {
  enum Kind { Uniform, Normal, LogNormal, Skew } kind = Uniform;
  double min = 0, max = 0, mean = 0, sd = 1, median = 1, sigma = 1, skew = 1;
};

class Number : public Generator {
 public:
  Number(Shape shape, bool integer, int decimals) : shape_(shape), integer_(integer), decimals_(decimals) {
    if (shape_.kind == Shape::Skew) {
      // A float's skew uses 65,536 steps; a table that size (768 KiB) is made while the spec compiles.
      span_ = integer ? static_cast<uint64_t>(shape_.max - shape_.min) + 1 : 65'536;
      ranks_.emplace(span_, shape_.skew, uint64_t{1} << 16);
    }
    scale_ = 1;
    for (int i = 0; i < decimals_; ++i) scale_ *= 10;
  }
  Type type() const override { return integer_ ? Type::Int : Type::Float; }
  void fill(const GenInput& in, Column& out) const override {
    for (const uint64_t row : in.rows) {
      const uint64_t bits = in.stream(row);
      if (integer_) {
        if (shape_.kind == Shape::Uniform) {
          out.push_int(in_range(bits, static_cast<int64_t>(shape_.min), static_cast<int64_t>(shape_.max)));
        } else if (shape_.kind == Shape::Skew) {
          out.push_int(static_cast<int64_t>(shape_.min) + static_cast<int64_t>((*ranks_)(bits)));
        } else {
          out.push_int(static_cast<int64_t>(std::clamp(std::round(continuous(bits)), shape_.min, shape_.max)));
        }
        continue;
      }
      double v = shape_.kind == Shape::Uniform ? shape_.min + unit_interval(bits) * (shape_.max - shape_.min)
                 : shape_.kind == Shape::Skew  ? shape_.min + static_cast<double>((*ranks_)(bits)) /
                                                                 static_cast<double>(span_) * (shape_.max - shape_.min)
                                              : std::clamp(continuous(bits), shape_.min, shape_.max);
      if (decimals_ >= 0) v = std::clamp(std::round(v * scale_) / scale_, shape_.min, shape_.max);
      out.push_double(v);
    }
  }

 private:
  double continuous(uint64_t bits) const {
    const double z = standard_normal(bits);
    return shape_.kind == Shape::Normal ? shape_.mean + shape_.sd * z : shape_.median * det_exp(shape_.sigma * z);
  }

  Shape shape_;
  bool integer_;
  int decimals_;
  double scale_ = 1;
  uint64_t span_ = 0;
  std::optional<ZipfRanks> ranks_;
};

class Choice : public Generator {
 public:
  explicit Choice(Choices choices) : choices_(std::move(choices)) {}
  Type type() const override { return type_of(choices_.values.type()); }
  bool digit_free() const override {
    if (choices_.values.type() != ColumnType::String) return false;
    return choices_.values.chars().find_first_of("0123456789") == std::string_view::npos;
  }
  void fill(const GenInput& in, Column& out) const override {
    for (const uint64_t row : in.rows) {
      push_converted(choices_.values, choices_.table.pick(in.stream(row)), type(), out, out.type());
    }
  }

 private:
  Choices choices_;
};

// Choice weights that depend on another column: by its value (text, booleans, integers) or by the band
// of a number between bounds.
class ConditionalChoice : public Generator {
 public:
  Type type() const override { return type_of(values_type_); }
  void fill(const GenInput& in, Column& out) const override {
    const Column& by = *in.slots[static_cast<size_t>(slot_.index)];
    std::string key;
    for (size_t i = 0; i < in.rows.size(); ++i) {
      const Choices* c = fallback_ ? &*fallback_ : nullptr;
      if (!by.is_null(i)) {
        if (!bounds_.empty()) {
          const double x = slot_.type == Type::Float ? by.double_at(i) : static_cast<double>(by.int_at(i));
          c = &bands_[static_cast<size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), x) - bounds_.begin())];
        } else {
          key.clear();
          append_text(by, i, slot_.type, key);
          if (auto it = cases_.find(key); it != cases_.end()) c = &it->second;
        }
      }
      if (!c) {
        out.push_null();
        continue;
      }
      push_converted(c->values, c->table.pick(in.stream(in.rows[i])), type(), out, out.type());
    }
  }

  Slot slot_;
  ColumnType values_type_ = ColumnType::String;
  std::vector<double> bounds_;
  std::vector<Choices> bands_;
  std::unordered_map<std::string, Choices> cases_;
  std::optional<Choices> fallback_;
};

class Flag : public Generator {
 public:
  explicit Flag(double p) : threshold_(p >= 1 ? ~uint64_t{0} : static_cast<uint64_t>(p * 0x1.0p64)), always_(p >= 1) {}
  Type type() const override { return Type::Bool; }
  void fill(const GenInput& in, Column& out) const override {
    for (const uint64_t row : in.rows) out.push_bool(always_ || in.stream(row) < threshold_);
  }

 private:
  uint64_t threshold_;
  bool always_;
};

// Version 4 UUIDs (RFC 9562 layout) built around the row's first draw of the column's stream, which no
// other row shares (a stream's positions map one-to-one to its values), so the UUIDs are unique by
// construction.
class Uuid : public Generator {
 public:
  Type type() const override { return Type::String; }
  bool unique() const override { return true; }
  void fill(const GenInput& in, Column& out) const override {
    static constexpr char kHex[] = "0123456789abcdef";
    char text[36];
    for (const uint64_t row : in.rows) {
      // The unique word u fills the first half but for the version nibble (bits 12 to 15 of the
      // half), which moves to the end of the second half: (high, low) still determines u.
      const uint64_t u = in.stream(row, 0);
      const uint64_t high = (u & 0xFFFFFFFFFFFF0FFFULL) | 0x4000ULL;
      const uint64_t low =
          0x8000000000000000ULL | ((in.stream(row, 1) >> 2) & 0x3FFFFFFFFFFFFFF0ULL) | ((u >> 12) & 0xF);
      size_t p = 0;
      for (int nibble = 0; nibble < 32; ++nibble) {
        if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) text[p++] = '-';
        const uint64_t word = nibble < 16 ? high : low;
        text[p++] = kHex[(word >> (60 - 4 * (nibble % 16))) & 0xF];
      }
      out.push_string(std::string_view(text, sizeof text));
    }
  }
};

class Expression : public Generator {
 public:
  explicit Expression(Expr expr) : expr_(std::move(expr)) {}
  bool fits_any_width() const override { return false; }
  Type type() const override { return expr_.type() == Type::Null ? Type::Int : expr_.type(); }
  void fill(const GenInput& in, Column& out) const override {
    EvalInput input{in.rows, in.slots, &in.stream, in.params.anchor_us};
    Column values = expr_.eval(input);
    if (expr_.type() == Type::Null || values.type() != out.type()) {
      for (size_t i = 0; i < values.size(); ++i) out.push_null();
      return;
    }
    if (out.size() == 0)
      out = std::move(values);
    else
      out.append(values);
  }

 private:
  Expr expr_;
};

std::unique_ptr<Generator> make_number(Settings& s, ColumnScope& scope, bool integer) {
  const ColumnType type = scope.column_type();
  if (integer ? !(type_of(type) == Type::Int || type == ColumnType::Float64) : type != ColumnType::Float64) {
    scope.fail(s.where(), s.kind() + " makes " + (integer ? "integers" : "Float64 values") + ", but the column is " +
                              std::string(type_name(type)) + (integer ? "" : " (use int for integer columns)"));
  }
  Shape shape;
  const auto need = [&](std::string_view key) {
    const auto node = s.take(key);
    if (!node) scope.fail(s.where(), s.kind() + " needs '" + std::string(key) + "'");
    return number_of(*node, scope, key);
  };
  const auto optional = [&](std::string_view key) -> std::optional<double> {
    const auto node = s.take(key);
    if (!node) return std::nullopt;
    return number_of(*node, scope, key);
  };
  shape.min = need("min");
  shape.max = need("max");
  if (shape.min > shape.max) scope.fail(s.where(), "min is larger than max");
  if (integer) {
    if (shape.min != std::floor(shape.min) || shape.max != std::floor(shape.max)) {
      scope.fail(s.where(), "int's min and max must be whole numbers");
    }
    if (type_of(type) == Type::Int &&
        (shape.min < static_cast<double>(min_of(type)) || shape.max > static_cast<double>(max_of(type)))) {
      scope.fail(s.where(), "min and max must fit the column's type " + std::string(type_name(type)));
    }
    if (shape.max - shape.min > 9e15) scope.fail(s.where(), "int's range is too wide (at most 9e15 values)");
  }
  const auto mean = optional("mean"), sd = optional("sd"), median = optional("median"), sigma = optional("sigma"),
             skew = optional("skew");
  std::string dist;
  if (const auto node = s.take("dist")) dist = text_of(*node, scope, "dist");
  if (dist.empty()) dist = skew ? "skew" : (mean || sd) ? "normal" : (median || sigma) ? "lognormal" : "uniform";
  if (dist == "uniform") {
    shape.kind = Shape::Uniform;
  } else if (dist == "normal") {
    if (!mean || !sd) scope.fail(s.where(), "a normal shape needs 'mean' and 'sd'");
    if (*sd <= 0) scope.fail(s.where(), "sd must be above 0");
    shape = {Shape::Normal, shape.min, shape.max, *mean, *sd};
  } else if (dist == "lognormal") {
    if (!median || !sigma) scope.fail(s.where(), "a lognormal shape needs 'median' and 'sigma'");
    if (*median <= 0 || *sigma <= 0) scope.fail(s.where(), "median and sigma must be above 0");
    shape.kind = Shape::LogNormal;
    shape.median = *median;
    shape.sigma = *sigma;
  } else if (dist == "skew") {
    if (!skew || *skew <= 0 || *skew > 10)
      scope.fail(s.where(), "a skewed shape needs 'skew' between 0 and 10 (1 is Zipf's law)");
    shape.kind = Shape::Skew;
    shape.skew = *skew;
  } else {
    scope.fail(s.where(), "unknown dist '" + dist + "' (uniform, normal, lognormal, skew)");
  }
  const std::vector<std::pair<std::string_view, bool>> used = {{"mean", mean.has_value()},
                                                               {"sd", sd.has_value()},
                                                               {"median", median.has_value()},
                                                               {"sigma", sigma.has_value()},
                                                               {"skew", skew.has_value()}};
  const std::vector<std::string_view> belongs =
      shape.kind == Shape::Normal      ? std::vector<std::string_view>{"mean", "sd"}
      : shape.kind == Shape::LogNormal ? std::vector<std::string_view>{"median", "sigma"}
      : shape.kind == Shape::Skew      ? std::vector<std::string_view>{"skew"}
                                       : std::vector<std::string_view>{};
  for (const auto& [key, present] : used) {
    if (present && std::find(belongs.begin(), belongs.end(), key) == belongs.end()) {
      scope.fail(s.where(), "'" + std::string(key) + "' does not go with dist " + dist);
    }
  }
  int decimals = -1;
  std::optional<YAML::Node> digits = s.take("decimals");
  if (const auto round = s.take("round")) {
    if (digits) scope.fail(*round, "give either decimals or round, not both");
    digits = round;
  }
  if (digits) {
    if (integer) scope.fail(*digits, "int values are whole already; decimals apply to float");
    decimals = static_cast<int>(integer_of(*digits, scope, "decimals"));
    if (decimals < 0 || decimals > 15) scope.fail(*digits, "decimals must be between 0 and 15");
  }
  return std::make_unique<Number>(shape, integer, decimals);
}

std::unique_ptr<Generator> make_choice(Settings& s, ColumnScope& scope) {
  if (s.main().IsDefined()) return std::make_unique<Choice>(read_choices(s.main(), scope));
  const auto by = s.take("by");
  if (!by)
    scope.fail(s.where(), "choice needs values with weights, or 'by' and 'cases' for weights that depend on a column");
  auto g = std::make_unique<ConditionalChoice>();
  g->values_type_ = scope.column_type();
  const YAML::Node& by_map = *by;
  if (by_map.IsMap() && !by_map["column"]) scope.fail(*by, "by needs 'column'");
  const YAML::Node column = by_map.IsMap() ? by_map["column"] : by_map;
  std::optional<YAML::Node> bounds;
  if (by_map.IsMap()) {
    if (by_map["bounds"]) bounds = by_map["bounds"];
    for (const auto& entry : *by) {
      const std::string key = key_text(entry.first);
      if (key != "column" && key != "bounds")
        scope.fail(entry.first, "unknown key '" + key + "' in by (column, bounds)");
    }
  }
  const std::string name = text_of(column, scope, "by's column");
  const std::optional<Slot> slot = scope.resolve(name, column);
  if (!slot) scope.fail(column, "by names an unknown column '" + name + "'");
  g->slot_ = *slot;
  const auto cases = s.take("cases");
  if (!cases) scope.fail(s.where(), "choice with 'by' needs 'cases'");
  if (bounds) {
    if (!is_numeric(slot->type))
      scope.fail(*bounds, "bounds need a numeric column, and " + name + " is " + std::string(type_label(slot->type)));
    if (!bounds->IsSequence() || bounds->size() == 0)
      scope.fail(*bounds, "bounds is a list of numbers, smallest first");
    for (const auto& b : *bounds) {
      g->bounds_.push_back(number_of(b, scope, "a bound"));
      if (g->bounds_.size() > 1 && g->bounds_.back() <= g->bounds_[g->bounds_.size() - 2])
        scope.fail(b, "bounds must increase");
    }
    if (!cases->IsSequence() || cases->size() != g->bounds_.size() + 1) {
      scope.fail(*cases, "with " + std::to_string(g->bounds_.size()) + " bounds, cases is a list of " +
                             std::to_string(g->bounds_.size() + 1) +
                             " weight maps (below the first bound, ..., from the last bound up)");
    }
    for (const auto& c : *cases) g->bands_.push_back(read_choices(c, scope));
  } else {
    if (slot->type == Type::Float) scope.fail(column, "a Float64 column chooses by 'bounds', not by value");
    if (!cases->IsMap()) scope.fail(*cases, "cases maps each value of " + name + " to the weights for it");
    for (const auto& entry : *cases) g->cases_.emplace(key_text(entry.first), read_choices(entry.second, scope));
  }
  if (const auto fallback = s.take("default")) g->fallback_ = read_choices(*fallback, scope);
  return g;
}

}  // namespace

std::unique_ptr<Generator> make_generator(Settings& s, ColumnScope& scope) {
  const std::string& kind = s.kind();
  const ColumnType type = scope.column_type();
  const auto require = [&](bool ok, std::string_view makes) {
    if (!ok) {
      scope.fail(s.where(),
                 kind + " makes " + std::string(makes) + ", but the column is " + std::string(type_name(type)));
    }
  };
  if (kind == "sequence") {
    require(type_of(type) == Type::Int, "integers");
    const int64_t start = s.take("start") ? integer_of(*s.take("start"), scope, "start") : 1;
    const int64_t step = s.take("step") ? integer_of(*s.take("step"), scope, "step") : 1;
    if (step == 0) scope.fail(s.where(), "a sequence's step cannot be 0");
    return std::make_unique<Sequence>(start, step, type, scope.column());
  }
  if (kind == "int") return make_number(s, scope, true);
  if (kind == "float" || kind == "decimal") return make_number(s, scope, false);
  if (kind == "choice") return make_choice(s, scope);
  if (kind == "bool") {
    require(type == ColumnType::Boolean, "Booleans");
    const YAML::Node p = s.main().IsDefined() ? s.main() : s.take("p").value_or(undefined_node());
    if (!p.IsDefined()) scope.fail(s.where(), "bool needs the probability of true, e.g. {bool: 0.15}");
    const double probability = number_of(p, scope, "bool's probability");
    if (probability < 0 || probability > 1) scope.fail(p, "bool's probability must lie between 0 and 1");
    return std::make_unique<Flag>(probability);
  }
  if (kind == "uuid") {
    require(type == ColumnType::String, "text");
    return std::make_unique<Uuid>();
  }
  if (kind == "expr") {
    const YAML::Node text = s.main().IsDefined() ? s.main() : s.take("expression").value_or(undefined_node());
    if (!text.IsDefined() || !text.IsScalar()) scope.fail(s.where(), "expr needs the expression as text");
    try {
      Expr expr = Expr::compile(text.Scalar(), scope.resolver(text));
      if (!converts_to(expr.type(), type)) {
        scope.fail(text, "the expression gives " + std::string(type_label(expr.type())) + ", but the column is " +
                             std::string(type_name(type)));
      }
      return std::make_unique<Expression>(std::move(expr));
    } catch (const ExprError& e) {
      scope.fail(text, "in the expression at character " + std::to_string(e.offset + 1) + ": " + e.message);
    }
  }
  if (kind == "words") return make_words(s, scope);
  if (kind == "template") return make_template(s, scope);
  if (kind == "timestamp" || kind == "date") return make_time(s, scope);
  scope.fail(s.where(),
             "unknown generator '" + kind +
                 "' (sequence, int, float, decimal, choice, bool, words, template, timestamp, date, expr, ref, uuid)");
}

}  // namespace superstore::fakedata::spec
