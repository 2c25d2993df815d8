#include "storage/file_stats.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>

#include "common/error.h"
#include "query/database.h"
#include "storage/scan_sql.h"

namespace superstore::storage {
namespace {

std::string stats_timestamp(int64_t micros) {
  // Delta stats carry milliseconds; flooring keeps min a lower bound, and readers add 1 ms to max.
  int64_t ms = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  std::string s = format_timestamp_us(ms * 1000);
  if (s.find('.') == std::string::npos) s.insert(s.size() - 1, ".000");
  return s;
}

nlohmann::json stat_value(const query::Result& r, size_t col, size_t row, ColumnType type) {
  if (r.is_null(col, row)) return nullptr;
  switch (type) {
    case ColumnType::Float64: {
      double d = r.get_double(col, row);
      return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr);
    }
    case ColumnType::String: return r.get_string(col, row);
    case ColumnType::Timestamp: return stats_timestamp(r.get_int64(col, row));
    case ColumnType::Date: return format_date_days(static_cast<int32_t>(r.get_int64(col, row)));
    case ColumnType::Boolean: return nullptr;
    default: return r.get_int64(col, row);
  }
}

std::string stats_select(const std::vector<ColumnDef>& columns) {
  std::string select = "count(*)";
  for (const auto& c : columns) {
    std::string id = query::quote_identifier(c.name);
    select += ", min(" + id + "), max(" + id + "), count(" + id + ")";
  }
  return select;
}

// Reads one row of stats_select() whose first stats column is `first`.
FileStats read_stats(const query::Result& r, size_t row, size_t first, const std::vector<ColumnDef>& columns) {
  FileStats s;
  s.num_records = r.get_int64(first, row);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    size_t base = first + 1 + 3 * i;
    nlohmann::json min = stat_value(r, base, row, c.type), max = stat_value(r, base + 1, row, c.type);
    if (!min.is_null()) s.min_values[c.name] = min;
    if (!max.is_null()) s.max_values[c.name] = max;
    s.null_count[c.name] = s.num_records - r.get_int64(base + 2, row);
    s.distinct_count[c.name] = 0;  // filled in by add_distinct_counts
  }
  return s;
}

// Exact distinct counts as one plain GROUP BY per column (a DISTINCT of (file, value), then counted):
// DuckDB runs these several times faster than count(DISTINCT ...) aggregates, whose fixed cost alone
// is tens of milliseconds per query.
void add_distinct_counts(query::Connection& conn, const std::string& from_sql, const std::string& group,
                         const std::vector<ColumnDef>& columns, std::map<int64_t, FileStats>& stats) {
  if (stats.empty() || columns.empty()) return;
  std::string sql;
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += std::string(i ? " UNION ALL " : "") + "SELECT g, " + std::to_string(i) + ", count(v) FROM (SELECT DISTINCT " +
           group + " AS g, " + query::quote_identifier(columns[i].name) + " AS v FROM " + from_sql + ") GROUP BY g";
  }
  query::Result r = conn.execute(sql);
  for (size_t row = 0; row < r.row_count(); ++row) {
    auto it = stats.find(r.get_int64(0, row));
    if (it == stats.end()) continue;
    it->second.distinct_count[columns.at(static_cast<size_t>(r.get_int64(1, row))).name] = r.get_int64(2, row);
  }
}

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: spreads near values over the table
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Distinct non-null values among a column's rows, exactly: open addressing over row numbers, where
// `hash(row)` and `same(a, b)` look at the values. A slot holds a row and the upper half of its hash, so
// that values are compared only when their hashes agree. `slots` is scratch space, reused across calls.
template <class Hash, class Same>
int64_t count_distinct(const Column& column, Hash hash, Same same, std::vector<uint64_t>& slots) {
  constexpr uint64_t kEmpty = UINT64_MAX;
  const size_t rows = column.size();
  if (rows >= UINT32_MAX) fail(ErrorCode::Internal, "too many rows for one file's statistics");
  size_t capacity = 16;
  while (capacity < 2 * rows) capacity <<= 1;
  slots.assign(capacity, kEmpty);
  int64_t distinct = 0;
  for (size_t row = 0; row < rows; ++row) {
    if (column.is_null(row)) continue;
    const uint64_t h = hash(row), tag = h & 0xFFFFFFFF00000000ULL;
    for (size_t at = h & (capacity - 1);; at = (at + 1) & (capacity - 1)) {
      if (slots[at] == kEmpty) {
        slots[at] = tag | row;
        ++distinct;
        break;
      }
      if ((slots[at] & 0xFFFFFFFF00000000ULL) == tag && same(slots[at] & 0xFFFFFFFFULL, row)) break;
    }
  }
  return distinct;
}

