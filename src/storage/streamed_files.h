// Writes rows that need no order inside their files (tables without sort keys) as they arrive: each
// partition's rows are held until they make one file of the target size, which writer threads then
// measure and write while the reader goes on reading. An import of such a table so reads and writes at
// the same time, and holds a few files' rows instead of a whole round (TableWriter::add_select).
// Internal to the storage layer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/columns.h"
#include "storage/delta_log.h"
#include "storage/file_writer.h"
#include "storage/partition_index.h"

namespace superstore::storage {

class StreamedFiles {
 public:
  // `partitions` is setup.partitions, numbered here (on the caller's thread only) as rows arrive. The
  // rows held, over all partitions, stay below about `held_bytes` (raw_size): beyond, the partition
  // holding most is written early as a smaller file.
  StreamedFiles(const FileWriterSetup& setup, PartitionIndex& partitions, int64_t held_bytes);
  // Stops the writers; the files of a StreamedFiles that did not finish() are removed.
  ~StreamedFiles();
  StreamedFiles(const StreamedFiles&) = delete;
  StreamedFiles& operator=(const StreamedFiles&) = delete;

  // The batch the caller fills with rows of the table's columns (query::read_batches' `into`); call
  // took_rows() after each fill. Its rows may move elsewhere then, so read nothing of it after.
  ColumnBatch& incoming() { return *incoming_; }
  // Takes the rows added to incoming(); hands full files to the writers, and rethrows a writer's failure.
  void took_rows();

  // Whether no file was written and the rows held make one file at most: the caller may then stage them
  // (held()) instead, so that small imports merge with the newest small file as other small inserts do.
  bool fits_one_file() const;
  // The rows held, by partition (fits_one_file()).
  std::vector<ColumnBatch*> held();
  // Writes every partition's remaining rows and returns the add actions of all files, in the order they
  // were handed out. The files are the caller's to remove if it does not commit them.
  std::vector<AddFile> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ColumnBatch* incoming_;
};

}  // namespace superstore::storage
