// The types that the parts of the write path share (internal to the storage layer): what a write did,
// which table it writes, and rows that their source can produce again. The writers (table_writer.h,
// file_writer.h, regenerable_writer.h) include this rather than each other.
#pragma once

#include <climits>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/columns.h"

namespace superstore::query {
class Database;  // query/database.h
}  // namespace superstore::query

namespace superstore::storage {

struct WriteResult {
  int64_t version = -1;  // the log version this write created
  int64_t rows = 0;      // rows inserted or deleted
  int64_t files_added = 0;
  int64_t files_removed = 0;
};

class FileCache;     // file_cache.h
class MemoryBudget;  // memory_budget.h
struct Snapshot;     // delta_log.h

struct TableContext {
  catalog::TableInfo table;
  std::string root_key;            // blob key of the table folder
  std::filesystem::path root_dir;  // the same folder on the local file system (for S3: the local file cache)
  int64_t target_file_bytes = 0;   // resolved: the table's own or the store's default
  // Null for local stores. For remote ones (S3) files are written below root_dir and uploaded through it,
  // and files read on the write path are fetched through it first.
  FileCache* remote = nullptr;
  std::filesystem::path temp_dir;              // DATA_DIR/tmp: where checkpoints are made before they are put
  int64_t checkpoint_interval = 0;             // a checkpoint after every this many commits; 0: none
  int64_t tombstone_retention_ms = INT64_MAX;  // VACUUM_RETENTION: checkpoints keep tombstones this long
  // The table's newest snapshot, kept up to date from the commits after a cached one (Warehouse), so that
  // starting a write costs the same at version 10 and 10,000; empty: replay the log.
  std::function<std::shared_ptr<const Snapshot>()> latest;
  // FAKE_DATA_MEMORY: what the keys of regenerable writes may hold, shared by the writes of a process;
  // beyond it they spill sorted runs to temp_dir. Null: no bound.
  MemoryBudget* key_memory = nullptr;
  // An engine of one DuckDB thread on which regenerable writes and streamed imports (streamed_files.h)
  // turn batches held in memory into Parquet files, several side by side on connections of their own. On an engine of
  // more threads DuckDB hands the end of each COPY (the row groups' encoding) to a worker thread while the calling
  // thread polls for it, which cost about a third of the Parquet writer's CPU time. Empty: the writer's own engine.
  std::function<query::Database&()> file_engine;
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

// A change to a table of regenerable rows (TableWriter::replace_regenerable): some existing rows, named
// by an integer key column, take new values, and new rows arrive. The files holding a changed row are
// rewritten whole, so `rows` is asked for the new rows plus the current values of every row of those
// files, named by their keys (ascending); a row's new partition may differ from its file's.
struct RegenerableChange {
  std::string key_column;
  std::vector<int64_t> changed;  // keys of existing rows whose values change, ascending
  std::function<RegenerableRows(const std::vector<int64_t>& rewritten)> rows;
  std::string operation = "WRITE";  // commitInfo.operation and operationParameters
  nlohmann::json operation_parameters = nlohmann::json::object();
};

}  // namespace superstore::storage
