// Column types of superstore tables and their names in every system we talk to (the user, Delta Lake,
// DuckDB). Timestamps are microseconds since the Unix epoch, UTC; dates are days since the epoch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace superstore {

enum class ColumnType { Int16, Int32, Int64, Float64, String, Boolean, Timestamp, Date };

// "Int64", "String", ... as users write them. parse_column_type accepts any letter case and throws
// Error(InvalidArgument) naming the allowed types.
std::string_view type_name(ColumnType type);
ColumnType parse_column_type(std::string_view name);
// Delta Lake schema type: "short", "integer", "long", "double", "string", "boolean", "timestamp", "date".
std::string_view delta_type_name(ColumnType type);
// DuckDB SQL type: "SMALLINT", "INTEGER", "BIGINT", "DOUBLE", "VARCHAR", "BOOLEAN", "TIMESTAMPTZ", "DATE".
std::string_view duckdb_type_name(ColumnType type);
// Whether a column of this type may be a partition key (its value must live in a folder name).
bool can_partition_by(ColumnType type);

struct ColumnDef {
  std::string name;
  ColumnType type;
  bool operator==(const ColumnDef&) const = default;
};

// "id:Int64,dept:String" -> column list; throws Error(InvalidArgument) on a malformed entry.
std::vector<ColumnDef> parse_column_list(std::string_view text);

// A name is a valid identifier for databases, schemas, tables and columns: ASCII letter or underscore,
// then letters, digits or underscores, at most 128 characters. Throws Error(InvalidArgument) with
// `what` (e.g. "table name") in the message otherwise.
void validate_identifier(std::string_view name, std::string_view what);

// Microseconds since the epoch <-> "2024-01-31T10:00:00.123456Z" (ISO 8601, UTC). Fractions are
// trimmed to milliseconds when they are whole milliseconds, and left out when zero.
std::string format_timestamp_us(int64_t micros);
std::string format_date_days(int32_t days);  // "2024-01-31"
int64_t days_from_civil(int y, unsigned m, unsigned d);

}  // namespace superstore
