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

nlohmann::json stat_value(const query::Result& r, size_t col, ColumnType type) {
  if (r.is_null(col, 0)) return nullptr;
  switch (type) {
    case ColumnType::Float64: {
      double d = r.get_double(col, 0);
      return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr);
    }
    case ColumnType::String: return r.get_string(col, 0);
    case ColumnType::Timestamp: return stats_timestamp(r.get_int64(col, 0));
    case ColumnType::Date: return format_date_days(static_cast<int32_t>(r.get_int64(col, 0)));
    case ColumnType::Boolean: return nullptr;
    default: return r.get_int64(col, 0);
  }
}

}  // namespace

FileStats compute_file_stats(query::Connection& conn, const std::string& from_sql, const std::vector<ColumnDef>& columns) {
  std::string select = "count(*)";
  for (const auto& c : columns) {
    std::string id = query::quote_identifier(c.name);
    select += ", min(" + id + "), max(" + id + "), count(" + id + "), approx_count_distinct(" + id + ")";
  }
  query::Result r = conn.execute("SELECT " + select + " FROM " + from_sql);
  FileStats s;
  s.num_records = r.get_int64(0, 0);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    size_t base = 1 + 4 * i;
    nlohmann::json min = stat_value(r, base, c.type), max = stat_value(r, base + 1, c.type);
    if (!min.is_null()) s.min_values[c.name] = min;
    if (!max.is_null()) s.max_values[c.name] = max;
    s.null_count[c.name] = s.num_records - r.get_int64(base + 2, 0);
    s.distinct_count[c.name] = r.is_null(base + 3, 0) ? 0 : r.get_int64(base + 3, 0);
  }
  return s;
}

}  // namespace superstore::storage
