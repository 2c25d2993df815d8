// Lets SQL read a ColumnBatch held in memory, without copying it into a table first: the write path
// turns rows it already holds in their final order straight into a Parquet file with
// `COPY (SELECT * FROM <sql()>) TO ...`, which costs about half of appending them to a table and
// copying that.
#pragma once

#include <cstdint>
#include <string>

#include "common/columns.h"
#include "query/database.h"

namespace superstore::query {

// While alive, `sql()` names a table function over `batch` on every connection of `connection`'s
// database: its columns are the batch's schema (names and DuckDB types as in appender.h), its rows the
// batch's rows in order, read by one thread. The batch must stay unchanged and alive as long as this.
// Throws Error(InvalidArgument) when a narrow value (Int16, Int32, Date) does not fit its type.
class BatchScan {
 public:
  BatchScan(Connection& connection, const ColumnBatch& batch);
  BatchScan(const BatchScan&) = delete;
  BatchScan& operator=(const BatchScan&) = delete;
  ~BatchScan();

  // A table expression, e.g. "ss_batch_scan(7)".
  const std::string& sql() const { return sql_; }

 private:
  int64_t handle_;
  std::string sql_;
};

}  // namespace superstore::query
