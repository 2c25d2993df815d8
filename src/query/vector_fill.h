// Private to src/query: how a superstore Column becomes a DuckDB vector, shared by the appender and the
// batch scan.
#pragma once

#include <duckdb.h>

#include <cstddef>

#include "common/columns.h"

namespace superstore::query {

// The DuckDB type a ColumnType is stored as (Timestamp as TIMESTAMP WITH TIME ZONE).
duckdb_type duckdb_type_for(ColumnType type);

// Narrow types (Int16, Int32, Date) are stored as int64 in a Column: throws Error(InvalidArgument) naming
// the column and row when a value does not fit `def`'s type. Checked before any row goes in.
void check_fits(const ColumnDef& def, const Column& column);

// Writes rows [start, start + count) of `column` into the first `count` slots of `vector`, nulls included.
// Narrow types are narrowed without a check: callers check ranges first (see Appender).
// With `borrow_strings`, strings longer than DuckDB inlines (12 bytes) are not copied: the vector points
// into the column's characters, which must then stay unchanged and alive as long as the vector is read.
void fill_vector(duckdb_vector vector, ColumnType type, const Column& column, size_t start, size_t count,
                 bool borrow_strings = false);

}  // namespace superstore::query
