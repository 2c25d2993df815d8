// A table's transaction log, following the Delta Lake protocol (docs/storage-format.md): commit N is the
// object `<table root>/_delta_log/<N, 20 digits>.json`, created put-if-absent so that two writers racing
// for one version cannot both win. Reading replays commits 0..V (or a checkpoint, then the rest).
//
// Thread safety: a DeltaLog holds no mutable state; any number may be used from any threads.
// Errors: Error(NotFound) for a version that does not exist, Error(Internal) for a corrupt or
// unsupported log (a gap in the versions, bad JSON, an unknown reader feature), with the table root named.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_store.h"

namespace superstore::storage {

using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct DeltaField {
  std::string name;
  nlohmann::json type;  // "long", "string", ... or a nested type object for foreign tables
  bool nullable = true;
};

struct Protocol {
  int min_reader_version = 1;
  int min_writer_version = 2;
  std::vector<std::string> reader_features;
  std::vector<std::string> writer_features;
};

struct Metadata {
  std::string id;
  std::vector<DeltaField> fields;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  int64_t created_time = 0;
  std::string name;
  std::string description;
};

// Per-file statistics. min/max/null/distinct are JSON objects keyed by column name; partition columns are
// left out (their single value is in partitionValues). distinct_count is superstore's addition to the
// Delta stats document ("distinctCount"); other engines ignore it.
struct FileStats {
  int64_t num_records = 0;
  nlohmann::json min_values = nlohmann::json::object();
  nlohmann::json max_values = nlohmann::json::object();
  nlohmann::json null_count = nlohmann::json::object();
  nlohmann::json distinct_count = nlohmann::json::object();
};

struct AddFile {
  std::string path;  // decoded, relative to the table root
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<FileStats> stats;
  std::map<std::string, std::string> tags;
};

struct RemoveFile {
  std::string path;  // decoded, relative to the table root
  int64_t deletion_timestamp = 0;
  bool data_change = true;
  PartitionValues partition_values;
  int64_t size = 0;
};

struct CommitInfo {
  int64_t timestamp = 0;
  std::string operation;  // WRITE, DELETE, CREATE TABLE, ...
  nlohmann::json operation_parameters = nlohmann::json::object();
  int64_t read_version = -1;  // -1: none (the commit that creates the table)
  bool is_blind_append = false;
};

struct Commit {
  CommitInfo info;
  std::optional<Protocol> protocol;
  std::optional<Metadata> metadata;
  std::vector<AddFile> adds;
  std::vector<RemoveFile> removes;
};

struct Snapshot {
  int64_t version = -1;
  int64_t timestamp = 0;  // commitInfo.timestamp of `version`, 0 if absent
  Protocol protocol;
  Metadata metadata;
  std::vector<AddFile> files;  // live files, sorted by path
  std::vector<RemoveFile> tombstones;
  // False when read without the checkpoint's tombstones (DeltaLog::snapshot's with_tombstones): then
  // `tombstones` holds only the removes of the commits after the checkpoint. Queries need only `files`;
  // checkpoints and VACUUM need every tombstone and read them again when this is false.
  bool all_tombstones = true;

  int64_t total_rows() const;  // from stats; files without stats count 0
  int64_t total_bytes() const;
};

// Reads a Parquet checkpoint into its action objects ({"add": {...}} etc.), its remove actions only when
// `with_removes` (a checkpoint keeps the tombstones of VACUUM_RETENTION, thousands on a busy table, which
// a query does not need); optional, see DeltaLog. storage/checkpoint.h makes one with DuckDB; without
// one, replay starts from commit 0.
using CheckpointReader =
    std::function<std::vector<nlohmann::json>(const std::string& checkpoint_key, bool with_removes)>;

// The actions that make up `snapshot` as a checkpoint holds them: protocol, metaData, one add per live
// file and one remove per tombstone, each {"<action>": {...}} as in a commit file.
std::vector<nlohmann::json> snapshot_actions(const Snapshot& snapshot);

// One commit as the newline-delimited JSON the protocol wants, and back.
std::string serialize_commit(const Commit& commit);
Commit parse_commit(const std::string& text, const std::string& where);

class DeltaLog {
 public:
  // `table_root` is a blob key prefix without trailing slash, e.g. "main/public/orders-7".
  DeltaLog(blob::BlobStore& store, std::string table_root, CheckpointReader checkpoint_reader = {});

  const std::string& root() const { return root_; }
  std::string commit_key(int64_t version) const;

  // The newest committed version, or -1 when the table has no commit yet.
  int64_t latest_version() const;
  bool has_version(int64_t version) const;

  // The table as of `version` (latest when empty). With use_checkpoint and a CheckpointReader, replay
  // starts from the newest checkpoint not newer than the version; otherwise from commit 0. Without
  // with_tombstones the checkpoint's removes are not read (see Snapshot::all_tombstones).
  Snapshot snapshot(std::optional<int64_t> version = std::nullopt, bool use_checkpoint = true,
                    bool with_tombstones = true) const;

  // Applies the commits after `base` (up to and including `target`) to it: a cheap way to bring a cached
  // snapshot up to date.
  Snapshot advance(const Snapshot& base, int64_t target) const;
  // `base` brought up to the newest version by reading the commits after it until one is missing: no
  // listing and no _last_checkpoint, so its cost is that of the new commits, whatever the log's length.
  // nullopt when more than `max_commits` follow (reading snapshot(), from the newest checkpoint, is then
  // cheaper).
  std::optional<Snapshot> catch_up(const Snapshot& base, int64_t max_commits) const;

  // Writes `commit` as version `version` if no such version exists yet; false when another writer won.
  bool try_commit(int64_t version, const Commit& commit) const;

  Commit read_commit(int64_t version) const;

  // The key of the checkpoint of `version` (`<20 digits>.checkpoint.parquet`) and of _last_checkpoint.
  std::string checkpoint_key(int64_t version) const;
  std::string last_checkpoint_key() const;
  // The checkpointed versions, oldest first (lists the log).
  std::vector<int64_t> checkpoint_versions() const;
  // The checkpoint _last_checkpoint names, if it exists; -1 otherwise. No listing.
  int64_t last_checkpoint() const;

 private:
  std::vector<int64_t> list_versions(std::vector<int64_t>* checkpoints) const;

  blob::BlobStore& store_;
  std::string root_;
  CheckpointReader checkpoint_reader_;
};

// The id superstore tags each of its files with (tag "micro_partition_id"; see docs/storage-format.md); 0
// for files without one, such as those of other writers.
int64_t micro_partition_id(const AddFile& file);

// Refuses protocols this reader cannot honour (reader version 2, unknown reader features, > 3).
void check_readable(const Protocol& protocol, const std::string& where);

}  // namespace superstore::storage
