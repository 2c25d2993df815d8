// SQL that reads one snapshot of a table through DuckDB: exactly the snapshot's live files, with every
// partition column restored as a typed constant per group of files (taken from the log's
// partitionValues, never from folder names), columns in schema order. Driven by the Delta schema in the
// snapshot, so it reads foreign Delta tables as well as our own.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/delta_log.h"

namespace superstore::storage {

struct ScanOptions {
  bool with_filename = false;  // adds a `filename` column (the file's absolute path) after the table's
};

// `table_dir` is the table root on the local file system.
std::string scan_sql(const Snapshot& snapshot, const std::filesystem::path& table_dir, const ScanOptions& options = {});

// DuckDB type for a Delta schema type ("long" -> BIGINT, "decimal(10,2)" -> DECIMAL(10,2), ...).
// Throws Error(Internal) for a type that cannot be a partition column.
std::string duckdb_type_for_delta(const nlohmann::json& delta_type);

}  // namespace superstore::storage
