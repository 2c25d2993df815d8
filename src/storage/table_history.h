// A table's log as a list of versions (internal to the storage layer; Warehouse::history is the way in).
#pragma once

#include <cstdint>
#include <vector>

#include "storage/delta_log.h"
#include "storage/warehouse.h"

namespace superstore::storage {

// Every version of `log`, newest first, at most `limit`. Rows removed are known only from the stats of the
// files a commit removes, so the log is replayed from version 0 whatever the limit: the cost grows with
// the number of versions, not with the answer.
std::vector<HistoryEntry> table_history(const DeltaLog& log, int64_t limit);

}  // namespace superstore::storage
