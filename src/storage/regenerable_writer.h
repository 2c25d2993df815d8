// Writes rows that their source can produce again (TableWriter::add_regenerable) without staging them:
// pass one reads every row's partition and sort keys once and keeps its partition number and sort key
// values; the row numbers are then sorted per partition (in C++, partitions side by side), cut into
// files of the target size (an average row's size measured on a sample of whole rows), and pass two
// fetches each file's rows in their final order, measures them in C++ and hands them to DuckDB's
// Parquet writer through a batch scan, several files at once. Internal to the storage layer.
//
// Memory stays bounded at any row count: the keys take a share of FAKE_DATA_MEMORY
// (TableContext::key_memory, shared by the writes of a process); when they outgrow it, each full run is
// sorted as above and spilled to DATA_DIR/tmp (key_runs.h), and pass two merges the runs as it hands
// out files, in order. The order of rows (sort keys, then row number) and the file cuts (from each
// partition's row count) do not depend on the runs, so the files are the same whether anything spilled.
#pragma once

#include <vector>

#include "storage/delta_log.h"
#include "storage/file_writer.h"
#include "storage/partition_index.h"
#include "storage/write_types.h"

namespace superstore::storage {

// Writes every row of `rows` and returns the files' add actions (stats filled in), in partition-value
// order. `partitions` is setup.partitions, numbered here as rows are read.
std::vector<AddFile> write_regenerable(const FileWriterSetup& setup, PartitionIndex& partitions,
                                       const RegenerableRows& rows);

}  // namespace superstore::storage
