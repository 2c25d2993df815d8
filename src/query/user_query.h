// Running SQL that a user typed: read statements only, one at a time, under a time limit, one page of the
// result converted to JSON. Run it on a Connection of a sandboxed Database (DatabaseOptions::sandboxed);
// these checks decide what kind of statement runs, the sandbox decides which files it may touch.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "query/database.h"

namespace superstore::query {

struct PageRequest {
  int64_t page = 1;  // 1-based
  int64_t per_page = 100;
  // The largest page, as the bytes of its rows in JSON (escapes not counted); a larger one stops the query
  // with Error(TooLarge) before more of it is built, so that memory stays bounded by about this much.
  int64_t max_bytes = INT64_MAX;
};

struct ResultColumn {
  std::string name;  // unique within the result: repeats get "_2", "_3", ... appended
  std::string type;  // DuckDB's type name: "BIGINT", "VARCHAR", "TIMESTAMP WITH TIME ZONE", ...
};

struct QueryPage {
  std::vector<ResultColumn> columns;
  // An array of objects, one per row of the page, keys in column order (hence ordered_json: embed it in an
  // ordered_json response, or dump it as is, to keep that order). Values: integers as numbers (as strings
  // beyond the int64 range), FLOAT/DOUBLE/DECIMAL as numbers with NaN and ±Inf as null, TIMESTAMP and
  // TIMESTAMPTZ as "2024-01-01T10:00:00Z" (UTC, fraction only when non-zero), DATE as "2024-01-01",
  // BOOLEAN as true/false, VARCHAR as strings, NULL as null, anything else (BLOB, LIST, STRUCT, MAP,
  // INTERVAL, UUID, ...) as DuckDB's cast of it to VARCHAR.
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  int64_t total = 0;  // rows of the whole result
  int64_t page = 1;
  int64_t per_page = 0;
  double execution_ms = 0;
};

// Throws Error(InvalidArgument) unless `sql` is exactly one read statement: SELECT (including WITH,
// FROM-first, DESCRIBE, SHOW, SUMMARIZE, PIVOT with an IN list) or EXPLAIN of one (EXPLAIN ANALYZE runs
// its statement, so the explained statement must be a read too), that reads tables by name only
// (table_reads.h: no file readers, settings or catalog views), judged by DuckDB's parse tree before it is
// bound. The message says why: DuckDB's own text for SQL that does not parse or bind (unknown table),
// "send one statement at a time; got N", "only read statements (...) may run; this is a COPY statement",
// "table function read_parquet() cannot run here: ...", or "this statement cannot be checked ..." for
// what DuckDB cannot serialize (PRAGMA).
void check_read_only(Connection& connection, const std::string& sql);

// What may stop a running user query besides its own end: its time limit, counted from `started` (the
// start of the whole request, so that the time spent before and after DuckDB's part counts too), and
// `cancelled`, a check run about every 100 ms while the query runs (see deadlines.h; it must be quick),
// which stops the query with Error(Cancelled) once it returns true — the HTTP server's "has the client
// gone away?".
struct QueryControl {
  // Implicit, so that a time limit alone is a QueryControl.
  template <class Rep, class Period>
  QueryControl(std::chrono::duration<Rep, Period> limit,  // NOLINT(google-explicit-constructor)
               std::function<bool()> cancel = {},
               std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now())
      : time_limit(std::chrono::duration_cast<std::chrono::milliseconds>(limit)),
        cancelled(std::move(cancel)),
        started(start) {}
  std::chrono::milliseconds time_limit;
  std::function<bool()> cancelled;
  std::chrono::steady_clock::time_point started;

  std::chrono::steady_clock::time_point deadline() const { return started + time_limit; }
  // Throws the time-limit error of run_user_query when the deadline has passed.
  void check_deadline() const;
};

// Checks `sql` as check_read_only does, runs it once, counts all its rows and converts only the rows of
// the requested page. A page past the end gives no rows and the true total. Throws
// Error(InvalidArgument) for a page or per_page below 1, for SQL DuckDB rejects (with DuckDB's message),
// and with "query stopped after the time limit of N s; narrow it or add LIMIT" when preparing and running
// take longer than the time limit, and also when converting the page to JSON does; Error(TooLarge) when the
// page's JSON exceeds `page.max_bytes`; Error(Cancelled) when `control.cancelled` said so; Error(TooLarge) when the
// query exceeds the memory limit. The connection stays usable after any of these errors. Uses the connection
// exclusively for the duration of the call. The connection keeps the last 32 statements that passed the check prepared,
// so a repeated query is not checked and bound again; Connection::execute (how views change) forgets them.
QueryPage run_user_query(Connection& connection, const std::string& sql, PageRequest page, const QueryControl& control);

// The message of a JSON answer over `max_bytes`: what to do instead (LIMIT, a download format).
std::string too_large_message(int64_t max_bytes);

// How many statements `connection` keeps prepared for run_user_query (for tests and diagnostics).
size_t kept_user_statements(const Connection& connection);

}  // namespace superstore::query
