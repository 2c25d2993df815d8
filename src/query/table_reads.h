// The rule that user SQL reads superstore's tables by name and nothing else: no file readers (read_*,
// glob, parquet_*, sniff_csv, `FROM 'file.parquet'`), nothing that runs SQL text (query, query_table,
// json_execute_serialized_sql), and none of DuckDB's settings or catalog views that show where the data
// lives (duckdb_settings, current_setting, duckdb_views, pg_settings, sqlite_master, ...). The tables are
// views over their snapshot's Parquet files (storage/warehouse.cpp); a file reader would bypass the
// snapshot (deleted rows, dropped tables, other databases), and the views' SQL holds DATA_DIR.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "query/database.h"

namespace superstore::query {

// Throws Error(InvalidArgument) naming what is refused and what is allowed, unless every table the
// statement's parse tree (one statement of sql_parse_tree) reads is a table by its plain name (or a
// CTE, VALUES, a subquery, or one of the table functions that only make values: range, generate_series,
// unnest, ...) and it calls no function that reveals settings or paths. Decided from DuckDB's parse tree,
// before anything is bound; the names of DuckDB's own catalog views come from DuckDB too.
void check_reads_tables_only(Connection::Impl& connection, const nlohmann::json& statement);

// The table functions user SQL may call (lower case).
const std::vector<std::string>& allowed_table_functions();

}  // namespace superstore::query
