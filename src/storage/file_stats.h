// Statistics of one micro-partition, in the shape Delta's `add.stats` wants (see delta_log.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/columns.h"
#include "common/types.h"
#include "query/database.h"
#include "storage/delta_log.h"

namespace superstore::storage {

// Rows, and per column min, max, null count and exact distinct count, of the rows `from_sql`
// produces (a parenthesised subquery or a table name); no rows give all zeros. Booleans get no min/max and
// non-finite doubles none either, as Delta readers expect; timestamps are cut to milliseconds.
FileStats compute_file_stats(query::Connection& conn, const std::string& from_sql,
                             const std::vector<ColumnDef>& columns);

// The same for many files at once: `from_sql` has an extra BIGINT column `group_column` naming each
// row's file. Two statements for all files, whatever their number, since each statement has a fixed
// cost of milliseconds.
std::map<int64_t, FileStats> compute_grouped_file_stats(query::Connection& conn, const std::string& from_sql,
                                                        const std::string& group_column,
                                                        const std::vector<ColumnDef>& columns);

// The same stats of rows held in memory: every column of `batch`, computed in C++ (one pass per column
// and an exact distinct count, by hashing or, for integers of a narrow range, a bitmap of the range),
// equal to what compute_file_stats finds for those rows.
FileStats compute_batch_stats(const ColumnBatch& batch);

}  // namespace superstore::storage
