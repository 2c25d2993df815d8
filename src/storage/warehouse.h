// The table store as the rest of superstore sees it: tables in the catalog, their data as Parquet
// micro-partitions with a Delta log, and SQL over them. The CLI, the fake-data layer and the HTTP server
// use only this header (and the types it names).
//
// Thread safety: every method may be called from any thread. Writes to one table from several threads or
// processes are safe: each is one atomic commit, and a lost race is retried or reported as Conflict.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "blob/s3_blob_store.h"
#include "catalog/catalog.h"
#include "common/config.h"
#include "common/defaults.h"
#include "query/user_query.h"
#include "storage/delta_log.h"
#include "storage/file_cache.h"
#include "storage/table_vacuum.h"
#include "storage/table_writer.h"

namespace superstore::storage {

// A table whose properties hold this integer is read at that version (by queries, snapshot() and
// everything built on it) whatever its log holds past it; writers still build on the log's latest. A
// change to several tables pins them, commits a version of each, then drops every pin in one catalog
// transaction, so that readers see all of it or none (fake-data advance, fakedata/lifecycle.h).
inline constexpr const char* kVisibleVersionProperty = "visible_version";

struct WarehouseOptions {
  std::filesystem::path data_dir = "data";
  int64_t default_target_file_bytes = 16LL << 20;
  std::string query_memory_limit;  // DuckDB syntax ("4GB"); empty: DuckDB's default
  int threads = 0;                 // DuckDB threads; 0: one per core
  // Where tables live (WAREHOUSE_URL): empty: data_dir/warehouse; a local folder; or "s3://bucket/prefix",
  // reached with `s3` (its bucket and prefix come from the URL). The catalog stays in data_dir either way.
  std::string warehouse_url;
  blob::S3Options s3;
  // With S3: local copies of the Parquet files queries read (file_cache.h), at most cache_bytes, below
  // cache_dir (empty: data_dir/cache).
  std::filesystem::path cache_dir;
  uint64_t cache_bytes = kDefaultCacheBytes;
  int64_t checkpoint_interval = 10;  // a Delta checkpoint after every this many commits; 0: none
  // FAKE_DATA_MEMORY: what the keys of regenerable writes (fake data) hold at once, all writes together;
  // beyond it they spill sorted runs to DATA_DIR/tmp (regenerable_writer.h).
  int64_t fake_data_memory = kDefaultFakeDataMemory;
  // VACUUM: the retention when none is given, and the least one accepted (see Warehouse::vacuum).
  int64_t vacuum_retention_ms = 168LL * 3600 * 1000;
  int64_t vacuum_min_retention_ms = 3600LL * 1000;
};

struct VacuumOptions {
  std::optional<int64_t> retention_ms;  // empty: WarehouseOptions::vacuum_retention_ms
  bool dry_run = false;
};

struct VacuumResult {
  int64_t cutoff_ms = 0;  // files no version current since then needs were deleted
  VacuumReport files;
  // Dropped tables of the same name removed for good (dropped before the cutoff), and their bytes.
  std::vector<int64_t> dropped_tables;
  int64_t dropped_bytes = 0;
};

// What OPTIMIZE and VACUUM would do for a table now (status, GET /table/{id}).
struct TableUpkeep {
  int64_t small_files = 0;  // live files below half the target size
  int64_t small_file_bytes = 0;
  int64_t reclaimable_files = 0;  // what VACUUM with the default retention would delete
  int64_t reclaimable_bytes = 0;
  int64_t checkpoint_version = -1;  // the newest checkpoint; -1: none
};

// The options the environment (Config) sets: DATA_DIR, QUERY_MEMORY_LIMIT, WAREHOUSE_URL, the S3_* and
// AWS_* settings, CACHE_DIR and CACHE_BYTES.
WarehouseOptions warehouse_options_from(const Config& config);

// Time travel: which version of a table a query reads. The first that applies wins: the table's entry in
// `table_versions`, then `version`, then the version current at `as_of_ms`; without any, the latest.
struct QueryOptions {
  int64_t page = 1;
  int64_t per_page = 30;
  std::map<std::string, int64_t> table_versions;  // by table name (any case): read that table at that version
  std::optional<int64_t> version;                 // read every table as of this log version
  std::optional<int64_t> as_of_ms;                // read every table as it was at this time (ms since the epoch)
  std::chrono::milliseconds time_limit{kDefaultQueryTimeLimit};
  // Where the time limit counts from (query::QueryControl::started); empty: when the query starts.
  std::optional<std::chrono::steady_clock::time_point> started;
  std::function<bool()> cancelled;     // see query::QueryControl: true stops the query with Error(Cancelled)
  int64_t max_page_bytes = INT64_MAX;  // query::PageRequest::max_bytes
};

// One table a query read, at the snapshot it read.
struct TableRead {
  std::string name;
  int64_t id = 0;
  int64_t version = -1;
  int64_t rows = 0;  // of that version, from the log's stats
  int64_t bytes = 0;
  int64_t files = 0;          // live files of that version
  int64_t files_scanned = 0;  // those the query's view lists: the rest cannot match its WHERE (file_pruning.h)
};

struct QueryAnswer {
  query::QueryPage page;
  std::vector<std::string> tables;  // the superstore tables the query read
  std::vector<TableRead> read;      // the same tables, in the same order, with their snapshots
};

// The formats insert_file reads. CSV has a header row; JSON lines hold one object per line.
enum class FileFormat { Csv, JsonLines, Parquet };

// The format a file's name says: .csv, .jsonl / .ndjson / .json or .parquet (any letter case); throws
// Error(InvalidArgument) listing them for any other name.
FileFormat file_format_from_name(const std::filesystem::path& file);

struct InsertFileOptions {
  std::optional<FileFormat> format{};  // empty: from the file's extension
  // How error messages name the file instead of its path (e.g. "the request body" for an upload kept in
  // a temporary file); empty: its path.
  std::string display_name{};
  // Taken just before the commit and held through it (the server's per-table write lock), when set.
  std::function<std::unique_lock<std::mutex>()> commit_lock{};
};

// One part of a CSV upload cut at record ends (Warehouse::insert_csv_parts): a file that starts with the
// upload's header line, and the upload's line number of the part's first record (2 for the first part).
struct CsvPart {
  std::filesystem::path file;
  int64_t first_line = 2;
};

// One version of a table's log, as GET /table/{id}/history shows it.
struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;  // commitInfo.timestamp; 0 when the commit has none
  std::string operation;     // commitInfo.operation: CREATE TABLE, WRITE, DELETE, ...
  // Rows the commit added to and removed from the table, from the files' stats. A file rewritten in the
  // same commit counts only by its difference: rows_added = max(0, A - R), rows_removed = max(0, R - A)
  // for A rows in added files and R in removed ones. Exact for superstore's commits, which either add or
  // remove rows; a foreign commit that does both is shown by its net change.
  int64_t rows_added = 0;
  int64_t rows_removed = 0;
  int64_t files_added = 0;
  int64_t files_removed = 0;
};

