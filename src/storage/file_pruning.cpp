#include "storage/file_pruning.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "common/types.h"

namespace superstore::storage {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;
constexpr int kMaxScale = 18;

__int128 power_of_ten(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

bool digits(const std::string& text, size_t at, size_t count) {
  if (at + count > text.size()) return false;
  for (size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

int number_at(const std::string& text, size_t at, size_t count) { return std::stoi(text.substr(at, count)); }

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// What a file says of one column. Unknown facts are nullopt; every test below keeps the file when a fact
// it needs is unknown.
struct ColumnFacts {
  std::optional<bool> has_null;
  std::optional<bool> has_value;  // a non-null value
  std::optional<PruneValue> min, max;
  bool max_may_be_prefix = false;  // a string max another writer may have cut short
};

// A statistic from the log (JSON) in the column's domain; `upper` asks for an upper bound (max), which
// rounding must not lower.
std::optional<PruneValue> stat_value(const nlohmann::json& v, PruneDomain domain, int scale, bool upper) {
  switch (domain) {
    case PruneDomain::Number:
      if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
        return ExactNumber{v.get<int64_t>(), 0};
      }
      if (v.is_number_float() && scale > 0) {
        // A decimal written as a JSON double: the nearest value at the column's scale, widened by one unit
        // because the double may be off by a little either way.
        const double scaled = v.get<double>() * static_cast<double>(power_of_ten(scale));
        if (!std::isfinite(scaled) || std::fabs(scaled) > 1e17) return std::nullopt;
        return ExactNumber{static_cast<__int128>(std::llround(scaled)) + (upper ? 1 : -1), scale};
      }
      if (v.is_string()) {
        if (auto n = parse_exact_number(v.get<std::string>())) return *n;
      }
      return std::nullopt;
    case PruneDomain::Text:
      if (v.is_string()) return v.get<std::string>();
      return std::nullopt;
    case PruneDomain::Date:
      if (!v.is_string()) return std::nullopt;
      if (auto d = parse_date_micros(v.get<std::string>())) return ExactNumber{*d, 0};
      return std::nullopt;
    case PruneDomain::Timestamp: {
      if (!v.is_string()) return std::nullopt;
      // The log keeps milliseconds (ours floors, others may round): one ms either way bounds the truth.
      auto t = parse_timestamp_micros(v.get<std::string>(), true);
      if (!t) return std::nullopt;
      return ExactNumber{static_cast<__int128>(*t) + (upper ? 1000 : -1000), 0};
    }
    case PruneDomain::Other:
      return std::nullopt;
  }
  return std::nullopt;
}

// A partition value (text, as the log spells it) in the column's domain, exactly.
std::optional<PruneValue> partition_value(const std::string& text, PruneDomain domain) {
  switch (domain) {
    case PruneDomain::Number:
      if (auto n = parse_exact_number(text)) return *n;
      return std::nullopt;
    case PruneDomain::Text:
      return text;
    case PruneDomain::Date:
      if (auto d = parse_date_micros(text)) return ExactNumber{*d, 0};
      return std::nullopt;
    case PruneDomain::Timestamp:
      if (auto t = parse_timestamp_micros(text, false)) return ExactNumber{*t, 0};
      return std::nullopt;
    case PruneDomain::Other:
      return std::nullopt;
  }
  return std::nullopt;
}

ColumnFacts facts_of(const AddFile& file, const DeltaField& field) {
  ColumnFacts f;
  const PruneDomain domain = prune_domain(field.type);
  if (auto it = file.partition_values.find(field.name); it != file.partition_values.end()) {
    f.has_null = !it->second.has_value();
    f.has_value = it->second.has_value();
    if (it->second) {
      f.min = f.max = partition_value(*it->second, domain);
    }
    return f;
  }
  if (!file.stats) return f;
  const FileStats& s = *file.stats;
  const int scale = decimal_scale(field.type);
  if (auto it = s.null_count.find(field.name); it != s.null_count.end() && it->is_number_integer()) {
    const int64_t nulls = it->get<int64_t>();
    f.has_null = nulls > 0;
    // numRecords reads as 0 when a writer left it out, so only a positive count says anything.
    if (s.num_records > 0) f.has_value = nulls < s.num_records;
  }
  if (auto it = s.min_values.find(field.name); it != s.min_values.end() && !it->is_null()) {
    f.min = stat_value(*it, domain, scale, false);
    f.has_value = true;
  }
  if (auto it = s.max_values.find(field.name); it != s.max_values.end() && !it->is_null()) {
    f.max = stat_value(*it, domain, scale, true);
    f.has_value = true;
  }
  // Spark and delta-rs cut long strings in the stats (32 characters by default); a cut max is a prefix
  // of the true one, which can be anything that starts with it.
  f.max_may_be_prefix = domain == PruneDomain::Text;
  return f;
}

int compare_values(const PruneValue& a, const PruneValue& b) {
  if (a.index() != b.index()) return 0;  // not reached: values of one column share its domain
  if (const auto* n = std::get_if<ExactNumber>(&a)) return compare(*n, std::get<ExactNumber>(b));
  const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
  return c < 0 ? -1 : c > 0;
}

// Whether some value <= the file's max (or < it when `strict`) can be >= k (or > k).
bool max_reaches(const ColumnFacts& f, const PruneValue& k, bool strict) {
  if (!f.max) return true;
  const int c = compare_values(*f.max, k);
  if (strict ? c > 0 : c >= 0) return true;
  if (f.max_may_be_prefix) {
    const std::string& max = std::get<std::string>(*f.max);
    const std::string& key = std::get<std::string>(k);
    return key.compare(0, max.size(), max) == 0;
  }
  return false;
}

bool min_reaches(const ColumnFacts& f, const PruneValue& k, bool strict) {
  if (!f.min) return true;
  const int c = compare_values(*f.min, k);
  return strict ? c < 0 : c <= 0;
}

bool compare_may_match(PrunePredicate::Op op, const ColumnFacts& f, const std::optional<PruneValue>& k) {
  if (!k) return false;  // a comparison with NULL is never true
  if (f.has_value == false) return false;
  switch (op) {
    case PrunePredicate::Op::Eq:
      return min_reaches(f, *k, false) && max_reaches(f, *k, false);
    case PrunePredicate::Op::Lt:
      return min_reaches(f, *k, true);
    case PrunePredicate::Op::Le:
      return min_reaches(f, *k, false);
    case PrunePredicate::Op::Gt:
      return max_reaches(f, *k, true);
    case PrunePredicate::Op::Ge:
      return max_reaches(f, *k, false);
    default:
      return true;
  }
}

const DeltaField* find_field(const std::vector<DeltaField>& fields, const std::string& name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

int compare(const ExactNumber& a, const ExactNumber& b) {
  const int scale = std::max(a.scale, b.scale);
  const __int128 x = rescale(a, scale).mantissa, y = rescale(b, scale).mantissa;
  return x < y ? -1 : x > y;
}

ExactNumber rescale(ExactNumber n, int scale) {
  if (scale > n.scale) n.mantissa *= power_of_ten(scale - n.scale);
  n.scale = std::max(scale, n.scale);
  return n;
}

PruneDomain prune_domain(const nlohmann::json& delta_type) {
  if (!delta_type.is_string()) return PruneDomain::Other;
  const std::string t = delta_type.get<std::string>();
  if (t == "byte" || t == "short" || t == "integer" || t == "long") return PruneDomain::Number;
  if (t.rfind("decimal(", 0) == 0)
    return decimal_scale(delta_type) <= kMaxScale ? PruneDomain::Number : PruneDomain::Other;
  if (t == "string") return PruneDomain::Text;
  if (t == "date") return PruneDomain::Date;
  if (t == "timestamp" || t == "timestamp_ntz") return PruneDomain::Timestamp;
  return PruneDomain::Other;
}

int decimal_scale(const nlohmann::json& delta_type) {
  if (!delta_type.is_string()) return 0;
  const std::string t = delta_type.get<std::string>();
  const size_t comma = t.find(',');
  if (t.rfind("decimal(", 0) != 0 || comma == std::string::npos) return 0;
  try {
    return std::stoi(t.substr(comma + 1));
  } catch (const std::exception&) {
    return kMaxScale + 1;
  }
}

std::optional<int64_t> parse_date_micros(const std::string& text) {
  if (text.size() < 10 || !digits(text, 0, 4) || text[4] != '-' || !digits(text, 5, 2) || text[7] != '-' ||
      !digits(text, 8, 2)) {
    return std::nullopt;
  }
  const int y = number_at(text, 0, 4), m = number_at(text, 5, 2), d = number_at(text, 8, 2);
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0)) return std::nullopt;
  if (text.size() != 10) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kMicrosPerDay;
}

std::optional<int64_t> parse_timestamp_micros(const std::string& text, bool offset_allowed) {
  if (text.size() < 10) return std::nullopt;
  auto day = parse_date_micros(text.substr(0, 10));
  if (!day) return std::nullopt;
  if (text.size() == 10) return day;
  if ((text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2) || text.size() < 19 || text[13] != ':' ||
      !digits(text, 14, 2) || text[16] != ':' || !digits(text, 17, 2)) {
    return std::nullopt;
  }
  const int h = number_at(text, 11, 2), mi = number_at(text, 14, 2), s = number_at(text, 17, 2);
  if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  int64_t micros = *day + ((h * 60LL + mi) * 60 + s) * 1'000'000;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    size_t end = at + 1;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    const size_t n = end - at - 1;
    if (n == 0 || n > 6) return std::nullopt;
    micros += std::stoll(text.substr(at + 1, n)) * static_cast<int64_t>(power_of_ten(static_cast<int>(6 - n)));
    at = end;
  }
  if (at == text.size()) return micros;
  if (!offset_allowed) return std::nullopt;
  if (text[at] == 'Z' && at + 1 == text.size()) return micros;
  if ((text[at] == '+' || text[at] == '-') && text.size() == at + 6 && digits(text, at + 1, 2) && text[at + 3] == ':' &&
      digits(text, at + 4, 2)) {
    const int64_t offset = (number_at(text, at + 1, 2) * 60LL + number_at(text, at + 4, 2)) * 60'000'000;
    return text[at] == '+' ? micros - offset : micros + offset;
  }
  return std::nullopt;
}

std::optional<ExactNumber> parse_exact_number(const std::string& text) {
  size_t at = 0;
  bool negative = false;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) negative = text[at++] == '-';
  ExactNumber n;
  size_t whole = 0, fraction = 0;
  for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++whole) {
    if (whole >= 20) return std::nullopt;
    n.mantissa = n.mantissa * 10 + (text[at] - '0');
  }
  if (at < text.size() && text[at] == '.') {
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++fraction) {
      if (fraction >= static_cast<size_t>(kMaxScale)) return std::nullopt;
      n.mantissa = n.mantissa * 10 + (text[at] - '0');
    }
  }
  if (at != text.size() || whole + fraction == 0) return std::nullopt;
  n.scale = static_cast<int>(fraction);
  if (negative) n.mantissa = -n.mantissa;
  return n;
}

