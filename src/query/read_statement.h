// For SQL of ours that reads the warehouse's files itself and embeds a user expression already judged by
// check_row_predicate (the delete's count, storage/table_delete.cpp): the checks of check_read_only
// (user_query.h) without its tables-only rule (table_reads.h), which that SQL's own read_parquet breaks.
#pragma once

#include <string>

#include "query/database.h"

namespace superstore::query {

// Throws Error(InvalidArgument) as check_read_only does unless `sql` is exactly one read statement.
void check_one_read_statement(Connection& connection, const std::string& sql);

}  // namespace superstore::query
