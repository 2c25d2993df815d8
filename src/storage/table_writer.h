// The write path of one table: rows are staged in DuckDB, each with its partition's number; at commit
// every partition is written as one or more Parquet micro-partitions of about the table's target size,
// its rows sorted by the sort keys, several files at once (file_writer.h); each file is measured (rows,
// bytes, min/max/null/distinct per column) and one commit to the table's log makes them visible. Rows
// whose source can produce them again (generated data) skip the stage: regenerable_writer.h.
// Internal to the storage layer; Warehouse (warehouse.h) is the public entry point.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "blob/blob_store.h"
#include "catalog/catalog.h"
#include "common/columns.h"
#include "query/database.h"
#include "storage/write_types.h"

namespace superstore::storage {

class TableWriter {
 public:
  // Rows staged beyond this many are written out early, so memory stays bounded at any input size.
  static constexpr int64_t kFlushRows = 20'000'000;

  TableWriter(query::Database& engine, blob::BlobStore& store, catalog::Catalog& catalog, TableContext context);
  ~TableWriter();

  // Adds rows whose schema equals the table's columns (names and types, in order).
  void add(const ColumnBatch& batch);
  // Adds the rows of a source that can produce them again: written at once, file by file, the memory
  // their sort keys take bounded by FAKE_DATA_MEMORY (regenerable_writer.h). Beyond `max_rows` rows the
  // rows are staged as add() does instead (tests lower the limit to reach that path); by default there
  // is no such limit, since the keys spill past their budget (before they did, tables above 32 M rows
  // were staged and their files cut every kFlushRows).
  static constexpr uint64_t kMaxRegeneratedRows = UINT64_MAX;
  void add_regenerable(const RegenerableRows& rows, uint64_t max_rows = kMaxRegeneratedRows);
  // Adds the rows of a SELECT whose columns match the table's columns in order, names aside (file
  // imports), read as a streaming result on `reader`, a connection that runs nothing else meanwhile
  // (see read_batches; the writes use connections of the writer's engine). With sort keys the rows pass
  // through memory about `held_bytes` (of raw_size) at a time, each such round written as files of its
  // own; without, each file is written as soon as its rows have arrived (streamed_files.h), while the
  // reading goes on. When the SELECT fails part-way, the files written so far are removed and the writer
  // holds what it held before.
  static constexpr int64_t kHeldBytes = 512LL << 20;
  void add_select(query::Connection& reader, const std::string& select_sql, int64_t held_bytes = kHeldBytes);
  // The same for the rows of several statements, which `next` gives one at a time (nullopt after the
  // last; it may wait for the next to be ready), taken as the rows of one: files are not cut between them.
  void add_selects(query::Connection& reader, const std::function<std::optional<std::string>()>& next,
                   int64_t held_bytes = kHeldBytes);
  // Writes what is staged and commits it as one version.
  WriteResult commit_insert();

  // Deletes the rows for which `predicate` (a SQL boolean expression over the table's columns) is true,
  // in one commit. Returns the number of rows deleted (version -1 and no commit when none matched).
  WriteResult delete_where(const std::string& predicate);

  // Applies a change to regenerable rows in one commit: the files holding a changed row are removed and
  // their rows, with the new rows, written anew (in their partitions now), as Delta's remove + add.
  // Returns the new rows written in all (version -1 and no commit when there is nothing to write).
  WriteResult replace_regenerable(const RegenerableChange& change);
  // Compacts each partition's files below half the target size into files of about the target size,
  // sorted by the sort keys, in one commit with dataChange false (OPTIMIZE). `rows` counts the rows
  // rewritten; version -1 and no commit when no partition has two such files.
  WriteResult optimize();
  // Makes the table hold exactly the files it held at `version` again, in one commit (Delta's RESTORE):
  // the files added since are removed and those removed since added back, with their stats; nothing is
  // written but the log. Error(Conflict) when a file it needs is gone (VACUUM). Version -1 and no commit
  // when the table holds those files already.
  WriteResult restore(int64_t version);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::storage
