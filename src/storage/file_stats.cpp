#include "storage/file_stats.h"

#include <cmath>

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

}  // namespace

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
