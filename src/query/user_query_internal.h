// Private to src/query: the pieces of run_user_query (user_query.cpp) that other ways of running user SQL
// share with it, so every one checks, caches, names and times out alike.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "query/deadlines.h"
#include "query/duckdb_internal.h"
#include "query/user_query.h"

namespace superstore::query {

// The checked, prepared statement for `sql` (check_read_only's rules), kept on the connection; throws as
// check_read_only does. Valid until the connection forgets it (forget_prepared_read, Connection::execute).
duckdb_prepared_statement prepared_read(Connection::Impl& impl, const std::string& sql);
// Drops `sql`'s kept statement, after it failed, so the next run prepares it afresh.
void forget_prepared_read(Connection::Impl& impl, const std::string& sql);
// What is left of the control's time limit (zero or less when it has passed).
std::chrono::milliseconds time_left(const QueryControl& control);
// "query stopped after the time limit of N s; narrow it or add LIMIT"
std::string time_limit_message(std::chrono::milliseconds limit);
// The message of a query stopped by its QueryControl's `cancelled`.
inline constexpr const char* kCancelledMessage = "query cancelled: the client closed its connection";
// Runs the checked statement for `sql` (prepared_read) into `result`, streaming: chunks come as the
// reader fetches them. Throws as run_user_query does.
void start_streaming(Connection::Impl& impl, const std::string& sql, const Watchdog& watchdog, ResultHandle& result);
// For the catch block of a runner, before it rethrows: forgets `sql`'s statement (a statement that failed
// is prepared afresh next time rather than trusted in whatever state it is), and throws Error(Cancelled)
// or the time-limit message instead when the watchdog stopped the query.
void on_query_failure(Connection::Impl& impl, const std::string& sql, const Watchdog& watchdog,
                      const QueryControl& control);
// The columns of a user query's result: DuckDB's types, and the names as answers show them (unique_names).
struct ResultColumns {
  std::vector<LogicalType> types;
  std::vector<std::string> names;
};
ResultColumns result_columns(ResultHandle& result);
// Later repeats of a name get "_2", "_3", ..., skipping any suffixed name the result already has.
std::vector<std::string> unique_names(const std::vector<std::string>& names);

}  // namespace superstore::query
