// The way back from SQL to ColumnBatch, the counterpart of BatchScan: a file import reads its rows
// through DuckDB's readers (CSV, JSON lines, Parquet) into columns held in C++, which the write path then
// sorts, measures and hands to DuckDB's Parquet writer without staging them in a table.
#pragma once

#include <functional>
#include <string>

#include "common/columns.h"
#include "query/database.h"

namespace superstore::query {

// Runs trusted, internal SQL as a streaming result (DuckDB's threads run ahead of the reader by a bounded
// buffer) and appends its rows to `into`, one DuckDB chunk (at most 2,048 rows) at a time, calling
// `after_chunk(into)` after each, so that the caller may take the rows away (e.g. write them and clear
// `into`). The statement's columns must have the DuckDB types of `into.schema`, in order (see
// appender.h), a Timestamp's as TIMESTAMPTZ or as TIMESTAMP of UTC. Throws Error as Connection::execute does, also for
// a failure part-way through the rows (a cast that fails at row 1 M); the rows appended before it stay in `into`.
// `conn` must run nothing else until this returns: another statement on it ends the streaming result.
void read_batches(Connection& conn, const std::string& sql, ColumnBatch& into,
                  const std::function<void(ColumnBatch&)>& after_chunk);

}  // namespace superstore::query
