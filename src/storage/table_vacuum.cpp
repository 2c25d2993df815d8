#include "storage/table_vacuum.h"

#include <sys/stat.h>

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

// When the file was last modified (ms since the epoch), if the store is local.
std::optional<int64_t> modified_ms(blob::BlobStore& store, const std::string& key) {
  auto path = store.local_path(key);
  if (!path) return std::nullopt;
  struct stat st {};
  if (::stat(path->c_str(), &st) != 0) return std::nullopt;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

}  // namespace

VacuumReport vacuum_files(blob::BlobStore& store, const DeltaLog& log, int64_t cutoff_ms, bool dry_run) {
  // The snapshot comes before the listing: a file committed in between is not live in it, but it is
  // younger than any cutoff a sane retention gives, so the age check keeps it.
  const Snapshot latest = log.snapshot();
  std::set<std::string> live;
  for (const auto& f : latest.files) live.insert(f.path);
  std::map<std::string, int64_t> removed_at;  // tombstones: path -> when the commit removing it landed
  for (const auto& t : latest.tombstones) removed_at[t.path] = t.deletion_timestamp;

  VacuumReport report;
  const std::string prefix = log.root() + "/";
  for (const auto& key : store.list(prefix)) {
    const std::string relative = key.substr(prefix.size());
    if (!is_data_file(relative) || live.count(relative)) continue;
    auto tombstone = removed_at.find(relative);
    const bool orphan = tombstone == removed_at.end();
    if (!orphan && tombstone->second >= cutoff_ms) continue;
    if (orphan) {
      const std::optional<int64_t> modified = modified_ms(store, key);
      if (!modified) {
        ++report.orphans_of_unknown_age;
        continue;
      }
      if (*modified >= cutoff_ms) continue;  // perhaps a write in progress
    }
    VacuumFile file{relative, 0, orphan};
    try {
      file.bytes = static_cast<int64_t>(store.size(key));
    } catch (const Error& e) {
      if (e.code() != ErrorCode::NotFound) throw;
      continue;  // another vacuum was faster
    }
    if (!dry_run) {
      store.remove(key);
      // Test hook: ends the process as kill -9 would, half-way through (tests/upkeep_cli_test.cpp).
      if (std::getenv("SUPERSTORE_CRASH_DURING_VACUUM")) std::raise(SIGKILL);
    }
    report.bytes += file.bytes;
    report.files.push_back(std::move(file));
  }
  return report;
}

}  // namespace superstore::storage
