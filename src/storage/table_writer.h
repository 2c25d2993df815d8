// The write path of one table: rows are staged in DuckDB, each with its partition's number; at commit
// every partition is written as one or more Parquet micro-partitions of about the table's target size,
// its rows sorted by the sort keys, several files at once (file_writer.h); each file is measured (rows,
// bytes, min/max/null/distinct per column) and one commit to the table's log makes them visible.
// Internal to the storage layer; Warehouse (warehouse.h) is the public entry point.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "catalog/catalog.h"
#include "common/columns.h"
#include "query/database.h"
#include "storage/delta_log.h"

namespace superstore::storage {

struct WriteResult {
  int64_t version = -1;     // the log version this write created
  int64_t rows = 0;         // rows inserted or deleted
  int64_t files_added = 0;
  int64_t files_removed = 0;
};

struct TableContext {
  catalog::TableInfo table;
  std::string root_key;               // blob key of the table folder
  std::filesystem::path root_dir;     // the same folder on the local file system
  int64_t target_file_bytes = 0;      // resolved: the table's own or the store's default
};

// Test hook: when the environment variable SUPERSTORE_CRASH_BEFORE_COMMIT is set, a write ends the
// process (as a kill would) after its Parquet files are written and before its commit.
void maybe_crash_before_commit();

class TableWriter {
 public:
  // Rows staged beyond this many are written out early, so memory stays bounded at any input size.
  static constexpr int64_t kFlushRows = 20'000'000;

  TableWriter(query::Database& engine, blob::BlobStore& store, catalog::Catalog& catalog, TableContext context);
  ~TableWriter();

  // Adds rows whose schema equals the table's columns (names and types, in order).
  void add(const ColumnBatch& batch);
  // Adds the rows of a SELECT whose columns match the table's columns in order (file imports).
  void add_select(const std::string& select_sql);
  // Writes what is staged and commits it as one version.
  WriteResult commit_insert();

  // Deletes the rows for which `predicate` (a SQL boolean expression over the table's columns) is true,
  // in one commit. Returns the number of rows deleted (version -1 and no commit when none matched).
  WriteResult delete_where(const std::string& predicate);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::storage
