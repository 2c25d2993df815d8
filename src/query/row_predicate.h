// Checking a row predicate that a user wrote (DELETE ... WHERE <predicate>) before it is pasted into the
// writer's SQL, where it runs on an engine that may read the warehouse's files.
#pragma once

#include <string>
#include <vector>

#include "common/types.h"
#include "query/database.h"

namespace superstore::query {

// Throws Error(InvalidArgument), with DuckDB's message where it has one, unless `predicate` is exactly one
// SQL expression over `columns` that binds: no subqueries (so no other tables, table functions or file
// readers), no parameters, no second statement, no columns but these, nothing that closes the
// surrounding parenthesis. `engine` must be sandboxed with no allowed directories, so that even the
// check's own bind can read nothing.
void check_row_predicate(const Database& engine, const std::vector<ColumnDef>& columns, const std::string& predicate);

}  // namespace superstore::query
