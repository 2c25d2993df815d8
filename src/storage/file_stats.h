// Statistics of one micro-partition, in the shape Delta's `add.stats` wants (see delta_log.h).
#pragma once

#include <string>
#include <vector>

#include "common/types.h"
#include "query/database.h"
#include "storage/delta_log.h"

namespace superstore::storage {

// Rows, and per column min, max, null count and (HyperLogLog) distinct count, of the rows `from_sql`
// produces (a parenthesised subquery or a table name), in one scan. Booleans get no min/max and
// non-finite doubles none either, as Delta readers expect; timestamps are cut to milliseconds.
FileStats compute_file_stats(query::Connection& conn, const std::string& from_sql, const std::vector<ColumnDef>& columns);

}  // namespace superstore::storage
