#include "query/batch_scan.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "query/duckdb_internal.h"
#include "query/vector_fill.h"

namespace superstore::query {
namespace {

constexpr const char* kFunction = "ss_batch_scan";

// Batches by handle, and the databases the function is registered with (once each).
struct Registry {
  std::mutex mutex;
  int64_t next = 0;
  std::map<int64_t, const ColumnBatch*> batches;
  std::vector<std::weak_ptr<DatabaseHandle>> databases;
};

Registry& registry() {
  static Registry r;
  return r;
}

struct ScanState {
  size_t next_row = 0;
};

void bind(duckdb_bind_info info) {
  Value parameter(duckdb_bind_get_parameter(info, 0));
  const int64_t handle = duckdb_get_int64(parameter.get());
  const ColumnBatch* batch = nullptr;
  {
    std::lock_guard lock(registry().mutex);
    auto it = registry().batches.find(handle);
    if (it != registry().batches.end()) batch = it->second;
  }
  if (!batch) {
    duckdb_bind_set_error(info, "no batch is registered under this handle");
    return;
  }
  for (const auto& column : batch->schema) {
    LogicalType type(duckdb_create_logical_type(duckdb_type_for(column.type)));
    duckdb_bind_add_result_column(info, column.name.c_str(), type.get());
  }
  duckdb_bind_set_bind_data(info, const_cast<ColumnBatch*>(batch), nullptr);
}

void init(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new ScanState, [](void* p) { delete static_cast<ScanState*>(p); });
  duckdb_init_set_max_threads(info, 1);  // rows leave in batch order
}

void scan(duckdb_function_info info, duckdb_data_chunk output) {
  const auto* batch = static_cast<const ColumnBatch*>(duckdb_function_get_bind_data(info));
  auto* state = static_cast<ScanState*>(duckdb_function_get_init_data(info));
  const size_t count = std::min<size_t>(duckdb_vector_size(), batch->rows() - state->next_row);
  for (size_t c = 0; c < batch->columns.size(); ++c) {
    fill_vector(duckdb_data_chunk_get_vector(output, c), batch->schema[c].type, batch->columns[c], state->next_row,
                count, true);
  }
  duckdb_data_chunk_set_size(output, count);
  state->next_row += count;
}

void destroy_function(duckdb_table_function* f) { duckdb_destroy_table_function(f); }

// Registers the function with the connection's database unless done before.
void ensure_registered(Connection& connection) {
  auto& r = registry();
  const auto& database = connection.impl().database;
  std::lock_guard lock(r.mutex);
  std::erase_if(r.databases, [](const auto& w) { return w.expired(); });
  for (const auto& w : r.databases) {
    if (!w.owner_before(database) && !database.owner_before(w)) return;
  }
  Owned<duckdb_table_function, destroy_function> function(duckdb_create_table_function());
  duckdb_table_function_set_name(function.get(), kFunction);
  LogicalType bigint(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  duckdb_table_function_add_parameter(function.get(), bigint.get());
  duckdb_table_function_set_bind(function.get(), bind);
  duckdb_table_function_set_init(function.get(), init);
  duckdb_table_function_set_function(function.get(), scan);
  if (duckdb_register_table_function(connection.impl().conn, function.get()) == DuckDBError) {
    fail(ErrorCode::Internal, std::string("cannot register DuckDB table function ") + kFunction);
  }
  r.databases.push_back(database);
}

}  // namespace

BatchScan::BatchScan(Connection& connection, const ColumnBatch& batch) {
  if (batch.schema.size() != batch.columns.size())
    fail(ErrorCode::Internal, "a batch's schema does not match its columns");
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (batch.columns[c].type() != batch.schema[c].type || batch.columns[c].size() != batch.rows()) {
      fail(ErrorCode::Internal, "column '" + batch.schema[c].name + "' of a batch does not match its schema");
    }
    check_fits(batch.schema[c], batch.columns[c]);
  }
  ensure_registered(connection);
  std::lock_guard lock(registry().mutex);
  handle_ = ++registry().next;
  registry().batches[handle_] = &batch;
  sql_ = std::string(kFunction) + "(" + std::to_string(handle_) + ")";
}

BatchScan::~BatchScan() {
  std::lock_guard lock(registry().mutex);
  registry().batches.erase(handle_);
}

}  // namespace superstore::query