// The version of a table's log that was current at `time_ms` (the newest commit whose commitInfo
// timestamp is not later), or -1 when the table's first commit is later. Commit times are taken to rise
// with the version, as the Delta protocol expects of writers; a binary search reads about log2(versions)
// commits.
int64_t version_at(const DeltaLog& log, int64_t time_ms);

class Warehouse {
 public:
  explicit Warehouse(const WarehouseOptions& options);
  ~Warehouse();
  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  catalog::Catalog& catalog();
  const WarehouseOptions& options() const;

  // Creates the table: its log (version 0: protocol and schema) first, then its catalog entry.
  catalog::TableInfo create_table(const catalog::NewTable& table);
  // Creates a table that becomes visible only with its data: `fill` adds rows through the writer, the
  // rows are committed, and only then does the catalog show the table. With `replaces`, the new table
  // takes that active table's place in one catalog transaction (the old one is dropped), so readers see
  // the old table or the new one, never neither and never a half-filled one.
  catalog::TableInfo create_table_with(const catalog::NewTable& table, const std::function<void(TableWriter&)>& fill,
                                       std::optional<int64_t> replaces = std::nullopt);
  // create_table_with in two steps, so that several tables can appear (or replace others) together:
  // build_table writes the table's log and data, which no reader sees yet (on failure it removes them
  // and throws), publish_tables registers built tables in one catalog transaction, all or none, and
  // discard_table removes a built table that will not be published.
  catalog::TablePlacement build_table(const catalog::NewTable& table, const std::function<void(TableWriter&)>& fill,
                                      std::optional<int64_t> replaces = std::nullopt);
  std::vector<catalog::TableInfo> publish_tables(const std::vector<catalog::TablePlacement>& tables);
  void discard_table(const catalog::TablePlacement& table);
  // Removes a dropped table for good: its catalog entry, then its folder. A query that has its snapshot
  // already may still be reading the files, so callers remove only tables no query can be reading
  // (see fakedata::reset). Error(Conflict) for an active table, NotFound for an unknown id.
  void purge_dropped_table(int64_t id);

