// An external sort of a regenerable write's keys (regenerable_writer.h): when the keys of a table outgrow
// the write's share of FAKE_DATA_MEMORY, each sorted run of them goes to a spill file in DATA_DIR/tmp as
// items of a byte-comparable key and a row number, partition by partition, and the runs are merged back
// one partition at a time as the files are written. The file has no name (it is unlinked as it is
// made), so it vanishes with the process, however that ends. Internal to the storage layer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/columns.h"

namespace superstore::storage {

// Appends row `row` of `keys` as bytes whose memcmp order is the regenerable writer's order of rows:
// column by column ascending, nulls last, NaN above every number, -0.0 equal to 0.0, strings byte by byte.
void append_sort_key(const ColumnBatch& keys, size_t row, std::string& out);

class SpillFile;

// Sorted runs of (key, row) items, each run grouped by partition number, and their merge.
class SpilledRuns {
 public:
  // The file is made in `dir`; a full disk is Error(InsufficientStorage).
  explicit SpilledRuns(const std::filesystem::path& dir);
  ~SpilledRuns();
  SpilledRuns(const SpilledRuns&) = delete;
  SpilledRuns& operator=(const SpilledRuns&) = delete;

  // A run is written partition by partition, each partition's items in order.
  void begin_partition(int32_t partition);
  void add(std::string_view key, uint64_t row);
  void end_run();
  size_t runs() const { return runs_.size(); }
  uint64_t bytes() const;

  // Appends to `out` the next `n` rows of `partition` in (key, row) order, reading with about
  // `read_bytes` of buffers in all (allocated at the first take and reused for every partition).
  // Partitions are taken one after the other, each from its first row. The runs are merged by a tree
  // of losers: one comparison per run doubling, a key compared eight bytes at a time.
  void take(int32_t partition, int64_t n, size_t read_bytes, std::vector<uint64_t>& out);

  struct Cursor;  // key_runs.cpp

 private:
  struct Segment {
    uint64_t offset = 0, end = 0;  // in the file
  };
  std::unique_ptr<SpillFile> file_;
  std::vector<std::map<int32_t, Segment>> runs_;  // by partition number
  std::map<int32_t, Segment> run_;                // the run being written
  Segment* segment_ = nullptr;                    // run_'s partition being written
  // The merge of the partition being taken: a cursor per run (its buffer kept for every partition), and
  // the tree of losers over the cursors of the runs that hold the partition (tree_[0] the winner).
  int32_t merging_ = -1;
  std::vector<std::unique_ptr<Cursor>> cursors_;
  std::vector<Cursor*> active_;
  std::vector<uint32_t> tree_;
  void start_merge(int32_t partition, size_t read_bytes);
};

// Runs spilled by regenerable writes in this process so far (tests see that a small budget spills).
uint64_t spilled_runs_total();

}  // namespace superstore::storage
