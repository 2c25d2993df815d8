// The write path of one table: rows are staged in DuckDB, each with its partition's number; at commit
// every partition is written as one or more Parquet micro-partitions of about the table's target size,
// its rows sorted by the sort keys, several files at once (file_writer.h); each file is measured (rows,
// bytes, min/max/null/distinct per column) and one commit to the table's log makes them visible. Rows
// whose source can produce them again (generated data) skip the stage: regenerable_writer.h.
// Internal to the storage layer; Warehouse (warehouse.h) is the public entry point.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
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

// Rows a source can produce again, any of them, in any order: generated data. The write path then reads
// only partition and sort keys (pass one), sorts partition numbers and sort keys, and asks for each
// file's rows already in their final order (pass two), instead of staging and sorting whole rows.
struct RegenerableRows {
  using Consumer = std::function<void(const ColumnBatch&)>;
  uint64_t rows = 0;
  // Hands every row to the consumer once, in batches, in index order (row i is the i-th row seen), with
  // exactly the table's columns named in `columns`, in table order; the consumer is called from one
  // thread at a time.
  std::function<void(const std::vector<std::string>& columns, const Consumer&)> scan;
  // The rows with these indices, in this order, with the table's columns; called from several threads.
  // Besides each file's rows, the writer fetches a sample of at most kSizeSampleRows rows to size the
  // files.
  std::function<ColumnBatch(std::span<const uint64_t> indices)> fetch;
  static constexpr uint64_t kSizeSampleRows = 1024;
};

class TableWriter {
 public:
  // Rows staged beyond this many are written out early, so memory stays bounded at any input size.
  static constexpr int64_t kFlushRows = 20'000'000;

  TableWriter(query::Database& engine, blob::BlobStore& store, catalog::Catalog& catalog, TableContext context);
  ~TableWriter();

  // Adds rows whose schema equals the table's columns (names and types, in order).
  void add(const ColumnBatch& batch);
  // Adds the rows of a source that can produce them again: written at once, file by file, memory
  // bounded by their sort keys. Beyond `max_rows` rows the rows are staged as add() does instead (tests
  // lower the limit to reach that path).
  static constexpr uint64_t kMaxRegeneratedRows = 32'000'000;
  void add_regenerable(const RegenerableRows& rows, uint64_t max_rows = kMaxRegeneratedRows);
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