  // The active table of that name; Error(NotFound) naming it otherwise.
  catalog::TableInfo table(const std::string& name, const std::string& database = "main",
                           const std::string& schema = "public");
  // The active tables called `name` in any database and schema.
  std::vector<catalog::TableInfo> tables_named(const std::string& name);

  // A writer for one insert: add() batches, then commit_insert(). Use one writer from one thread.
  std::unique_ptr<TableWriter> writer(const catalog::TableInfo& table);
  // Inserts a CSV (with a header), JSON-lines or Parquet file in one commit; the format is options.format
  // or else the extension's (file_format_from_name). Every value is checked against the table's types;
  // one bad row rejects the whole file with an error naming the line (CSV, JSON lines) and the column.
  WriteResult insert_file(const catalog::TableInfo& table, const std::filesystem::path& file,
                          const InsertFileOptions& options = {});
  // The same for a CSV that arrives in parts, read as they come: `next_part` gives the next one (waiting
  // for it if need be), nullopt after the last; its exceptions pass through unchanged. All parts lie in
  // one folder, each starts with the same header, and files are cut across parts as if they were one.
  // Errors name the upload's lines.
  WriteResult insert_csv_parts(const catalog::TableInfo& table,
                               const std::function<std::optional<CsvPart>()>& next_part,
                               const InsertFileOptions& options = {});
  // Deletes the rows matching a SQL boolean expression, in one commit. The predicate must be one
  // expression over the table's columns (query::check_row_predicate): no subqueries, no table functions,
  // nothing that reads files or other tables; Error(InvalidArgument) with DuckDB's message otherwise.
  WriteResult delete_where(const catalog::TableInfo& table, const std::string& predicate);
  // The log's versions, newest first, at most `limit` of them.
  std::vector<HistoryEntry> history(const catalog::TableInfo& table, int64_t limit);
  // Marks the table dropped; its files and log stay.
  void drop_table(int64_t id);

  // OPTIMIZE: compacts the table's small files (TableWriter::optimize) in one commit.
  WriteResult optimize(const catalog::TableInfo& table);
  // VACUUM: deletes the table's files that no version current within the retention needs, orphans of
  // killed writes older than the retention (table_vacuum.h), and dropped tables of the same database,
  // schema and name dropped longer ago than the retention. A retention below
  // WarehouseOptions::vacuum_min_retention_ms is Error(InvalidArgument): queries and writes in progress
  // read files of the version they started from, and the minimum is what keeps those (README, VACUUM).
  VacuumResult vacuum(const catalog::TableInfo& table, const VacuumOptions& options);
  TableUpkeep upkeep(const catalog::TableInfo& table);

  // The table's log replayed to `version` (latest when empty); the latest is cached.
  std::shared_ptr<const Snapshot> snapshot(const catalog::TableInfo& table, std::optional<int64_t> version = {});

  // Runs one read-only statement of user SQL in the sandbox. Table names resolve to the tables'
  // snapshots; `required_tables` must all exist (Error NotFound otherwise). Queries run on pooled
  // connections whose views are reused while their tables' snapshots stay current.
  QueryAnswer query(const std::string& sql, const QueryOptions& options,
                    const std::vector<std::string>& required_tables = {});
  // Prepares a pooled connection for `sql` as query() does (views of its tables at the versions
  // `options` asks for), then lets `run` run it: e.g. query::export_user_query, which writes the whole
  // result to a file. `run` learns the tables first, and must pass `options.cancelled` on. Returns what
  // query() returns but the page.
  QueryAnswer query_with(const std::string& sql, const QueryOptions& options,
                         const std::function<void(query::Connection& connection, const QueryAnswer& tables)>& run,
                         const std::vector<std::string>& required_tables = {});
  // DATA_DIR/tmp, absolute: where uploads and exports are written, and which the sandbox lets DuckDB use.
  const std::filesystem::path& temp_dir() const;
  // "s3://bucket/prefix" or the local warehouse folder, for messages and status.
  std::string location() const;
  // The local file cache's counters; nullopt for a local store, which has none.
  std::optional<FileCache::Stats> file_cache_stats() const;

 private:
  void remove_table_folder(const std::string& location);
  WriteResult insert_parts(const catalog::TableInfo& table, FileFormat format,
                           const std::function<std::optional<CsvPart>()>& next_part, const InsertFileOptions& options);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::storage
