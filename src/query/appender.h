// Bulk loading of superstore::ColumnBatch rows into a DuckDB table, column vector by column vector.
#pragma once

#include <memory>
#include <string>

#include "common/columns.h"
#include "query/database.h"

namespace superstore::query {

// Appends batches to an existing table whose columns match the batches' schema in count, order and type:
// Int16 SMALLINT, Int32 INTEGER, Int64 BIGINT, Float64 DOUBLE, String VARCHAR, Boolean BOOLEAN,
// Timestamp TIMESTAMPTZ (µs, UTC) and Date DATE (days). Column names are not compared.
//
// Rows become visible to other statements once close() returns (DuckDB may also flush earlier on its
// own). Call close() to learn of failures: the destructor of an unclosed Appender flushes what it holds
// but cannot report an error. Uses its Connection exclusively until closed or destroyed; the Connection
// must outlive it.
class Appender {
 public:
  // `schema` empty means DuckDB's default schema ("main"). Throws Error(NotFound) when the table does not
  // exist, with DuckDB's message.
  Appender(Connection& connection, const std::string& table, const std::string& schema = "");
  Appender(Appender&&) noexcept;
  Appender& operator=(Appender&&) noexcept;
  ~Appender();

  // Throws Error(InvalidArgument) naming the column when the batch's schema does not match the table,
  // or when an Int16, Int32 or Date value does not fit its column; rows of a rejected batch are not
  // appended. Other failures (e.g. a constraint DuckDB enforces) throw with DuckDB's message.
  void append(const ColumnBatch& batch);
  // Appends rows made of the columns of `batch` followed by those of `more` (as long as `batch`): a
  // column the caller computes beside rows it does not own, without copying them.
  void append(const ColumnBatch& batch, const ColumnBatch* more);
  // Flushes and closes; later calls to append() throw Error(Internal).
  void close();

  struct Impl;  // internal to src/query

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::query
