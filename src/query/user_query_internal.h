// Private to src/query: the pieces of run_user_query (user_query.cpp) that other ways of running user SQL
// share with it, so every one checks, caches, names and times out alike.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "query/duckdb_internal.h"

namespace superstore::query {

// The checked, prepared statement for `sql` (check_read_only's rules), kept on the connection; throws as
// check_read_only does. Valid until the connection forgets it (forget_prepared_read, Connection::execute).
duckdb_prepared_statement prepared_read(Connection::Impl& impl, const std::string& sql);
// Drops `sql`'s kept statement, after it failed, so the next run prepares it afresh.
void forget_prepared_read(Connection::Impl& impl, const std::string& sql);
// "query stopped after the time limit of N s; narrow it or add LIMIT"
std::string time_limit_message(std::chrono::milliseconds limit);
// The message of a query stopped by its QueryControl's `cancelled`.
inline constexpr const char* kCancelledMessage = "query cancelled: the client closed its connection";
// Later repeats of a name get "_2", "_3", ..., skipping any suffixed name the result already has.
std::vector<std::string> unique_names(const std::vector<std::string>& names);

}  // namespace superstore::query