bool file_may_match(const AddFile& file, const std::vector<DeltaField>& fields, const PrunePredicate& p) {
  using Op = PrunePredicate::Op;
  switch (p.op) {
    case Op::And:
      for (const auto& c : p.children) {
        if (!file_may_match(file, fields, c)) return false;
      }
      return true;
    case Op::Or:
      for (const auto& c : p.children) {
        if (file_may_match(file, fields, c)) return true;
      }
      return p.children.empty();
    default:
      break;
  }
  const DeltaField* field = find_field(fields, p.column);
  if (!field) return true;
  const ColumnFacts facts = facts_of(file, *field);
  switch (p.op) {
    case Op::IsNull:
      return facts.has_null != false;
    case Op::IsNotNull:
      return facts.has_value != false;
    case Op::In:
      for (const auto& v : p.values) {
        if (compare_may_match(Op::Eq, facts, v)) return true;
      }
      return false;
    default:
      return p.values.size() != 1 || compare_may_match(p.op, facts, p.values[0]);
  }
}

std::optional<std::vector<uint32_t>> files_to_scan(const Snapshot& snapshot,
                                                   const std::vector<std::optional<PrunePredicate>>& reads) {
  if (reads.empty()) return std::nullopt;
  for (const auto& r : reads) {
    if (!r) return std::nullopt;
  }
  std::vector<uint32_t> kept;
  const auto& fields = snapshot.metadata.fields;
  for (size_t i = 0; i < snapshot.files.size(); ++i) {
    for (const auto& r : reads) {
      if (file_may_match(snapshot.files[i], fields, *r)) {
        kept.push_back(static_cast<uint32_t>(i));
        break;
      }
    }
  }
  if (kept.size() == snapshot.files.size()) return std::nullopt;
  return kept;
}

}  // namespace superstore::storage
