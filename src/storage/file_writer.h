// Turns the rows of one working table into Parquet micro-partitions: split by partition keys, sorted by
// sort keys inside each file, about the target size each, measured for the Delta log. Internal to the
// storage layer (TableWriter's write path).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "common/columns.h"
#include "query/database.h"
#include "storage/delta_log.h"
#include "storage/partition_index.h"
#include "storage/write_types.h"

namespace superstore::storage {

struct FileWriterSetup {
  query::Database& engine;
  query::Connection& conn;  // the caller's connection, one of the writers' connections
  blob::BlobStore& store;
  const TableContext& ctx;
  const std::vector<ColumnDef>& data_columns;         // stored in the files
  const std::vector<ColumnDef>& partition_columns;    // in partition-key order; stored in folder names only
  std::function<int64_t(int64_t count)> reserve_ids;  // the first of `count` new micro-partition ids
  const PartitionIndex& partitions;                   // knows every partition number in the rows
  std::string scratch_prefix;                         // for temporary tables: a name prefix of the caller's own
};

// Rows of one partition: a SELECT of all the table's columns, in order.
struct PartitionRows {
  int32_t number;  // in FileWriterSetup::partitions
  std::string sql;
  std::string staged_table;  // when set, `sql` selects the rows of this table whose ss_part is `number`
  int64_t rows = -1;         // when known: the number of rows, and
  double raw_bytes = 0;      // their size unencoded (strings' lengths + 4, fixed-width values' widths)
};

// Parquet (snappy + dictionaries) typically stores our data in about half its raw size; used only to
// choose how many rows go into a micro-partition of the target size.
inline constexpr double kAssumedParquetRatio = 0.5;

// The columns' quoted names, comma-separated.
std::string column_names(const std::vector<ColumnDef>& cols);

// The unencoded size of rows as PartitionRows::raw_bytes counts it.
double raw_size(const ColumnBatch& batch);

// How many rows each file of a partition gets: files of about the target size once encoded, equally
// long but for the last.
int64_t rows_per_file(int64_t rows, double raw_bytes, int64_t target_file_bytes);

// Runs jobs 0..n-1 on up to one connection per engine thread (setup.conn among them) and rethrows the
// first failure once all have stopped.
void run_on_connections(const FileWriterSetup& setup, size_t n,
                        const std::function<void(query::Connection&, size_t)>& job);

// The same on up to `workers` connections of `engine` (`first` among them unless null, then only new
// ones).
void run_on_connections(query::Database& engine, query::Connection* first, size_t workers, size_t n,
                        const std::function<void(query::Connection&, size_t)>& job);

// Connections the writers run side by side on an engine: one per engine thread (one per core if unset).
size_t engine_workers(const query::Database& engine);

// Writes the rows of `select` as micro-partition `id` of the partition with `values` (whose folder must
// exist) and returns its add action, stats not filled in. A failed write removes what it left of the file
// at once; a full disk (DuckDB's message tells ENOSPC, EDQUOT or EFBIG) is Error(InsufficientStorage)
// naming the file.
AddFile write_parquet_file(const FileWriterSetup& setup, query::Connection& conn, int64_t id,
                           const PartitionValues& values, const std::string& select);

// Writes `data` (the rows of one file in their final order, with setup.data_columns) as micro-partition
// `id` through a batch scan, and returns its add action with the stats measured in C++
// (compute_batch_stats) before the file is written, so that nothing can fail after it.
AddFile write_batch_file(const FileWriterSetup& setup, query::Connection& conn, int64_t id,
                         const PartitionValues& values, const ColumnBatch& data);

// Creates `folder` and its parents; a full disk is Error(InsufficientStorage), as for files.
void create_folders(const std::filesystem::path& folder);

// Removes the files of `files` (those with a path; the vector may still be filling) when it goes out of
// scope before keep() was called: a write that fails, on a full disk above all, leaves no file behind.
class RemoveUnlessKept {
 public:
  RemoveUnlessKept(blob::BlobStore& store, std::string root_key, const std::vector<AddFile>& files)
      : store_(store), root_key_(std::move(root_key)), files_(files) {}
  RemoveUnlessKept(const RemoveUnlessKept&) = delete;
  RemoveUnlessKept& operator=(const RemoveUnlessKept&) = delete;
  ~RemoveUnlessKept();
  void keep() { kept_ = true; }

 private:
  blob::BlobStore& store_;
  std::string root_key_;
  const std::vector<AddFile>& files_;
  bool kept_ = false;
};

// The partition's folder under the table root: "k=v/.../", or "" without partition keys.
std::string partition_folder(const FileWriterSetup& setup, const PartitionValues& values);

// Writes the rows (several sources may name one partition) and returns the files' add actions, in
// partition-value order.
std::vector<AddFile> write_micro_partitions(const FileWriterSetup& setup, const std::vector<PartitionRows>& rows);

}  // namespace superstore::storage
