#include "common/columns.h"

#include "common/error.h"

namespace superstore {

void Column::reserve(size_t rows) {
  switch (type_) {
    case ColumnType::Float64:
      doubles_.reserve(rows);
      break;
    case ColumnType::String:
      offsets_.reserve(rows + 1);
      break;
    default:
      ints_.reserve(rows);
      break;
  }
}

void Column::clear() {
  size_ = 0;
  ints_.clear();
  doubles_.clear();
  chars_.clear();
  offsets_.assign(1, 0);
  nulls_.clear();
}

void Column::push_null() {
  // A null keeps a placeholder value so every row has a slot in the value vector.
  if (nulls_.empty()) nulls_.assign(size_, 0);
  switch (type_) {
    case ColumnType::Float64:
      doubles_.push_back(0);
      break;
    case ColumnType::String:
      offsets_.push_back(chars_.size());
      break;
    default:
      ints_.push_back(0);
      break;
  }
  nulls_.push_back(1);
  ++size_;
}

void Column::append(const Column& other) {
  if (other.type_ != type_) fail(ErrorCode::Internal, "cannot append a column of another type");
  if (other.has_nulls() || has_nulls()) {
    if (nulls_.empty()) nulls_.assign(size_, 0);
    if (other.nulls_.empty()) {
      nulls_.resize(size_ + other.size_, 0);
    } else {
      nulls_.insert(nulls_.end(), other.nulls_.begin(), other.nulls_.end());
    }
  }
  switch (type_) {
    case ColumnType::Float64:
      doubles_.insert(doubles_.end(), other.doubles_.begin(), other.doubles_.end());
      break;
    case ColumnType::String: {
      const uint64_t base = chars_.size();
      chars_.append(other.chars_);
      offsets_.reserve(offsets_.size() + other.size_);
      for (size_t i = 1; i < other.offsets_.size(); ++i) offsets_.push_back(base + other.offsets_[i]);
      break;
    }
    default:
      ints_.insert(ints_.end(), other.ints_.begin(), other.ints_.end());
      break;
  }
  size_ += other.size_;
}

Column Column::slice(size_t begin, size_t count) const {
  Column out(type_);
  const auto from = static_cast<std::ptrdiff_t>(begin), to = static_cast<std::ptrdiff_t>(begin + count);
  switch (type_) {
    case ColumnType::Float64:
      out.doubles_.assign(doubles_.begin() + from, doubles_.begin() + to);
      break;
    case ColumnType::String: {
      const uint64_t base = offsets_[begin];
      out.chars_.assign(chars_, base, offsets_[begin + count] - base);
      out.offsets_.resize(count + 1);
      for (size_t i = 0; i <= count; ++i) out.offsets_[i] = offsets_[begin + i] - base;
      break;
    }
    default:
      out.ints_.assign(ints_.begin() + from, ints_.begin() + to);
      break;
  }
  if (has_nulls()) out.nulls_.assign(nulls_.begin() + from, nulls_.begin() + to);
  out.size_ = count;
  return out;
}

Column Column::take(std::span<const uint64_t> rows) const {
  bool run = !rows.empty();
  for (size_t i = 1; run && i < rows.size(); ++i) run = rows[i] == rows[0] + i;
  if (run) return slice(rows[0], rows.size());
  Column out(type_);
  out.reserve(rows.size());
  switch (type_) {
    case ColumnType::Float64:
      for (uint64_t r : rows) out.doubles_.push_back(doubles_[r]);
      break;
    case ColumnType::String: {
      size_t bytes = 0;
      for (uint64_t r : rows) bytes += offsets_[r + 1] - offsets_[r];
      out.chars_.reserve(bytes);
      for (uint64_t r : rows) {
        out.chars_.append(chars_, offsets_[r], offsets_[r + 1] - offsets_[r]);
        out.offsets_.push_back(out.chars_.size());
      }
      break;
    }
    default:
      for (uint64_t r : rows) out.ints_.push_back(ints_[r]);
      break;
  }
  if (has_nulls()) {
    out.nulls_.reserve(rows.size());
    for (uint64_t r : rows) out.nulls_.push_back(nulls_[r]);
  }
  out.size_ = rows.size();
  return out;
}

ColumnBatch ColumnBatch::take(std::span<const uint64_t> rows) const {
  ColumnBatch out;
  out.schema = schema;
  out.columns.reserve(columns.size());
  for (const auto& c : columns) out.columns.push_back(c.take(rows));
  return out;
}

ColumnBatch::ColumnBatch(const std::vector<ColumnDef>& defs) : schema(defs) {
  columns.reserve(defs.size());
  for (const auto& d : defs) columns.emplace_back(d.type);
}

size_t ColumnBatch::index_of(std::string_view name) const {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return i;
  }
  fail(ErrorCode::NotFound, "no column '" + std::string(name) + "'");
}

}  // namespace superstore
