#include "query/database.h"

#include <algorithm>
#include <utility>

#include "query/duckdb_internal.h"
#include "query/values.h"

namespace superstore::query {

ErrorCode error_code_for(duckdb_error_type type, bool user_sql) {
  switch (type) {
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return ErrorCode::TooLarge;
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL:
      return ErrorCode::Internal;
    case DUCKDB_ERROR_TRANSACTION:
      return user_sql ? ErrorCode::InvalidArgument : ErrorCode::Conflict;
    // A missing file named in user SQL is the user's mistake; the same for SQL we built is our failure.
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_CONNECTION:
    case DUCKDB_ERROR_SERIALIZATION:
      return user_sql ? ErrorCode::InvalidArgument : ErrorCode::Internal;
    default:
      return ErrorCode::InvalidArgument;
  }
}

void throw_result_error(duckdb_result* result, bool user_sql) {
  const char* message = duckdb_result_error(result);
  fail(error_code_for(duckdb_result_error_type(result), user_sql),
       message ? message : "DuckDB failed without a message");
}

std::string take_duckdb_string(char* text) {
  if (!text) return {};
  std::string out(text);
  duckdb_free(text);
  return out;
}

namespace {

void require_no_nul(std::string_view text, std::string_view what) {
  if (text.find('\0') != std::string_view::npos)
    fail(ErrorCode::InvalidArgument, std::string(what) + " contains a NUL byte");
}

void set_option(duckdb_config config, const char* name, const std::string& value) {
  if (duckdb_set_config(config, name, value.c_str()) == DuckDBError) {
    fail(ErrorCode::InvalidArgument, "DuckDB rejected " + std::string(name) + "=" + quote_literal(value));
  }
}

// Timestamps are UTC throughout superstore: text without an offset must not take the machine's zone.
// TimeZone belongs to the ICU extension, so it is a SET after opening, not an open-time option.
const std::string kUtc = "SET GLOBAL TimeZone = 'UTC'";

// Runs set-up statements on a fresh instance before anyone else can connect.
void run_setup(duckdb_database db, const std::vector<std::string>& statements) {
  duckdb_connection conn = nullptr;
  if (duckdb_connect(db, &conn) == DuckDBError) fail(ErrorCode::Internal, "cannot connect to DuckDB to set it up");
  for (const auto& sql : statements) {
    ResultHandle result;
    if (duckdb_query(conn, sql.c_str(), result.out()) == DuckDBError) {
      std::string message = duckdb_result_error(result.get());
      duckdb_disconnect(&conn);
      fail(ErrorCode::InvalidArgument, "cannot set up DuckDB (" + sql + "): " + message);
    }
  }
  duckdb_disconnect(&conn);
}

constexpr const char* kLock = "SET lock_configuration = true";

// The sandbox, in the order verified on DuckDB 1.4.4: lock_configuration goes last because once it is
// set no SET runs at all, ours included.
std::vector<std::string> setup_statements(const DatabaseOptions& options) {
  // DuckDB 1.4 keeps a copy of the bytes it reads from files (its external file cache), local ones too,
  // until its memory limit: a writer that reads each commit's newest files held about 110 MiB more per
  // 1,000 commits (bench/README.md, upkeep_bench). Our files are local (S3 ones through the file cache),
  // so the kernel's page cache already keeps what is read often.
  std::vector<std::string> statements = {kUtc, "SET GLOBAL enable_external_file_cache = false"};
  // A Parquet setting, so it too can only be SET once the instance (and its Parquet reader) is open.
  if (options.cache_parquet_metadata) statements.emplace_back("SET GLOBAL parquet_metadata_cache = true");
  if (!options.sandboxed) return statements;
  std::string dirs;
  for (const auto& dir : options.allowed_directories) dirs += (dirs.empty() ? "" : ", ") + quote_literal(dir);
  statements.insert(statements.end(), {"SET allowed_directories = [" + dirs + "]", "SET enable_external_access = false",
                                       "SET allow_community_extensions = false"});
  if (!options.defer_lock) statements.emplace_back(kLock);
  return statements;
}

}  // namespace

// ---- Result internals ----

struct Result::Impl {
  std::shared_ptr<DatabaseHandle> database;
  ResultHandle result;  // owns the memory that the fetched chunks may point into
  std::vector<std::string> names;
  std::vector<std::string> types;
  std::vector<LogicalType> logical_types;
  std::vector<DataChunk> chunks;
  std::vector<size_t> chunk_starts;  // first row of each chunk
  size_t rows = 0;

