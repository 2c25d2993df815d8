#include "storage/table_history.h"

#include <algorithm>
#include <map>
#include <string>

namespace superstore::storage {

std::vector<HistoryEntry> table_history(const DeltaLog& log, int64_t limit) {
  std::vector<HistoryEntry> out;
  std::map<std::string, int64_t> live_rows;  // rows of each live file, by path
  const int64_t latest = log.latest_version();
  for (int64_t v = 0; v <= latest; ++v) {
    const Commit c = log.read_commit(v);
    HistoryEntry e;
    e.version = v;
    e.timestamp_ms = c.info.timestamp;
    e.operation = c.info.operation;
    int64_t added = 0, removed = 0;
    for (const auto& r : c.removes) {
      auto it = live_rows.find(r.path);
      if (it == live_rows.end()) continue;
      removed += it->second;
      live_rows.erase(it);
    }
    for (const auto& a : c.adds) {
      const int64_t rows = a.stats ? a.stats->num_records : 0;
      added += rows;
      live_rows[a.path] = rows;
    }
    e.rows_added = std::max<int64_t>(0, added - removed);
    e.rows_removed = std::max<int64_t>(0, removed - added);
    e.files_added = static_cast<int64_t>(c.adds.size());
    e.files_removed = static_cast<int64_t>(c.removes.size());
    out.push_back(std::move(e));
  }
  std::reverse(out.begin(), out.end());
  if (limit >= 0 && static_cast<int64_t>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
  return out;
}

}  // namespace superstore::storage
