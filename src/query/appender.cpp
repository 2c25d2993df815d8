#include "query/appender.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "query/duckdb_internal.h"
#include "query/values.h"

namespace superstore::query {
namespace {

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

[[noreturn]] void throw_appender_error(duckdb_appender appender, const std::string& context) {
  duckdb_error_data error = duckdb_appender_error_data(appender);
  std::string message = duckdb_error_data_has_error(error) ? duckdb_error_data_message(error) : "unknown error";
  ErrorCode code = duckdb_error_data_has_error(error) ? error_code_for(duckdb_error_data_error_type(error), false)
                                                      : ErrorCode::Internal;
  duckdb_destroy_error_data(&error);
  fail(code, context + ": " + message);
}

// Narrow types are stored as int64 in a Column; check them all before any row goes in.
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

template <typename T>
void copy_narrowed(const Column& column, size_t start, size_t count, void* out) {
  auto* dest = static_cast<T*>(out);
  const int64_t* src = column.ints().data() + start;
  for (size_t i = 0; i < count; ++i) dest[i] = static_cast<T>(src[i]);
}

void fill_vector(duckdb_vector vector, ColumnType type, const Column& column, size_t start, size_t count) {
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

}  // namespace

struct Appender::Impl {
  AppenderHandle appender;
  std::string table;
  std::vector<duckdb_type> column_types;
  std::vector<std::string> column_type_names;
  DataChunk chunk;
  bool closed = false;
};

Appender::Appender(Connection& connection, const std::string& table, const std::string& schema)
    : impl_(std::make_unique<Impl>()) {
  impl_->table = schema.empty() ? table : schema + "." + table;
  if (duckdb_appender_create_ext(connection.impl().conn, nullptr, schema.empty() ? nullptr : schema.c_str(),
                                 table.c_str(), impl_->appender.out()) == DuckDBError) {
    duckdb_error_data error = duckdb_appender_error_data(impl_->appender.get());
    std::string message = duckdb_error_data_has_error(error) ? duckdb_error_data_message(error) : "unknown error";
    bool missing = duckdb_error_data_error_type(error) == DUCKDB_ERROR_CATALOG;
    duckdb_destroy_error_data(&error);
    fail(missing ? ErrorCode::NotFound : ErrorCode::Internal, "cannot append to " + impl_->table + ": " + message);
  }
  idx_t count = duckdb_appender_column_count(impl_->appender.get());
  std::vector<LogicalType> types;
  std::vector<duckdb_logical_type> raw_types;
  for (idx_t i = 0; i < count; ++i) {
    types.emplace_back(duckdb_appender_column_type(impl_->appender.get(), i));
    raw_types.push_back(types.back().get());
    impl_->column_types.push_back(duckdb_get_type_id(raw_types.back()));
    impl_->column_type_names.push_back(type_name(raw_types.back()));
  }
  impl_->chunk = DataChunk(duckdb_create_data_chunk(raw_types.data(), count));
}

Appender::Appender(Appender&&) noexcept = default;
Appender& Appender::operator=(Appender&&) noexcept = default;
Appender::~Appender() = default;

void Appender::append(const ColumnBatch& batch) { append(batch, nullptr); }

void Appender::append(const ColumnBatch& batch, const ColumnBatch* more) {
  if (impl_->closed) fail(ErrorCode::Internal, "append to the closed appender of " + impl_->table);
  // The columns of `batch`, then those of `more`, as one row.
  std::vector<std::pair<const ColumnDef*, const Column*>> cols;
  for (const ColumnBatch* b : {&batch, more}) {
    if (!b) continue;
    if (b->schema.size() != b->columns.size()) {
      fail(ErrorCode::InvalidArgument, "a batch has " + std::to_string(b->schema.size()) + " column definitions but " +
                                           std::to_string(b->columns.size()) + " columns");
    }
    for (size_t i = 0; i < b->schema.size(); ++i) cols.emplace_back(&b->schema[i], &b->columns[i]);
  }
  const size_t columns = impl_->column_types.size();
  if (cols.size() != columns) {
    fail(ErrorCode::InvalidArgument, "the batch has " + std::to_string(cols.size()) + " columns but table " +
                                         impl_->table + " has " + std::to_string(columns));
  }
  const size_t rows = batch.rows();
  for (size_t col = 0; col < columns; ++col) {
    const ColumnDef& def = *cols[col].first;
    const Column& data = *cols[col].second;
    if (duckdb_type_for(def.type) != impl_->column_types[col]) {
      fail(ErrorCode::InvalidArgument, "column " + std::to_string(col + 1) + " '" + def.name + "' is " +
                                           std::string(type_name(def.type)) + " in the batch but " +
                                           impl_->column_type_names[col] + " in table " + impl_->table + " (expected " +
                                           std::string(duckdb_type_name(def.type)) + ")");
    }
    if (data.type() != def.type || data.size() != rows) {
      fail(ErrorCode::InvalidArgument, "column '" + def.name + "' of the batch does not match its schema or length");
    }
    check_fits(def, data);
  }

  duckdb_data_chunk chunk = impl_->chunk.get();
  const size_t chunk_rows = duckdb_vector_size();
  for (size_t start = 0; start < rows; start += chunk_rows) {
    size_t count = std::min(chunk_rows, rows - start);
    duckdb_data_chunk_reset(chunk);
    for (size_t col = 0; col < columns; ++col) {
      fill_vector(duckdb_data_chunk_get_vector(chunk, col), cols[col].first->type, *cols[col].second, start, count);
    }
    duckdb_data_chunk_set_size(chunk, count);
    if (duckdb_append_data_chunk(impl_->appender.get(), chunk) == DuckDBError) {
      throw_appender_error(impl_->appender.get(), "cannot append to " + impl_->table);
    }
  }
}

void Appender::close() {
  if (impl_->closed) return;
  impl_->closed = true;
  if (duckdb_appender_close(impl_->appender.get()) == DuckDBError) {
    throw_appender_error(impl_->appender.get(), "cannot finish appending to " + impl_->table);
  }
}

}  // namespace superstore::query