  struct Cell {
    VectorView view;
    idx_t row;  // within the view's chunk
  };

  Cell cell(size_t col, size_t row) const {
    if (col >= names.size() || row >= rows) {
      fail(ErrorCode::Internal, "no cell (" + std::to_string(col) + ", " + std::to_string(row) + ") in a result of " +
                                    std::to_string(names.size()) + " columns and " + std::to_string(rows) + " rows");
    }
    size_t chunk = std::upper_bound(chunk_starts.begin(), chunk_starts.end(), row) - chunk_starts.begin() - 1;
    return {VectorView(duckdb_data_chunk_get_vector(chunks[chunk].get(), col), logical_types[col].get()),
            row - chunk_starts[chunk]};
  }

  Cell non_null_cell(size_t col, size_t row) const {
    Cell c = cell(col, row);
    if (c.view.is_null(c.row)) {
      fail(ErrorCode::Internal, "column '" + names[col] + "' is NULL in row " + std::to_string(row));
    }
    return c;
  }

  [[noreturn]] void wrong_type(size_t col, const char* wanted) const {
    fail(ErrorCode::Internal, "column '" + names[col] + "' is " + types[col] + ", not " + wanted);
  }
};

namespace {

// Reads the column descriptions and every chunk of a successful result into `impl`.
Result finish_result(std::unique_ptr<Result::Impl> impl) {
  duckdb_result* raw = impl->result.get();
  for (idx_t col = 0, n = duckdb_column_count(raw); col < n; ++col) {
    impl->names.emplace_back(duckdb_column_name(raw, col));
    impl->logical_types.emplace_back(duckdb_column_logical_type(raw, col));
    impl->types.push_back(type_name(impl->logical_types.back().get()));
  }
  while (true) {
    DataChunk chunk(duckdb_fetch_chunk(*raw));
    if (!chunk.get()) break;
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    if (size == 0) break;
    impl->chunk_starts.push_back(impl->rows);
    impl->rows += size;
    impl->chunks.push_back(std::move(chunk));
  }
  if (const char* error = duckdb_result_error(raw)) fail(ErrorCode::Internal, error);
  return Result(std::move(impl));
}

}  // namespace

// ---- Database ----

Database::Database(const DatabaseOptions& options) : options_(options), handle_(std::make_shared<DatabaseHandle>()) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) fail(ErrorCode::Internal, "cannot create a DuckDB configuration");
  char* open_error = nullptr;
  try {
    // This machine has no internet and extensions are not part of the product: never fetch or load them.
    set_option(config, "autoinstall_known_extensions", "false");
    set_option(config, "autoload_known_extensions", "false");
    if (!options.memory_limit.empty()) set_option(config, "memory_limit", options.memory_limit);
    if (options.threads > 0) set_option(config, "threads", std::to_string(options.threads));
    if (!options.temp_directory.empty()) set_option(config, "temp_directory", options.temp_directory);
  } catch (...) {
    duckdb_destroy_config(&config);
    throw;
  }
  duckdb_state state = duckdb_open_ext(nullptr, &handle_->db, config, &open_error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = open_error ? open_error : "unknown error";
    duckdb_free(open_error);
    fail(ErrorCode::InvalidArgument, "cannot open DuckDB: " + message);
  }
  run_setup(handle_->db, setup_statements(options));
}

void Database::lock_configuration() { run_setup(handle_->db, {kLock}); }

Database::~Database() = default;

// ---- Connection ----

Connection::Connection(const Database& database) : impl_(std::make_unique<Impl>()) {
  impl_->database = database.handle();
  if (!impl_->database || duckdb_connect(impl_->database->db, &impl_->conn) == DuckDBError) {
    fail(ErrorCode::Internal, "cannot connect to DuckDB");
  }
}

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result Connection::execute(const std::string& sql) {
  require_no_nul(sql, "SQL");
  impl_->prepared_reads.clear();
  auto result = std::make_unique<Result::Impl>();
  result->database = impl_->database;
  if (duckdb_query(impl_->conn, sql.c_str(), result->result.out()) == DuckDBError) {
    throw_result_error(result->result.get(), false);
  }
  return finish_result(std::move(result));
}

