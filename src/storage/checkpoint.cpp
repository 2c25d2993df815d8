#include "storage/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/posix_file.h"
#include "common/strings.h"

namespace superstore::storage {
namespace {

using nlohmann::json;

// The checkpoint schema of the Delta protocol (the fields of each action superstore writes; Spark's
// checkpoints carry the same names, plus fields for features superstore does not use).
constexpr const char* kColumns =
    "{'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
    "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
    "dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))', "
    "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, "
    "partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)', "
    "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options "
    "MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, "
    "VARCHAR), createdTime BIGINT)', "
    "'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
    "writerFeatures VARCHAR[])'}";

// A temporary file of this process in `dir`, removed when this goes out of scope. The prefix lets the
// start-up sweep (temp_sweep.h) find what a crash left.
struct TempFile {
  std::filesystem::path path;
  TempFile(const std::filesystem::path& dir, const std::string& suffix) {
    static std::atomic<int64_t> counter{0};
    path = dir / ("checkpoint-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + suffix);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail(ErrorCode::Internal, "cannot create '" + path.string() + "': " + errno_message(errno));
  write_all(fd.get(), bytes, path.string());
  fd.close_checked(path.string());
}

std::string read_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(ErrorCode::Internal, "cannot open '" + path.string() + "': " + errno_message(errno));
  return read_all(fd.get(), path.string());
}

// Null fields of an action are fields the writer left out (Parquet has a column for every field of the
// schema); the commit parser expects them absent.
json without_nulls(const json& object) {
  json out = json::object();
  for (const auto& [k, v] : object.items()) {
    if (!v.is_null()) out[k] = v;
  }
  return out;
}

// Spark's interval text as Delta table properties hold it: "interval" and pairs of a whole number and a
// unit ("interval 1 week", "interval 2 days 12 hours"); nullopt for anything else.
std::optional<int64_t> interval_ms(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  if (!(in >> word) || lower(word) != "interval") return std::nullopt;
  static const std::map<std::string, int64_t> kUnits = {{"millisecond", 1},  {"second", 1000},
                                                        {"minute", 60'000},  {"hour", 3'600'000},
                                                        {"day", 86'400'000}, {"week", 7 * 86'400'000LL}};
  int64_t total = 0;
  bool any = false;
  long long count = 0;
  while (in >> count) {
    if (!(in >> word) || count < 0) return std::nullopt;
    word = lower(word);
    if (word.ends_with('s')) word.pop_back();
    auto unit = kUnits.find(word);
    if (unit == kUnits.end() || count > (INT64_MAX - total) / unit->second) return std::nullopt;
    total += count * unit->second;
    any = true;
  }
  if (!any || !in.eof()) return std::nullopt;
  return total;
}

}  // namespace

int64_t tombstone_retention_ms(const Metadata& metadata, int64_t retention_ms) {
  auto it = metadata.configuration.find("delta.deletedFileRetentionDuration");
  if (it == metadata.configuration.end()) return retention_ms;
  const std::optional<int64_t> table = interval_ms(it->second);
  return table ? std::max(*table, retention_ms) : INT64_MAX;
}

void drop_expired_tombstones(Snapshot& snapshot, int64_t now_ms, int64_t retention_ms) {
  if (retention_ms > now_ms) return;  // nothing is that old (and now_ms - retention_ms stays in range)
  const int64_t cutoff = now_ms - retention_ms;
  std::erase_if(snapshot.tombstones, [cutoff](const RemoveFile& t) { return t.deletion_timestamp < cutoff; });
}

CheckpointReader make_checkpoint_reader(const query::Database& engine, blob::BlobStore& store,
                                        std::filesystem::path temp_dir) {
  return [&engine, &store, temp_dir = std::move(temp_dir)](const std::string& key, bool with_removes) {
    std::optional<TempFile> copy;
    std::filesystem::path path;
    if (auto local = store.local_path(key)) {
      path = *local;
    } else {
      copy.emplace(temp_dir, ".parquet");
      write_file(copy->path, store.get(key));
      path = copy->path;
    }
    query::Connection conn(engine);
    // One row per action; to_json of the whole row gives {"txn": null, "add": {...}, ...}.
    query::Result r =
        conn.execute("SELECT CAST(to_json(t) AS VARCHAR) FROM read_parquet(" + query::quote_literal(path.string()) +
                     ") AS t" + (with_removes ? "" : " WHERE t.remove IS NULL"));
    std::vector<json> actions;
    actions.reserve(r.row_count());
    for (size_t i = 0; i < r.row_count(); ++i) {
      json row = json::parse(r.get_string(0, i), nullptr, false);
      if (!row.is_object()) fail(ErrorCode::Internal, key + ": row " + std::to_string(i) + " is not an action");
      for (const auto& [name, action] : row.items()) {
        if (action.is_object()) actions.push_back({{name, without_nulls(action)}});
      }
    }
    return actions;
  };
}

void write_checkpoint(const query::Database& engine, blob::BlobStore& store, const DeltaLog& log,
                      const Snapshot& snapshot, const std::filesystem::path& temp_dir) {
  if (!snapshot.all_tombstones) {
    fail(ErrorCode::Internal, "a checkpoint of '" + log.root() + "' was to be written without its tombstones");
  }
  const std::vector<json> actions = snapshot_actions(snapshot);
  std::string lines;
  for (const auto& a : actions) lines += a.dump() + "\n";
  TempFile source(temp_dir, ".json"), parquet(temp_dir, ".parquet");
  write_file(source.path, lines);
  query::Connection conn(engine);
  conn.execute("COPY (SELECT txn, add, remove, metaData, protocol FROM read_json(" +
               query::quote_literal(source.path.string()) + ", format = 'newline_delimited', columns = " + kColumns +
               ")) TO " + query::quote_literal(parquet.path.string()) + " (FORMAT parquet)");
  const std::string bytes = read_file(parquet.path);
  store.put(log.checkpoint_key(snapshot.version), bytes);
  const json last = {{"version", snapshot.version},
                     {"size", actions.size()},
                     {"sizeInBytes", bytes.size()},
                     {"numOfAddFiles", snapshot.files.size()}};
  store.put(log.last_checkpoint_key(), last.dump());
}

bool checkpoint_after_commit(const query::Database& engine, blob::BlobStore& store, const DeltaLog& delta,
                             const Snapshot& base, int64_t version, int64_t interval, int64_t retention_ms,
                             const std::filesystem::path& temp_dir) {
  if (interval <= 0 || version <= 0 || version % interval != 0) return false;
  try {
    // A base read for queries lacks the older checkpoint's tombstones: those are read again here, once
    // per checkpoint interval.
    Snapshot state = base.all_tombstones ? delta.advance(base, version) : delta.snapshot(version);
    drop_expired_tombstones(state, now_ms(), tombstone_retention_ms(state.metadata, retention_ms));
    write_checkpoint(engine, store, delta, state, temp_dir);
    return true;
  } catch (const std::exception& e) {
    log::warn("could not write the checkpoint of version " + std::to_string(version) + " of '" + delta.root() +
              "' (the commit stands; replay starts from an older checkpoint): " + e.what());
    return false;
  }
}

}  // namespace superstore::storage
