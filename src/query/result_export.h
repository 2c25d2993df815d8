// A user query's whole result written to a file by DuckDB's own COPY writers (CSV, newline-delimited
// JSON, Parquet). The HTTP server streams that file to the client while it grows (server/result_stream.h),
// so a result of any size passes through a bounded amount of memory.
#pragma once

#include <string>
#include <string_view>

#include "query/database.h"
#include "query/user_query.h"

namespace superstore::query {

enum class ExportFormat { Csv, Ndjson, Parquet };

// "csv", "ndjson", "parquet".
std::string_view export_format_name(ExportFormat format);

// Checks `sql` as check_read_only does, then writes its whole result to `path` (a file the connection's
// sandbox allows; it is created or truncated) with COPY: CSV with a header row, NDJSON one object a line,
// Parquet with DuckDB's defaults. DuckDB writes the file front to back, so another thread may read what
// is written so far while this runs. Throws as run_user_query does (bad SQL, time limit, TooLarge,
// Cancelled); the file may then hold part of the result.
void export_user_query(Connection& connection, const std::string& sql, ExportFormat format, const std::string& path,
                       const QueryControl& control);

}  // namespace superstore::query
