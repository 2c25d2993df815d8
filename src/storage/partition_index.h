// Numbers the partitions a write's rows go to. The write path stages each row with its partition's
// number, so that cutting the rows into partitions filters (and clusters by) one integer column
// instead of comparing strings. Internal to the storage layer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/columns.h"
#include "query/database.h"
#include "storage/delta_log.h"

namespace superstore::storage {

class PartitionIndex {
 public:
  // `table` names the table in errors.
  PartitionIndex(std::vector<ColumnDef> partition_columns, std::string table);

  // The partition number of each row of `batch` (which has every column of the table). Throws
  // Error(InvalidArgument) for an empty-string partition value, which Delta readers would take for null.
  std::vector<int32_t> number_rows(const ColumnBatch& batch);
  // The number of the partition with these values (as the Delta log spells them), new or known.
  int32_t number_of(const PartitionValues& values);
  // The values of the partition numbered `n`.
  const PartitionValues& values(int32_t n) const { return values_.at(static_cast<size_t>(n)); }
  // The partition of row `row` of `r`, whose columns from `first` on are the partition columns.
  PartitionValues values_of(const query::Result& r, size_t row, size_t first = 0) const;

 private:
  std::vector<ColumnDef> columns_;
  std::string table_;
  std::map<PartitionValues, int32_t> numbers_;
  std::vector<PartitionValues> values_;
  std::unordered_map<std::string, int32_t> by_raw_key_;  // the row's raw values, encoded; a cache
};

}  // namespace superstore::storage
