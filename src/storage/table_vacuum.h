// VACUUM of one table's files (internal to the storage layer; Warehouse::vacuum is the entry point, which
// also removes dropped tables). A data file is deleted when no version within the retention window needs
// it: it is not live in the latest version, and either the commit that removed it is older than the
// cutoff, or no commit ever added it (an orphan of a killed write) and it was last modified before the
// cutoff. Log files and checkpoints are never touched, so history stays complete; time travel to a version
// outside the window fails once its files are gone, as in Delta Lake.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "storage/delta_log.h"

namespace superstore::storage {

struct VacuumFile {
  std::string path;  // relative to the table root
  int64_t bytes = 0;
  bool orphan = false;  // written by a write that never committed it
};

struct VacuumReport {
  std::vector<VacuumFile> files;  // deleted, or that would be with dry_run
  int64_t bytes = 0;
  // Files no commit added whose age the store cannot tell (stores without local paths): kept, since a
  // write in progress may be about to commit them.
  int64_t orphans_of_unknown_age = 0;
};

// Plans (dry_run) or carries out the vacuum of the table whose log is `log`, keeping every file that a
// version current at or after `cutoff_ms` (ms since the epoch) references.
VacuumReport vacuum_files(blob::BlobStore& store, const DeltaLog& log, int64_t cutoff_ms, bool dry_run);

}  // namespace superstore::storage
