#include "common/types.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "common/error.h"

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

const TypeNames& names_of(ColumnType type) {
  return kTypes[static_cast<size_t>(type)];
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view type_name(ColumnType type) { return names_of(type).user; }
std::string_view delta_type_name(ColumnType type) { return names_of(type).delta; }
std::string_view duckdb_type_name(ColumnType type) { return names_of(type).duckdb; }

ColumnType parse_column_type(std::string_view name) {
  for (const auto& t : kTypes) {
    if (iequals(name, t.user)) return t.type;
  }
  fail(ErrorCode::InvalidArgument,
       "unknown column type '" + std::string(name) +
           "'; use one of Int16, Int32, Int64, Float64, String, Boolean, Timestamp, Date");
}

bool can_partition_by(ColumnType type) {
  return type != ColumnType::Float64 && type != ColumnType::Timestamp;
}

std::vector<ColumnDef> parse_column_list(std::string_view text) {
  std::vector<ColumnDef> columns;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      fail(ErrorCode::InvalidArgument,
           "column '" + std::string(item) + "' needs a type, as in name:Int64");
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

// Howard Hinnant's civil-from-days algorithm (public domain), valid over the whole int range we use.
static void civil_from_days(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string format_date_days(int32_t days) {
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

std::string format_timestamp_us(int64_t micros) {
  int64_t days = micros / 86'400'000'000LL;
  int64_t rem = micros % 86'400'000'000LL;
  if (rem < 0) {
    rem += 86'400'000'000LL;
    days -= 1;
  }
  int y;
  unsigned mo, d;
  civil_from_days(days, y, mo, d);
  int64_t secs = rem / 1'000'000, frac = rem % 1'000'000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", y, mo, d, static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  if (frac % 1000 == 0 && frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%03d", static_cast<int>(frac / 1000));
  } else if (frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(frac));
  }
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

}  // namespace superstore