Result Connection::execute(const std::string& sql, const std::vector<SqlParam>& params) {
  require_no_nul(sql, "SQL");
  impl_->prepared_reads.clear();
  Prepared prepared;
  if (duckdb_prepare(impl_->conn, sql.c_str(), prepared.out()) == DuckDBError) {
    fail(ErrorCode::InvalidArgument, duckdb_prepare_error(prepared.get()));
  }
  idx_t expected = duckdb_nparams(prepared.get());
  if (expected != params.size()) {
    fail(ErrorCode::InvalidArgument, "the statement has " + std::to_string(expected) + " placeholders; got " +
                                         std::to_string(params.size()) + " values");
  }
  for (idx_t i = 0; i < params.size(); ++i) {
    duckdb_prepared_statement p = prepared.get();
    idx_t index = i + 1;
    duckdb_state state = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>)
            return duckdb_bind_null(p, index);
          else if constexpr (std::is_same_v<T, int64_t>)
            return duckdb_bind_int64(p, index, v);
          else if constexpr (std::is_same_v<T, double>)
            return duckdb_bind_double(p, index, v);
          else if constexpr (std::is_same_v<T, bool>)
            return duckdb_bind_boolean(p, index, v);
          else
            return duckdb_bind_varchar_length(p, index, v.data(), v.size());
        },
        params[i]);
    if (state == DuckDBError)
      fail(ErrorCode::InvalidArgument, "cannot bind value " + std::to_string(index) + " of the statement");
  }
  auto result = std::make_unique<Result::Impl>();
  result->database = impl_->database;
  if (duckdb_execute_prepared(prepared.get(), result->result.out()) == DuckDBError) {
    throw_result_error(result->result.get(), false);
  }
  return finish_result(std::move(result));
}

void Connection::interrupt() noexcept {
  if (impl_ && impl_->conn) duckdb_interrupt(impl_->conn);
}

std::vector<std::string> Connection::referenced_tables(const std::string& sql, bool qualified) {
  require_no_nul(sql, "SQL");
  Value list(duckdb_get_table_names(impl_->conn, sql.c_str(), qualified));
  std::vector<std::string> names;
  if (!list.get() || duckdb_is_null_value(list.get())) return names;
  for (idx_t i = 0, n = duckdb_get_list_size(list.get()); i < n; ++i) {
    Value name(duckdb_get_list_child(list.get(), i));
    names.push_back(take_duckdb_string(duckdb_get_varchar(name.get())));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// ---- Result ----

Result::Result(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Result::Result(Result&&) noexcept = default;
Result& Result::operator=(Result&&) noexcept = default;
Result::~Result() = default;

size_t Result::column_count() const { return impl_->names.size(); }
size_t Result::row_count() const { return impl_->rows; }

const std::string& Result::column_name(size_t col) const {
  if (col >= impl_->names.size()) fail(ErrorCode::Internal, "no column " + std::to_string(col) + " in the result");
  return impl_->names[col];
}

const std::string& Result::column_type(size_t col) const {
  column_name(col);
  return impl_->types[col];
}

bool Result::is_null(size_t col, size_t row) const {
  auto c = impl_->cell(col, row);
  return c.view.is_null(c.row);
}

int64_t Result::get_int64(size_t col, size_t row) const {
  auto c = impl_->non_null_cell(col, row);
  auto v = value_int64(c.view, c.row);
  if (!v) impl_->wrong_type(col, "an integer that fits in 64 bits");
  return *v;
}

double Result::get_double(size_t col, size_t row) const {
  auto c = impl_->non_null_cell(col, row);
  auto v = value_double(c.view, c.row);
  if (!v) impl_->wrong_type(col, "a number");
  return *v;
}

bool Result::get_bool(size_t col, size_t row) const {
  auto c = impl_->non_null_cell(col, row);
  if (c.view.id != DUCKDB_TYPE_BOOLEAN) impl_->wrong_type(col, "BOOLEAN");
  return c.view.at<bool>(c.row);
}

std::string Result::get_string(size_t col, size_t row) const {
  auto c = impl_->non_null_cell(col, row);
  return value_text(c.view, c.row);
}

nlohmann::json Result::value_as_json(size_t col, size_t row) const {
  auto c = impl_->cell(col, row);
  return c.view.is_null(c.row) ? nlohmann::json(nullptr) : value_json(c.view, c.row);
}

// ---- Quoting ----

std::string quote_identifier(std::string_view name) {
  require_no_nul(name, "an identifier");
  std::string out = "\"";
  for (char ch : name) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  require_no_nul(text, "a string literal");
  std::string out = "'";
  for (char ch : text) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

}  // namespace superstore::query