// A double as DuckDB groups it: -0.0 with 0.0, and every NaN together.
uint64_t double_key(double d) {
  if (d == 0) d = 0;
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

// Min, max (as stat_value shows them) and distinct count of one column's non-null values.
void add_column_stats(const ColumnDef& def, const Column& c, FileStats& s, std::vector<uint64_t>& slots) {
  const size_t rows = c.size();
  size_t nulls = 0, lo = rows, hi = rows;  // rows of the min and max, `rows` while none
  nlohmann::json min, max;
  int64_t distinct = 0;
  switch (def.type) {
    case ColumnType::String: {
      for (size_t r = 0; r < rows; ++r) {
        if (c.is_null(r)) continue;
        if (lo == rows || c.string_at(r) < c.string_at(lo)) lo = r;
        if (hi == rows || c.string_at(r) > c.string_at(hi)) hi = r;
      }
      if (lo < rows) min = std::string(c.string_at(lo)), max = std::string(c.string_at(hi));
      std::hash<std::string_view> h;
      distinct = count_distinct(c, [&](size_t r) { return mix(h(c.string_at(r))); },
                                [&](size_t a, size_t b) { return c.string_at(a) == c.string_at(b); }, slots);
      break;
    }
    case ColumnType::Float64: {
      // DuckDB orders NaN above every number, so a NaN is the max (shown as none) and never the min.
      bool nan = false;
      for (size_t r = 0; r < rows; ++r) {
        if (c.is_null(r)) continue;
        double d = c.double_at(r);
        if (std::isnan(d)) {
          nan = true;
          continue;
        }
        if (lo == rows || d < c.double_at(lo)) lo = r;
        if (hi == rows || d > c.double_at(hi)) hi = r;
      }
      auto shown = [](double d) { return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr); };
      if (lo < rows) min = shown(c.double_at(lo));
      if (hi < rows && !nan) max = shown(c.double_at(hi));
      distinct = count_distinct(c, [&](size_t r) { return mix(double_key(c.double_at(r))); },
                                [&](size_t a, size_t b) { return double_key(c.double_at(a)) == double_key(c.double_at(b)); }, slots);
      break;
    }
    default: {
      for (size_t r = 0; r < rows; ++r) {
        if (c.is_null(r)) continue;
        if (lo == rows || c.int_at(r) < c.int_at(lo)) lo = r;
        if (hi == rows || c.int_at(r) > c.int_at(hi)) hi = r;
      }
      auto shown = [&](int64_t v) -> nlohmann::json {
        switch (def.type) {
          case ColumnType::Timestamp: return stats_timestamp(v);
          case ColumnType::Date: return format_date_days(static_cast<int32_t>(v));
          case ColumnType::Boolean: return nullptr;
          default: return v;
        }
      };
      if (lo < rows) min = shown(c.int_at(lo)), max = shown(c.int_at(hi));
      distinct = count_distinct(c, [&](size_t r) { return mix(static_cast<uint64_t>(c.int_at(r))); },
                                [&](size_t a, size_t b) { return c.int_at(a) == c.int_at(b); }, slots);
    }
  }
  for (size_t r = 0; r < rows && c.has_nulls(); ++r) nulls += c.is_null(r) ? 1 : 0;
  if (!min.is_null()) s.min_values[def.name] = min;
  if (!max.is_null()) s.max_values[def.name] = max;
  s.null_count[def.name] = static_cast<int64_t>(nulls);
  s.distinct_count[def.name] = distinct;
}

}  // namespace

FileStats compute_batch_stats(const ColumnBatch& batch) {
  FileStats s;
  s.num_records = static_cast<int64_t>(batch.rows());
  std::vector<uint64_t> slots;
  for (size_t i = 0; i < batch.columns.size(); ++i) add_column_stats(batch.schema[i], batch.columns[i], s, slots);
  return s;
}

FileStats compute_file_stats(query::Connection& conn, const std::string& from_sql, const std::vector<ColumnDef>& columns) {
  auto stats = compute_grouped_file_stats(conn, "(SELECT *, 0 AS ss_file FROM " + from_sql + ")", "ss_file", columns);
  return stats.empty() ? FileStats{} : stats.begin()->second;
}

std::map<int64_t, FileStats> compute_grouped_file_stats(query::Connection& conn, const std::string& from_sql,
                                                        const std::string& group_column,
                                                        const std::vector<ColumnDef>& columns) {
  std::string g = query::quote_identifier(group_column);
  query::Result r = conn.execute("SELECT " + g + ", " + stats_select(columns) + " FROM " + from_sql + " GROUP BY " + g);
  std::map<int64_t, FileStats> out;
  for (size_t row = 0; row < r.row_count(); ++row) out[r.get_int64(0, row)] = read_stats(r, row, 1, columns);
  add_distinct_counts(conn, from_sql, g, columns, out);
  return out;
}

}  // namespace superstore::storage
