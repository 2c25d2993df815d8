// SQL that reads one snapshot of a table through DuckDB: exactly the snapshot's live files, every partition
// column typed as the Delta schema says and equal to the log's partitionValues, columns in schema order.
// Files laid out in the Hive folders our writer makes (delta_paths.h) are read by one read_parquet that
// takes the values from the folders; any other file (other writers, NULL partitions, values DuckDB's Hive
// reader would change) is read in a group of its own with the values as typed constants. Driven by the
// Delta schema in the snapshot, so it reads foreign Delta tables as well as our own.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

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
