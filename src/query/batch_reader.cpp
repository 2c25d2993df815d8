#include "query/batch_reader.h"

#include <duckdb.h>

#include "query/duckdb_internal.h"
#include "query/values.h"
#include "query/vector_fill.h"

namespace superstore::query {
namespace {

// Whether the first `rows` bits of a validity bitset are all set. A CSV reader's vectors carry a bitset
// even when no value is null; such vectors are then copied in bulk, as those without one are.
bool all_valid(const uint64_t* validity, idx_t rows) {
  for (idx_t word = 0; word < rows / 64; ++word) {
    if (validity[word] != ~uint64_t{0}) return false;
  }
  if (rows % 64 == 0) return true;  // no partial word, and none to read past the bitset's end
  const uint64_t tail = (uint64_t{1} << (rows % 64)) - 1;
  return (validity[rows / 64] & tail) == tail;
}

// Appends the first `rows` values of `vector` (of `type`'s DuckDB type) to `column`.
void append_vector(duckdb_vector vector, ColumnType type, idx_t rows, Column& column) {
  const void* data = duckdb_vector_get_data(vector);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity != nullptr && all_valid(validity, rows)) validity = nullptr;
  auto valid = [validity](idx_t row) { return row_is_valid(validity, row); };
  auto ints = [&](auto* values) {
    if (validity == nullptr) return column.append_values(values, rows);
    for (idx_t r = 0; r < rows; ++r) valid(r) ? column.push_int(static_cast<int64_t>(values[r])) : column.push_null();
  };
  switch (type) {
    case ColumnType::Int16:
      return ints(static_cast<const int16_t*>(data));
    case ColumnType::Int32:
      return ints(static_cast<const int32_t*>(data));
    case ColumnType::Int64:
      return ints(static_cast<const int64_t*>(data));
    case ColumnType::Boolean:
      return ints(static_cast<const bool*>(data));
    case ColumnType::Date:
      // duckdb_date is one int32_t of days.
      static_assert(sizeof(duckdb_date) == sizeof(int32_t));
      if (validity == nullptr) return column.append_values(reinterpret_cast<const int32_t*>(data), rows);
      for (idx_t r = 0; r < rows; ++r) {
        valid(r) ? column.push_int(static_cast<const duckdb_date*>(data)[r].days) : column.push_null();
      }
      return;
    case ColumnType::Timestamp:
      // duckdb_timestamp is one int64_t of microseconds.
      static_assert(sizeof(duckdb_timestamp) == sizeof(int64_t));
      if (validity == nullptr) return column.append_values(reinterpret_cast<const int64_t*>(data), rows);
      for (idx_t r = 0; r < rows; ++r) {
        valid(r) ? column.push_int(static_cast<const duckdb_timestamp*>(data)[r].micros) : column.push_null();
      }
      return;
    case ColumnType::Float64:
      if (validity == nullptr) return column.append_values(static_cast<const double*>(data), rows);
      for (idx_t r = 0; r < rows; ++r) {
        valid(r) ? column.push_double(static_cast<const double*>(data)[r]) : column.push_null();
      }
      return;
    case ColumnType::String: {
      const auto* strings = static_cast<const duckdb_string_t*>(data);
      if (validity == nullptr) {
        return column.append_strings(rows, [strings](size_t r) { return string_of(strings[r]); });
      }
      for (idx_t r = 0; r < rows; ++r) valid(r) ? column.push_string(string_of(strings[r])) : column.push_null();
      return;
    }
  }
}

}  // namespace

void read_batches(Connection& conn, const std::string& sql, ColumnBatch& into,
                  const std::function<void(ColumnBatch&)>& after_chunk) {
  if (sql.find('\0') != std::string::npos) fail(ErrorCode::InvalidArgument, "SQL holds a NUL byte");
  duckdb_connection raw = conn.impl().conn;
  Prepared prepared;
  if (duckdb_prepare(raw, sql.c_str(), prepared.out()) == DuckDBError) {
    fail(ErrorCode::InvalidArgument, duckdb_prepare_error(prepared.get()));
  }
  Pending pending;
  if (duckdb_pending_prepared_streaming(prepared.get(), pending.out()) == DuckDBError) {
    fail(ErrorCode::InvalidArgument, duckdb_pending_error(pending.get()));
  }
  ResultHandle result;
  if (duckdb_execute_pending(pending.get(), result.out()) == DuckDBError) throw_result_error(result.get(), false);

  const idx_t columns = duckdb_column_count(result.get());
  if (columns != into.schema.size()) {
    fail(ErrorCode::Internal, "read_batches: the statement has " + std::to_string(columns) + " columns, not " +
                                  std::to_string(into.schema.size()));
  }
  for (idx_t col = 0; col < columns; ++col) {
    // A Timestamp may also come as a TIMESTAMP of UTC (the engine's TimeZone): the same microseconds, and
    // what an import's text becomes without going through ICU (storage/warehouse.cpp, timestamp_from_text).
    const duckdb_type type = duckdb_column_type(result.get(), col);
    const bool utc_timestamp = type == DUCKDB_TYPE_TIMESTAMP && into.schema[col].type == ColumnType::Timestamp;
    if (type != duckdb_type_for(into.schema[col].type) && !utc_timestamp) {
      fail(ErrorCode::Internal, "read_batches: column '" + into.schema[col].name + "' is not of type " +
                                    std::string(duckdb_type_name(into.schema[col].type)));
    }
  }
  while (true) {
    DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk.get()) break;
    const idx_t rows = duckdb_data_chunk_get_size(chunk.get());
    if (rows == 0) break;
    for (idx_t col = 0; col < columns; ++col) {
      append_vector(duckdb_data_chunk_get_vector(chunk.get(), col), into.schema[col].type, rows, into.columns[col]);
    }
    after_chunk(into);
  }
  if (duckdb_result_error(result.get())) throw_result_error(result.get(), false);
}

}  // namespace superstore::query
