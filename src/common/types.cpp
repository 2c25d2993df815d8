#include "common/types.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "common/error.h"
#include "common/strings.h"

namespace superstore {
namespace {

struct TypeNames {
  ColumnType type;
  std::string_view user, delta, duckdb;
};

constexpr std::array<TypeNames, 8> kTypes{{
    {ColumnType::Int16, "Int16", "short", "SMALLINT"},
    {ColumnType::Int32, "Int32", "integer", "INTEGER"},
    {ColumnType::Int64, "Int64", "long", "BIGINT"},
    {ColumnType::Float64, "Float64", "double", "DOUBLE"},
    {ColumnType::String, "String", "string", "VARCHAR"},
    {ColumnType::Boolean, "Boolean", "boolean", "BOOLEAN"},
    {ColumnType::Timestamp, "Timestamp", "timestamp", "TIMESTAMPTZ"},
    {ColumnType::Date, "Date", "date", "DATE"},
}};

const TypeNames& names_of(ColumnType type) { return kTypes[static_cast<size_t>(type)]; }

}  // namespace

std::string_view type_name(ColumnType type) { return names_of(type).user; }
std::string_view delta_type_name(ColumnType type) { return names_of(type).delta; }
std::string_view duckdb_type_name(ColumnType type) { return names_of(type).duckdb; }

ColumnType parse_column_type(std::string_view name) {
  for (const auto& t : kTypes) {
    if (iequals(name, t.user)) return t.type;
  }
  fail(ErrorCode::InvalidArgument, "unknown column type '" + std::string(name) +
                                       "'; use one of Int16, Int32, Int64, Float64, String, Boolean, Timestamp, Date");
}

bool can_partition_by(ColumnType type) { return type != ColumnType::Float64 && type != ColumnType::Timestamp; }

std::vector<ColumnDef> parse_column_list(std::string_view text) {
  std::vector<ColumnDef> columns;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      fail(ErrorCode::InvalidArgument, "column '" + std::string(item) + "' needs a type, as in name:Int64");
    }
    std::string name(trim(item.substr(0, colon)));
    validate_identifier(name, "column name");
    columns.push_back({name, parse_column_type(trim(item.substr(colon + 1)))});
  }
  if (columns.empty()) fail(ErrorCode::InvalidArgument, "a table needs at least one column");
  return columns;
}

void validate_identifier(std::string_view name, std::string_view what) {
  auto bad = [&](const std::string& why) {
    fail(ErrorCode::InvalidArgument, std::string(what) + " '" + std::string(name) + "' " + why);
  };
  if (name.empty()) fail(ErrorCode::InvalidArgument, std::string(what) + " must not be empty");
  if (name.size() > 128) bad("is longer than 128 characters");
  unsigned char first = static_cast<unsigned char>(name.front());
  if (!(std::isalpha(first) || first == '_')) bad("must start with a letter or an underscore");
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || u == '_')) bad("may hold only letters, digits and underscores");
  }
}

// The civil date of a day count. std::chrono's calendar covers the years -32767 to 32767, DuckDB's dates
// millions of years; the Gregorian calendar repeats every 400 years (146,097 days), so whole cycles are
// taken off before std::chrono does the calendar and added back to the year after.
static std::chrono::year_month_day civil_from_days(int64_t days, int64_t& extra_years) {
  constexpr int64_t kDaysPer400Years = 146'097;
  int64_t cycles = days / kDaysPer400Years;
  if (days % kDaysPer400Years < 0) --cycles;
  extra_years = cycles * 400;
  const auto rest = static_cast<int>(days - cycles * kDaysPer400Years);
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{rest}}};
}

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

std::string format_date_days(int32_t days) {
  int64_t extra_years = 0;
  const std::chrono::year_month_day date = civil_from_days(days, extra_years);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(extra_years) + int{date.year()},
                unsigned{date.month()}, unsigned{date.day()});
  return buf;
}

std::string format_timestamp_us(int64_t micros) {
  int64_t days = micros / 86'400'000'000LL;
  int64_t rem = micros % 86'400'000'000LL;
  if (rem < 0) {
    rem += 86'400'000'000LL;
    days -= 1;
  }
  int64_t extra_years = 0;
  const std::chrono::year_month_day date = civil_from_days(days, extra_years);
  int64_t secs = rem / 1'000'000, frac = rem % 1'000'000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(extra_years) + int{date.year()}, unsigned{date.month()},
                        unsigned{date.day()}, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                        static_cast<int>(secs % 60));
  if (frac % 1000 == 0 && frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%03d", static_cast<int>(frac / 1000));
  } else if (frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(frac));
  }
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

}  // namespace superstore
