#include "query/appender.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "query/duckdb_internal.h"
#include "query/values.h"
#include "query/vector_fill.h"

namespace superstore::query {
namespace {

[[noreturn]] void throw_appender_error(duckdb_appender appender, const std::string& context) {
  duckdb_error_data error = duckdb_appender_error_data(appender);
  std::string message = duckdb_error_data_has_error(error) ? duckdb_error_data_message(error) : "unknown error";
  ErrorCode code = duckdb_error_data_has_error(error) ? error_code_for(duckdb_error_data_error_type(error), false)
                                                      : ErrorCode::Internal;
  duckdb_destroy_error_data(&error);
  fail(code, context + ": " + message);
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
