// Rows in columnar form: how data travels from generators, JSON bodies and files into the write path.
// A Column stores every integer-like type (Int16/Int32/Int64, Boolean as 0/1, Timestamp in µs, Date in
// days) as int64, Float64 as double, and strings back to back in one buffer with offsets, so that
// building a million-row batch makes no per-value allocation.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/types.h"

namespace superstore {

class Column {
 public:
  explicit Column(ColumnType type) : type_(type) {}

  ColumnType type() const { return type_; }
  size_t size() const { return size_; }
  void reserve(size_t rows);
  // Room for this many bytes of strings in all (String columns).
  void reserve_chars(size_t bytes) { chars_.reserve(bytes); }
  // Removes every row but keeps the buffers, for a column filled again and again.
  void clear();

  void push_int(int64_t v) {
    ints_.push_back(v);
    mark_valid();
  }
  void push_double(double v) {
    doubles_.push_back(v);
    mark_valid();
  }
  void push_string(std::string_view v) {
    chars_.append(v);
    offsets_.push_back(chars_.size());
    mark_valid();
  }
  void push_bool(bool v) { push_int(v ? 1 : 0); }
  // Appends `n` values, none null, in bulk (readers of DuckDB vectors): ints from any integer type, or
  // doubles in a Float64 column.
  template <typename T>
  void append_values(const T* values, size_t n) {
    if constexpr (std::is_same_v<T, double>) {
      doubles_.insert(doubles_.end(), values, values + n);
    } else {
      ints_.insert(ints_.end(), values, values + n);
    }
    if (!nulls_.empty()) nulls_.resize(size_ + n, 0);
    size_ += n;
  }
  // Appends `n` strings, none null, in bulk (readers of DuckDB vectors): `at(i)` gives the i-th as a
  // string_view. Their bytes are counted first, so that the buffer grows once a call, not once a value.
  template <typename At>
  void append_strings(size_t n, At at) {
    size_t bytes = 0;
    for (size_t i = 0; i < n; ++i) bytes += at(i).size();
    size_t end = chars_.size();
    chars_.resize(end + bytes);
    char* out = chars_.data();
    const size_t first = offsets_.size();
    offsets_.resize(first + n);
    for (size_t i = 0; i < n; ++i) {
      const std::string_view v = at(i);
      if (!v.empty()) std::memcpy(out + end, v.data(), v.size());
      end += v.size();
      offsets_[first + i] = end;
    }
    if (!nulls_.empty()) nulls_.resize(size_ + n, 0);
    size_ += n;
  }
  void push_null();
  // Appends every row of `other`, which must have this column's type.
  void append(const Column& other);
  // A new column of the given rows of this one, in that order. A run of consecutive rows is copied in
  // bulk.
  Column take(std::span<const uint64_t> rows) const;

  bool is_null(size_t row) const { return !nulls_.empty() && nulls_[row] != 0; }
  bool has_nulls() const { return !nulls_.empty(); }
  int64_t int_at(size_t row) const { return ints_[row]; }
  double double_at(size_t row) const { return doubles_[row]; }
  std::string_view string_at(size_t row) const {
    return std::string_view(chars_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }

  // Bytes of all strings together (String columns).
  size_t chars_size() const { return chars_.size(); }
  // All strings back to back (String columns): string_at(row) lies inside it.
  std::string_view chars() const { return chars_; }
  // Raw access for bulk copies (e.g. into a DuckDB data chunk).
  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }

 private:
  Column slice(size_t begin, size_t count) const;
  void mark_valid() {
    if (!nulls_.empty()) nulls_.push_back(0);
    ++size_;
  }

  ColumnType type_;
  size_t size_ = 0;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::string chars_;
  std::vector<uint64_t> offsets_{0};
  std::vector<uint8_t> nulls_;  // empty while no null was pushed; then one byte a row, 1 = null
};

// A set of equally long columns with names, in table column order.
struct ColumnBatch {
  std::vector<ColumnDef> schema;
  std::vector<Column> columns;

  ColumnBatch() = default;
  explicit ColumnBatch(const std::vector<ColumnDef>& defs);
  size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
  Column& operator[](size_t i) { return columns[i]; }
  const Column& operator[](size_t i) const { return columns[i]; }
  // Index of the column called `name`; throws Error(NotFound) when absent.
  size_t index_of(std::string_view name) const;
  // A new batch of the given rows, in that order.
  ColumnBatch take(std::span<const uint64_t> rows) const;
};

}  // namespace superstore
