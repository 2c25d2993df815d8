// Delta Lake checkpoints (docs/storage-format.md, "Checkpoints"): a Parquet file
// `_delta_log/<version>.checkpoint.parquet` holding the whole table state of one version (protocol,
// metaData, one add per live file, one remove per tombstone), in the protocol's schema, so that replay can
// start there instead of at commit 0; `_delta_log/_last_checkpoint` names the newest one for other readers.
// DuckDB writes and reads the Parquet; the bytes go through the BlobStore like every file of the log.
// Tombstones expire: as the protocol allows, a remove older than the tombstone retention (the longer of
// VACUUM_RETENTION and the table's delta.deletedFileRetentionDuration) is left out, so that a checkpoint
// holds the live files and the recent removes, not every file the table ever had.
// Internal to the storage layer.
#pragma once

#include <cstdint>
#include <filesystem>

#include "blob/blob_store.h"
#include "query/database.h"
#include "storage/delta_log.h"

namespace superstore::storage {

// A CheckpointReader on `engine`. Checkpoints of a local store are read in place; others are fetched into
// a temporary file in `temp_dir` first. Both must be folders the engine may read.
CheckpointReader make_checkpoint_reader(const query::Database& engine, blob::BlobStore& store,
                                        std::filesystem::path temp_dir);

// Writes the checkpoint of `snapshot` into `log`, then _last_checkpoint. The Parquet is made in
// `temp_dir` and put whole, so readers never see half a checkpoint. Throws on failure.
void write_checkpoint(const query::Database& engine, blob::BlobStore& store, const DeltaLog& log,
                      const Snapshot& snapshot, const std::filesystem::path& temp_dir);

// How long a tombstone is kept: `retention_ms` (VACUUM_RETENTION), or the table's
// delta.deletedFileRetentionDuration ("interval 1 week", "interval 36 hours", ...) when that is longer;
// INT64_MAX (forever) when that property is set but unreadable.
int64_t tombstone_retention_ms(const Metadata& metadata, int64_t retention_ms);
// Drops the tombstones of files removed more than `retention_ms` before `now_ms`.
void drop_expired_tombstones(Snapshot& snapshot, int64_t now_ms, int64_t retention_ms);

// After commit `version`, made on top of `base` (the snapshot the writer started from): writes the
// checkpoint of `version` when `interval` > 0 and the version is a multiple of it, without the tombstones
// older than the retention (tombstone_retention_ms of `retention_ms`). The state comes from `base` and
// the commits after it, so its cost does not grow with the log. A checkpoint only speeds up reading, so
// a failure is logged and swallowed: it must never fail the commit it follows. Returns whether a
// checkpoint was written.
bool checkpoint_after_commit(const query::Database& engine, blob::BlobStore& store, const DeltaLog& delta,
                             const Snapshot& base, int64_t version, int64_t interval, int64_t retention_ms,
                             const std::filesystem::path& temp_dir);

}  // namespace superstore::storage
