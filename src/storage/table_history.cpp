#include "storage/table_history.h"

#include <algorithm>
#include <cstdint>
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
    // Sums saturate and negative counts read as 0: a log written by another tool may hold any numbers.
    auto add = [](int64_t& sum, int64_t rows) {
      if (__builtin_add_overflow(sum, std::max<int64_t>(0, rows), &sum)) sum = INT64_MAX;
    };
    int64_t added = 0, removed = 0;
    for (const auto& r : c.removes) {
      auto it = live_rows.find(r.path);
      if (it == live_rows.end()) continue;
      add(removed, it->second);
      live_rows.erase(it);
    }
    for (const auto& a : c.adds) {
      const int64_t rows = a.stats ? std::max<int64_t>(0, a.stats->num_records) : 0;
      add(added, rows);
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
