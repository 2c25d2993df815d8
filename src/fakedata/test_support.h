// Helpers shared by the fakedata tests.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

#include "common/columns.h"
#include "fakedata/fakedata.h"

namespace superstore::fakedata::testing {

// Whether cell `i` of `a` and cell `j` of `b` hold the same value, doubles compared bit for bit.
inline bool same_cell(const Column& a, size_t i, const Column& b, size_t j) {
  if (a.type() != b.type() || a.is_null(i) != b.is_null(j)) return false;
  switch (a.type()) {
    case ColumnType::Float64:
      return std::bit_cast<uint64_t>(a.double_at(i)) == std::bit_cast<uint64_t>(b.double_at(j));
    case ColumnType::String:
      return a.string_at(i) == b.string_at(j);
    default:
      return a.int_at(i) == b.int_at(j);
  }
}

// Rows [a_begin, a_begin + n) of `a` equal rows [b_begin, b_begin + n) of `b`, schemas included.
inline ::testing::AssertionResult same_rows(const ColumnBatch& a, size_t a_begin, const ColumnBatch& b, size_t b_begin,
                                            size_t n) {
  if (a.schema != b.schema) return ::testing::AssertionFailure() << "schemas differ";
  if (a.rows() < a_begin + n || b.rows() < b_begin + n) return ::testing::AssertionFailure() << "too few rows";
  for (size_t c = 0; c < a.columns.size(); ++c) {
    for (size_t r = 0; r < n; ++r) {
      if (!same_cell(a[c], a_begin + r, b[c], b_begin + r)) {
        return ::testing::AssertionFailure() << "column " << a.schema[c].name << " differs at row " << r;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult same_batches(const ColumnBatch& a, const ColumnBatch& b) {
  if (a.rows() != b.rows()) {
    return ::testing::AssertionFailure() << "row counts differ: " << a.rows() << " vs " << b.rows();
  }
  return same_rows(a, 0, b, 0, a.rows());
}

// Appends the rows of `part` to `whole` (same schema).
inline void append(ColumnBatch& whole, const ColumnBatch& part) {
  if (whole.columns.empty()) whole = ColumnBatch(part.schema);
  for (size_t c = 0; c < part.columns.size(); ++c) {
    for (size_t r = 0; r < part.rows(); ++r) {
      if (part[c].is_null(r)) {
        whole[c].push_null();
        continue;
      }
      switch (part[c].type()) {
        case ColumnType::Float64:
          whole[c].push_double(part[c].double_at(r));
          break;
        case ColumnType::String:
          whole[c].push_string(part[c].string_at(r));
          break;
        default:
          whole[c].push_int(part[c].int_at(r));
          break;
      }
    }
  }
}

// FNV-1a over every value and its column's name, integers fed little-endian: a fingerprint of a batch's
// exact content that is the same on every platform.
inline uint64_t digest(const ColumnBatch& batch) {
  uint64_t h = 0xCBF29CE484222325ULL;
  const auto byte = [&](unsigned char b) {
    h ^= b;
    h *= 0x100000001B3ULL;
  };
  const auto word = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  };
  const auto text = [&](std::string_view s) {
    word(s.size());
    for (char c : s) byte(static_cast<unsigned char>(c));
  };
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    text(batch.schema[c].name);
    const Column& col = batch[c];
    for (size_t r = 0; r < col.size(); ++r) {
      switch (col.type()) {
        case ColumnType::Float64:
          word(std::bit_cast<uint64_t>(col.double_at(r)));
          break;
        case ColumnType::String:
          text(col.string_at(r));
          break;
        default:
          word(static_cast<uint64_t>(col.int_at(r)));
          break;
      }
    }
  }
  return h;
}

inline ColumnBatch whole_table(std::string_view name, const Params& params = {}) {
  const FakeTable& table = find_table(name);
  return generate(table, params, 0, table.spec.rows(params));
}

}  // namespace superstore::fakedata::testing
