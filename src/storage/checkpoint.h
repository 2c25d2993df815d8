// Delta Lake checkpoints (docs/storage-format.md, "Checkpoints"): a Parquet file
// `_delta_log/<version>.checkpoint.parquet` holding the whole table state of one version (protocol,
// metaData, one add per live file, one remove per tombstone), in the protocol's schema, so that replay can
// start there instead of at commit 0; `_delta_log/_last_checkpoint` names the newest one for other readers.
// DuckDB writes and reads the Parquet; the bytes go through the BlobStore like every file of the log.
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

// After commit `version`: writes its checkpoint when `interval` > 0 and the version is a multiple of it.
// A checkpoint only speeds up reading, so a failure is logged and swallowed: it must never fail the commit
// it follows. Returns whether a checkpoint was written.
bool checkpoint_after_commit(const query::Database& engine, blob::BlobStore& store, const DeltaLog& delta,
                             int64_t version, int64_t interval, const std::filesystem::path& temp_dir);

}  // namespace superstore::storage
