// A query's whole result as a file download (CSV, NDJSON, Parquet, Arrow), streamed while DuckDB writes
// it: a worker thread runs the query into a file in DATA_DIR/tmp, and the response sends the file's bytes
// with chunked transfer encoding as they appear. Memory stays bounded whatever the result's size; the
// file, removed when the response ends, holds at most MAX_DOWNLOAD_BYTES (Config::max_download_bytes,
// checked every 100 ms while DuckDB writes), beyond which the query is stopped with Error(TooLarge).
//
//  - Errors before any byte is sent (bad SQL, unknown table, time limit, a result over the limit) answer
//    as any error does.
//  - A small result that is complete within the first moment goes out with a Content-Length.
//  - An error after the first byte can no longer change the status: the connection is closed before
//    the last chunk, which every HTTP client reports as a truncated transfer.
//  - A client that goes away stops the query within about 100 ms, and the file is removed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/router.h"
#include "server/server_context.h"
#include "storage/warehouse.h"

namespace superstore::server {

enum class ResultFormat { Json, Csv, Ndjson, Parquet, Arrow };

struct ResultFormatInfo {
  ResultFormat format;
  std::string_view name;        // as "format" in a request: "csv"
  std::string_view media_type;  // as Content-Type and Accept: "text/csv"
  std::string_view extension;   // of the download's file name: ".csv"
};
// Every format, JSON first.
const std::vector<ResultFormatInfo>& result_formats();
const ResultFormatInfo& format_info(ResultFormat format);

// Answers `call` with the result of `sql` in `format` (not Json), as described above.
void send_result_download(ServerContext& context, Call& call, const std::string& sql, storage::QueryOptions options,
                          ResultFormat format, const std::vector<std::string>& required_tables);

}  // namespace superstore::server
