#include "storage/table_vacuum.h"

#include <csignal>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "common/error.h"

namespace superstore::storage {
namespace {

// Data files only: Parquet, outside the log, and not hidden ("_" or "." starts a name other writers keep
// for themselves, such as _delta_log, _change_data or Spark's .crc files).
bool is_data_file(const std::string& relative) {
  if (relative.size() < 8 || relative.compare(relative.size() - 8, 8, ".parquet") != 0) return false;
  size_t start = 0;
  while (start < relative.size()) {
    if (relative[start] == '_' || relative[start] == '.') return false;
    const size_t slash = relative.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

// tombstones: path -> when the commit removing it landed
using Removed = std::map<std::string, int64_t>;

Removed tombstones_of(const Snapshot& latest) {
  Removed removed_at;
  for (const auto& t : latest.tombstones) removed_at[t.path] = t.deletion_timestamp;
  return removed_at;
}

// The removes of the commits made since `cutoff_ms`, newest first until an older commit: the tombstones a
// vacuum with a retention longer than the checkpoints' keeps must know (their checkpoint dropped them).
void add_window_removes(const DeltaLog& log, int64_t latest, int64_t cutoff_ms, Removed& removed_at) {
  for (int64_t v = latest; v >= 0; --v) {
    const Commit c = log.read_commit(v);
    if (c.info.timestamp < cutoff_ms) break;
    for (const auto& r : c.removes) {
      auto [it, added] = removed_at.emplace(r.path, r.deletion_timestamp);
      if (!added) it->second = std::max(it->second, r.deletion_timestamp);
    }
  }
}

VacuumReport plan(const Snapshot& latest, const Removed& removed_at, const std::string& root,
                  const std::vector<blob::BlobInfo>& listing, int64_t cutoff_ms) {
  std::set<std::string> live;
  for (const auto& f : latest.files) live.insert(f.path);
  VacuumReport report;
  const std::string prefix = root + "/";
  for (const auto& blob : listing) {
    if (!blob.key.starts_with(prefix)) continue;
    const std::string relative = blob.key.substr(prefix.size());
    if (!is_data_file(relative) || live.count(relative)) continue;
    auto tombstone = removed_at.find(relative);
    const bool orphan = tombstone == removed_at.end();
    if (!orphan && tombstone->second >= cutoff_ms) continue;
    if (orphan) {
      if (!blob.modified_ms) {
        ++report.orphans_of_unknown_age;
        continue;
      }
      if (*blob.modified_ms >= cutoff_ms) continue;  // perhaps a write in progress
    }
    report.bytes += static_cast<int64_t>(blob.size);
    report.files.push_back({relative, static_cast<int64_t>(blob.size), orphan});
  }
  return report;
}

}  // namespace

VacuumReport plan_vacuum(const Snapshot& latest, const std::string& root, const std::vector<blob::BlobInfo>& listing,
                         int64_t cutoff_ms) {
  return plan(latest, tombstones_of(latest), root, listing, cutoff_ms);
}

VacuumReport vacuum_files(blob::BlobStore& store, const DeltaLog& log, int64_t cutoff_ms, bool dry_run,
                          bool read_window) {
  // The snapshot comes before the listing: a file committed in between is not live in it, but it is
  // younger than any cutoff a sane retention gives, so the age check keeps it.
  const Snapshot latest = log.snapshot();
  Removed removed_at = tombstones_of(latest);
  if (read_window) add_window_removes(log, latest.version, cutoff_ms, removed_at);
  VacuumReport report = plan(latest, removed_at, log.root(), store.list_info(log.root() + "/"), cutoff_ms);
  if (!dry_run) {
    for (const auto& file : report.files) {
      store.remove(log.root() + "/" + file.path);  // already gone (another vacuum) is no error
      // Test hook: ends the process as kill -9 would, half-way through (tests/upkeep_cli_test.cpp).
      if (std::getenv("SUPERSTORE_CRASH_DURING_VACUUM")) std::raise(SIGKILL);
    }
  }
  return report;
}

}  // namespace superstore::storage
