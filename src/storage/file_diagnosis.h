// Why a JSON-lines or Parquet file failed to load, in the user's terms (internal to the storage layer).
// DuckDB's messages name the value, and the line of a JSON file, but not the column, nor the row group
// of a Parquet file; this asks again, column by column, after the load failed.
#pragma once

#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "query/database.h"
#include "storage/warehouse.h"

namespace superstore::storage {

// The first value (in column order, then file order) that does not fit its column's type: "line 2: column
// 'id' holds 'seven', which is not a Int64" for JSON lines, "row group 0, row 3 of the file: column ..."
// for Parquet. Nothing when no single value is to blame (malformed JSON, a missing column, a file that is
// not Parquet), whose DuckDB message says more. `path` is the file's path as a SQL literal.
std::optional<std::string> first_bad_value(query::Database& engine, const catalog::TableInfo& table, FileFormat format,
                                           const std::string& path);

}  // namespace superstore::storage
