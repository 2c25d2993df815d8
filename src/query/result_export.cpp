#include "query/result_export.h"

#include "common/error.h"
#include "query/deadlines.h"
#include "query/duckdb_internal.h"
#include "query/user_query_internal.h"

namespace superstore::query {
namespace {

const char* copy_options(ExportFormat format) {
  switch (format) {
    case ExportFormat::Csv:
      return "FORMAT csv, HEADER true";
    case ExportFormat::Ndjson:
      return "FORMAT json";
    case ExportFormat::Parquet:
      return "FORMAT parquet";
  }
  return "";
}

// The view a download is written from; one per connection at a time, as a connection runs one query.
// Its name cannot be a table's (table names have no hyphen), so it never replaces a table's view.
constexpr const char* kDownloadView = "superstore-download";

}  // namespace

std::string_view export_format_name(ExportFormat format) {
  switch (format) {
    case ExportFormat::Csv:
      return "csv";
    case ExportFormat::Ndjson:
      return "ndjson";
    case ExportFormat::Parquet:
      return "parquet";
  }
  return "";
}

void export_user_query(Connection& connection, const std::string& sql, ExportFormat format, const std::string& path,
                       const QueryControl& control) {
  check_read_only(connection, sql);
  // COPY writes a table or a query in parentheses. The statement becomes a temp view, with a prefix only:
  // wrapped in parentheses, a statement ending in a comment or a semicolon would not parse. The prefixed
  // text must still be one statement (the user's text alone is one read statement, so it can only be
  // the view's query); it runs as is, comments and semicolons included.
  const std::string view = quote_identifier(kDownloadView);
  const std::string create = "CREATE OR REPLACE TEMP VIEW " + view + " AS\n" + sql;
  Connection::Impl& impl = connection.impl();
  {
    Extracted extracted;
    if (duckdb_extract_statements(impl.conn, create.c_str(), extracted.out()) != 1) {
      fail(ErrorCode::InvalidArgument,
           "this statement cannot be downloaded; only SELECT (or WITH, FROM, VALUES, "
           "TABLE) queries can, so send the others with \"format\": \"json\"");
    }
  }
  auto run = [&](const std::string& statement) {
    ResultHandle result;
    if (duckdb_query(impl.conn, statement.c_str(), result.out()) == DuckDBError) throw_result_error(result.get(), true);
  };
  try {
    run(create);
  } catch (const Error&) {
    fail(ErrorCode::InvalidArgument,
         "this statement cannot be downloaded; only SELECT (or WITH, FROM, VALUES, "
         "TABLE) queries can, so send the others with \"format\": \"json\"");
  }
  // A COPY is not kept prepared, nor is the view: run_user_query's kept statements stay valid.
  Watchdog watchdog(impl.conn, time_left(control), control.cancelled);
  try {
    run("COPY " + view + " TO " + quote_literal(path) + " (" + copy_options(format) + ")");
  } catch (const Error&) {
    run("DROP VIEW IF EXISTS " + view);
    if (watchdog.cancelled()) fail(ErrorCode::Cancelled, kCancelledMessage);
    if (watchdog.fired()) fail(ErrorCode::InvalidArgument, time_limit_message(control.time_limit));
    throw;
  }
  run("DROP VIEW IF EXISTS " + view);
}

}  // namespace superstore::query
