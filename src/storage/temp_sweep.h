// What a crash leaves in DATA_DIR/tmp: uploads being received (upload-*), results being sent (result-*,
// Parquet ones among them), checkpoints being made (checkpoint-*), which their requests would have
// removed, and spill files of sorted keys (spill-*: a fake-data write's, named only for the moment between
// making and unlinking them where the file system lacks O_TMPFILE; see key_runs.h). The server sweeps
// them at start.
#pragma once

#include <cstdint>
#include <filesystem>

namespace superstore::storage {

struct SweepReport {
  int64_t files = 0;
  int64_t bytes = 0;
};

// Removes the regular files of `dir` (not below it) whose names start with "upload-", "result-",
// "checkpoint-" or "spill-" and that were last modified before `started`: files of our own making that no request of
// this process can be using. Anything else there (DuckDB's spill files, a user's file) is left alone. Files that vanish
// meanwhile or cannot be removed are skipped.
SweepReport sweep_temp_dir(const std::filesystem::path& dir, std::filesystem::file_time_type started);

}  // namespace superstore::storage
