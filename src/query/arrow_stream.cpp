#include "query/arrow_stream.h"

#include <utility>
#include <vector>

#include "query/arrow_ipc.h"
#include "query/deadlines.h"
#include "query/duckdb_internal.h"
#include "query/user_query_internal.h"
#include "query/values.h"

namespace superstore::query {
namespace {

using ArrowOptions = Owned<duckdb_arrow_options, duckdb_destroy_arrow_options>;

// Owners of what DuckDB's Arrow export fills in; the producer's release callback frees it.
struct SchemaOwner {
  ArrowSchema raw{};
  SchemaOwner() = default;
  SchemaOwner(const SchemaOwner&) = delete;
  SchemaOwner& operator=(const SchemaOwner&) = delete;
  ~SchemaOwner() {
    if (raw.release) raw.release(&raw);
  }
};

struct ArrayOwner {
  ArrowArray raw{};
  ArrayOwner() = default;
  ArrayOwner(const ArrayOwner&) = delete;
  ArrayOwner& operator=(const ArrayOwner&) = delete;
  ~ArrayOwner() {
    if (raw.release) raw.release(&raw);
  }
};

void throw_if_error(duckdb_error_data error) {
  if (!error) return;
  if (!duckdb_error_data_has_error(error)) {
    duckdb_destroy_error_data(&error);
    return;
  }
  const ErrorCode code = error_code_for(duckdb_error_data_error_type(error), true);
  std::string message = duckdb_error_data_message(error);
  duckdb_destroy_error_data(&error);
  fail(code, message);
}

}  // namespace

bool write_arrow_stream(Connection& connection, const std::string& sql, const QueryControl& control,
                        const std::function<bool(std::string_view bytes)>& write, ArrowStreamProgress* progress) {
  ArrowStreamProgress unused;
  ArrowStreamProgress& done = progress ? *progress : unused;
  done = {};
  Connection::Impl& impl = connection.impl();
  Watchdog watchdog(impl.conn, time_left(control), control.cancelled);
  try {
    ResultHandle result;
    start_streaming(impl, sql, watchdog, result);

    const ResultColumns result_cols = result_columns(result);
    const std::vector<std::string>& names = result_cols.names;
    const idx_t columns = names.size();
    std::vector<duckdb_logical_type> types;
    for (const auto& type : result_cols.types) types.push_back(type.get());
    std::vector<const char*> name_pointers;
    for (const auto& name : names) name_pointers.push_back(name.c_str());

    // The connection's settings decide the export (plain utf8 rather than string views, with DuckDB 1.4's
    // defaults); the sandbox locks them, so users cannot change it.
    ArrowOptions options(duckdb_result_get_arrow_options(result.get()));
    SchemaOwner schema;
    throw_if_error(duckdb_to_arrow_schema(options.get(), types.data(), name_pointers.data(), columns, &schema.raw));
    for (idx_t col = 0; col < columns; ++col) {
      std::string reason = arrow_ipc::unsupported_reason(*schema.raw.children[col]);
      if (!reason.empty()) {
        fail(ErrorCode::InvalidArgument, "column \"" + names[col] + "\" has type " + type_name(types[col]) +
                                             ", which the Arrow format cannot carry here (" + reason +
                                             "); cast it to VARCHAR");
      }
    }

    auto send = [&](const std::string& bytes) {
      if (!write(bytes)) return false;
      done.bytes_written += static_cast<int64_t>(bytes.size());
      return true;
    };
    // Sent with the first batch (or the end), so that errors computing the first chunk come before any byte.
    std::string unsent = arrow_ipc::schema_message(schema.raw);
    while (true) {
      DataChunk chunk(duckdb_fetch_chunk(*result.get()));
      if (!chunk.get()) break;
      const idx_t rows = duckdb_data_chunk_get_size(chunk.get());
      if (rows == 0) break;
      ArrayOwner array;
      throw_if_error(duckdb_data_chunk_to_arrow(options.get(), chunk.get(), &array.raw));
      std::string message = arrow_ipc::record_batch_message(schema.raw, array.raw);
      if (!unsent.empty()) message = std::exchange(unsent, {}) + message;
      if (!send(message)) {
        // The reader is gone: stop the engine's threads now rather than when the result is destroyed.
        duckdb_interrupt(impl.conn);
        forget_prepared_read(impl, sql);
        return false;
      }
      done.rows += static_cast<int64_t>(rows);
      done.batches += 1;
    }
    if (duckdb_result_error(result.get())) throw_result_error(result.get(), true);
    unsent += arrow_ipc::end_of_stream();
    return send(unsent);
  } catch (const Error&) {
    on_query_failure(impl, sql, watchdog, control);
    throw;
  }
}

}  // namespace superstore::query
