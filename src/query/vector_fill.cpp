#include "query/vector_fill.h"

#include <cstring>
#include <limits>
#include <string>

#include "common/error.h"

namespace superstore::query {
namespace {

template <typename T>
void copy_narrowed(const Column& column, size_t start, size_t count, void* out) {
  auto* dest = static_cast<T*>(out);
  const int64_t* src = column.ints().data() + start;
  for (size_t i = 0; i < count; ++i) dest[i] = static_cast<T>(src[i]);
}

// Sets string elements as duckdb.h lays duckdb_string_t out: up to 12 bytes inline and zero-padded
// (DuckDB compares short strings by their 16 bytes), longer ones as a 4-byte prefix and a pointer, here
// into the column's own characters. Copying each string into the vector's heap instead cost 5 to 15 %
// of the CPU time of a 5 M-row CSV import, in four paired runs (bench/README.md, session 14).
void borrow_string_elements(duckdb_string_t* out, const Column& column, size_t start, size_t count) {
  constexpr size_t kInlined = sizeof(out->value.inlined.inlined);
  for (size_t i = 0; i < count; ++i) {
    const std::string_view s = column.is_null(start + i) ? std::string_view() : column.string_at(start + i);
    duckdb_string_t& e = out[i];
    if (s.size() > std::numeric_limits<uint32_t>::max()) fail(ErrorCode::InvalidArgument, "a string is over 4 GiB");
    if (s.size() <= kInlined) {
      std::memset(&e, 0, sizeof e);
      e.value.inlined.length = static_cast<uint32_t>(s.size());
      if (!s.empty()) std::memcpy(e.value.inlined.inlined, s.data(), s.size());  // a null row's data is null
    } else {
      e.value.pointer.length = static_cast<uint32_t>(s.size());
      std::memcpy(e.value.pointer.prefix, s.data(), sizeof e.value.pointer.prefix);
      e.value.pointer.ptr = const_cast<char*>(s.data());  // DuckDB reads it only
    }
  }
}

}  // namespace

duckdb_type duckdb_type_for(ColumnType type) {
  switch (type) {
    case ColumnType::Int16:
      return DUCKDB_TYPE_SMALLINT;
    case ColumnType::Int32:
      return DUCKDB_TYPE_INTEGER;
    case ColumnType::Int64:
      return DUCKDB_TYPE_BIGINT;
    case ColumnType::Float64:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnType::String:
      return DUCKDB_TYPE_VARCHAR;
    case ColumnType::Boolean:
      return DUCKDB_TYPE_BOOLEAN;
    case ColumnType::Timestamp:
      return DUCKDB_TYPE_TIMESTAMP_TZ;
    case ColumnType::Date:
      return DUCKDB_TYPE_DATE;
  }
  return DUCKDB_TYPE_INVALID;
}

void fill_vector(duckdb_vector vector, ColumnType type, const Column& column, size_t start, size_t count,
                 bool borrow_strings) {
  void* out = duckdb_vector_get_data(vector);
  switch (type) {
    case ColumnType::Int64:
    case ColumnType::Timestamp:
      std::memcpy(out, column.ints().data() + start, count * sizeof(int64_t));
      break;
    case ColumnType::Float64:
      std::memcpy(out, column.doubles().data() + start, count * sizeof(double));
      break;
    case ColumnType::Int16:
      copy_narrowed<int16_t>(column, start, count, out);
      break;
    case ColumnType::Int32:
    case ColumnType::Date:
      copy_narrowed<int32_t>(column, start, count, out);
      break;
    case ColumnType::Boolean:
      copy_narrowed<bool>(column, start, count, out);
      break;
    case ColumnType::String:
      if (borrow_strings) {
        borrow_string_elements(static_cast<duckdb_string_t*>(out), column, start, count);
        break;
      }
      for (size_t i = 0; i < count; ++i) {
        auto s = column.string_at(start + i);
        duckdb_vector_assign_string_element_len(vector, i, s.data(), s.size());
      }
      break;
  }
  if (column.has_nulls()) {
    duckdb_vector_ensure_validity_writable(vector);
    uint64_t* validity = duckdb_vector_get_validity(vector);
    for (size_t i = 0; i < count; ++i) {
      if (column.is_null(start + i)) duckdb_validity_set_row_invalid(validity, i);
    }
  }
}

void check_fits(const ColumnDef& def, const Column& column) {
  int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  if (def.type == ColumnType::Int16) {
    lo = std::numeric_limits<int16_t>::min();
    hi = std::numeric_limits<int16_t>::max();
  } else if (def.type != ColumnType::Int32 && def.type != ColumnType::Date) {
    return;
  }
  const auto& values = column.ints();
  for (size_t row = 0; row < values.size(); ++row) {
    if (values[row] < lo || values[row] > hi) {
      fail(ErrorCode::InvalidArgument, "value " + std::to_string(values[row]) + " in row " + std::to_string(row) +
                                           " of column '" + def.name + "' does not fit " +
                                           std::string(type_name(def.type)));
    }
  }
}

}  // namespace superstore::query
