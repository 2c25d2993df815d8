// Private to src/query: reading single values out of DuckDB vectors, as JSON, text or plain numbers.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace superstore::query {

// A DuckDB string as duckdb.h lays it out: up to 12 bytes inside the struct, longer ones behind a pointer.
// Read inline rather than through duckdb_string_t_data and _length, two calls into the library a value.
inline std::string_view string_of(const duckdb_string_t& s) {
  const uint32_t length = s.value.inlined.length;
  return {length <= sizeof s.value.inlined.inlined ? s.value.inlined.inlined : s.value.pointer.ptr, length};
}

// Whether `row` is valid by a vector's validity bitset, as duckdb.h describes it (a set bit is a valid
// row; no bitset, every row valid), read inline rather than through duckdb_validity_row_is_valid.
inline bool row_is_valid(const uint64_t* validity, idx_t row) {
  return validity == nullptr || (validity[row / 64] >> (row % 64) & 1) != 0;
}

// One column of a data chunk, with what every per-row read needs looked up once.
// `type` is borrowed and must outlive the view.
struct VectorView {
  VectorView(duckdb_vector vector, duckdb_logical_type type);

  bool is_null(idx_t row) const { return !row_is_valid(validity, row); }
  template <typename T>
  T at(idx_t row) const {
    return static_cast<const T*>(data)[row];
  }

  duckdb_vector vector;
  duckdb_logical_type type;
  duckdb_type id;
  const void* data;
  uint64_t* validity;
};

// DuckDB's spelling of a type: "BIGINT", "DECIMAL(18,3)", "VARCHAR[]", "STRUCT(a INTEGER)", ...
std::string type_name(duckdb_logical_type type);

// A non-null value as user query results show it (see user_query.h for the rules).
nlohmann::json value_json(const VectorView& column, idx_t row);
// A non-null value as DuckDB's CAST(... AS VARCHAR) writes it.
std::string value_text(const VectorView& column, idx_t row);
// A non-null integer-like value; nullopt when the type has none or it does not fit.
std::optional<int64_t> value_int64(const VectorView& column, idx_t row);
// A non-null numeric value; nullopt when the type is not numeric.
std::optional<double> value_double(const VectorView& column, idx_t row);

}  // namespace superstore::query
