#include "storage/partition_index.h"

#include <optional>
#include <string_view>

#include "common/error.h"

namespace superstore::storage {
namespace {

// A partition value as the Delta log spells it (see docs/storage-format.md).
std::string text_of(const Column& c, size_t row, ColumnType type) {
  switch (type) {
    case ColumnType::Boolean:
      return c.int_at(row) ? "true" : "false";
    case ColumnType::Date:
      return format_date_days(static_cast<int32_t>(c.int_at(row)));
    case ColumnType::String:
      return std::string(c.string_at(row));
    default:
      return std::to_string(c.int_at(row));
  }
}

void append_raw(std::string& key, const Column& c, size_t row, ColumnType type) {
  if (c.is_null(row)) {
    key += '\0';
    return;
  }
  key += '\1';
  if (type == ColumnType::String) {
    std::string_view v = c.string_at(row);
    uint64_t n = v.size();
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(v);
  } else {
    int64_t v = c.int_at(row);
    key.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
}

// The same for column `col` of `r`, not NULL at `row`.
std::string text_of(const query::Result& r, size_t col, size_t row, const ColumnDef& c) {
  switch (c.type) {
    case ColumnType::Boolean:
      return r.get_bool(col, row) ? "true" : "false";
    case ColumnType::Date:
      return format_date_days(static_cast<int32_t>(r.get_int64(col, row)));
    case ColumnType::String:
      return r.get_string(col, row);
    default:
      return std::to_string(r.get_int64(col, row));
  }
}

}  // namespace

PartitionIndex::PartitionIndex(std::vector<ColumnDef> partition_columns, std::string table)
    : columns_(std::move(partition_columns)), table_(std::move(table)) {}

int32_t PartitionIndex::number_of(const PartitionValues& values) {
  auto [it, added] = numbers_.emplace(values, static_cast<int32_t>(values_.size()));
  if (!added) return it->second;
  for (const auto& c : columns_) {
    const auto& v = values.at(c.name);
    if (c.type == ColumnType::String && v && v->empty()) {
      numbers_.erase(it);
      fail(ErrorCode::InvalidArgument, "table '" + table_ + "': partition key '" + c.name +
                                           "' cannot hold an empty string (Delta readers take it for null); use "
                                           "NULL or a non-empty value");
    }
  }
  values_.push_back(values);
  return it->second;
}

std::vector<int32_t> PartitionIndex::number_rows(const ColumnBatch& batch) {
  std::vector<int32_t> numbers;
  const size_t rows = batch.rows();
  numbers.reserve(rows);
  std::vector<std::pair<const Column*, ColumnType>> cols;
  for (const auto& c : columns_) cols.emplace_back(&batch[batch.index_of(c.name)], c.type);
  std::string key;
  for (size_t row = 0; row < rows; ++row) {
    key.clear();
    for (const auto& [col, type] : cols) append_raw(key, *col, row, type);
    auto it = by_raw_key_.find(key);
    if (it == by_raw_key_.end()) {
      PartitionValues values;
      for (size_t i = 0; i < cols.size(); ++i) {
        const Column& col = *cols[i].first;
        values[columns_[i].name] = col.is_null(row) ? std::nullopt : std::optional(text_of(col, row, cols[i].second));
      }
      it = by_raw_key_.emplace(key, number_of(values)).first;
    }
    numbers.push_back(it->second);
  }
  return numbers;
}

PartitionValues PartitionIndex::values_of(const query::Result& r, size_t row, size_t first) const {
  PartitionValues values;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const auto& c = columns_[i];
    values[c.name] = r.is_null(first + i, row) ? std::nullopt : std::optional(text_of(r, first + i, row, c));
  }
  return values;
}

}  // namespace superstore::storage
