// How tables look in API answers; shared by GET /databases and /table/{id}.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "storage/delta_log.h"

namespace superstore::server {

// {"id", "database", "schema", "name", "columns": [{"name", "type"}], "partition_keys", "sort_keys",
//  "rows", "bytes", "micro_partitions", "version", "created_at"}: the catalog entry plus the figures of
// `snapshot` (which must be a snapshot of that table).
nlohmann::ordered_json table_summary_json(const catalog::TableInfo& table, const storage::Snapshot& snapshot);

// The summary plus "status" ("active" or "dropped") and "location" (the folder under the warehouse).
nlohmann::ordered_json table_detail_json(const catalog::TableInfo& table, const storage::Snapshot& snapshot);

// {"id", "path", "partition_path", "partition_values", "rows", "bytes", "modified_at", "stats": {column:
//  {"min", "max", "null_count", "distinct_count"}}}. Partition columns have no stats (their one value is in
// partition_values); "stats" is null for files written without statistics by another Delta writer.
nlohmann::ordered_json micro_partition_json(const catalog::TableInfo& table, const storage::AddFile& file);

}  // namespace superstore::server
