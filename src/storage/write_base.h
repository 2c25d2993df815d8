// What an insert and a delete of one table share (internal to the storage layer; TableWriter's two
// halves): the table and its columns, a connection on the write engine, the snapshot the write starts
// from, and the commit, which moves past versions that do not conflict and gives up after
// kMaxCommitAttempts lost races. The insert half is in table_writer.cpp, the delete half in
// table_delete.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "catalog/catalog.h"
#include "common/columns.h"
#include "query/database.h"
#include "storage/delta_log.h"
#include "storage/file_writer.h"
#include "storage/partition_index.h"
#include "storage/write_types.h"

namespace superstore::storage {

inline constexpr int kMaxCommitAttempts = 5;

struct WriteBase {
  WriteBase(query::Database& engine, blob::BlobStore& store, catalog::Catalog& catalog, TableContext context);

  query::Database& engine;
  blob::BlobStore& store;
  catalog::Catalog& catalog;
  TableContext ctx;
  DeltaLog log;
  query::Connection conn;
  std::vector<ColumnDef> data_columns;       // the columns stored in the Parquet files
  std::vector<ColumnDef> partition_columns;  // in partition-key order
  PartitionIndex partitions{{}, ""};
  Snapshot base;  // the version this write builds on
  // Names this writer's working tables apart from those of others sharing the engine.
  std::string writer_id;
  std::string scratch_prefix;

  // The table's newest version, from the warehouse's kept snapshot when there is one.
  Snapshot latest() const;
  // "table 'name'", for messages.
  std::string where() const;
  // `base` with only this one file.
  Snapshot only(const AddFile& file) const;
  // How this writer's files are written (file_writer.h), on its own connection.
  FileWriterSetup setup();
  // Deletes files this write made and will not commit.
  void remove_files(const std::vector<AddFile>& files);
  RemoveFile removal_of(const AddFile& file) const;
  // Tries to commit at base.version + 1, moving past versions that do not touch the files this write
  // removes. Returns the version, or -1 when a newer version conflicts (the caller may redo the write).
  int64_t try_commit(Commit& commit);
  // Error(Conflict): every attempt lost to other writers.
  [[noreturn]] void conflict() const;
};

// The delete half: removes the rows for which `predicate` is true, in one commit (see
// TableWriter::delete_where).
WriteResult delete_rows(WriteBase& writer, const std::string& predicate);

// The replace half: rewrites the files holding changed rows and adds new rows, in one commit (see
// TableWriter::replace_regenerable).
WriteResult replace_rows(WriteBase& writer, const RegenerableChange& change);
// Whether OPTIMIZE compacts the file: below half the target size.
bool is_small_file(const AddFile& file, int64_t target_file_bytes);
// The compaction half (table_optimize.cpp): see TableWriter::optimize.
WriteResult optimize_files(WriteBase& writer);
// The undo half (table_restore.cpp): see TableWriter::restore.
WriteResult restore_files(WriteBase& writer, int64_t version);

}  // namespace superstore::storage
