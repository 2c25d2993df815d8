// VACUUM of one table's files (internal to the storage layer; Warehouse::vacuum is the entry point, which
// also removes dropped tables). A data file is deleted when no version within the retention window needs
// it: it is not live in the latest version, and either the commit that removed it is older than the
// cutoff, or the log does not name it and it was last modified before the cutoff: an orphan of a killed
// write, or a file removed so long ago that its tombstone has expired from the checkpoints (checkpoint.h;
// such a file's last change predates its removal, so it is older than the cutoff too). Log files and
// checkpoints are never touched, so history stays complete; time travel to a version outside the window
// fails once its files are gone, as in Delta Lake.
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
  bool orphan = false;  // no tombstone names it: never committed, or removed before the tombstone retention
};

struct VacuumReport {
  std::vector<VacuumFile> files;  // deleted, or that would be with dry_run
  int64_t bytes = 0;
  // Files the log does not name whose age the store cannot tell (stores whose listing has no times):
  // kept, since a write in progress may be about to commit them.
  int64_t orphans_of_unknown_age = 0;
};

// Plans (dry_run) or carries out the vacuum of the table whose log is `log`, keeping every file that a
// version current at or after `cutoff_ms` (ms since the epoch) references. The latest snapshot's
// tombstones suffice when the retention is no longer than the tombstone retention of the checkpoint it
// starts from; otherwise (`read_window`) the removes of every commit since the cutoff are read too.
VacuumReport vacuum_files(blob::BlobStore& store, const DeltaLog& log, int64_t cutoff_ms, bool dry_run,
                          bool read_window = false);

// What vacuum_files would delete, from the latest snapshot and a listing (list_info) of the table folder
// `root`: for figures that must not list the folder every time (Warehouse::upkeep).
VacuumReport plan_vacuum(const Snapshot& latest, const std::string& root, const std::vector<blob::BlobInfo>& listing,
                         int64_t cutoff_ms);

}  // namespace superstore::storage
