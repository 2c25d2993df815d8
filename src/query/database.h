// The embedded DuckDB engine behind a small C++ surface. Only src/query/ includes duckdb.h; everything here
// is plain C++ so that other layers neither see nor depend on DuckDB's C API.
//
// Errors: every failure throws superstore::Error. SQL that DuckDB rejects (syntax, unknown names, bad casts,
// refused file access) becomes InvalidArgument carrying DuckDB's own message; running out of the memory
// limit becomes TooLarge; a write-write conflict becomes Conflict; I/O and engine failures become Internal.
//
// Threading: a Database may be shared by any number of threads. A Connection, and each Result, Appender or
// prepared execution made from it, must be used by one thread at a time; the one exception is
// Connection::interrupt(), which any thread may call while the Connection is alive.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace superstore::query {

struct DatabaseOptions {
  // When true, user SQL cannot reach outside `allowed_directories`, load or install extensions, or change
  // any setting: the configuration is locked once the Database is open.
  bool sandboxed = true;
  std::vector<std::string> allowed_directories{};  // absolute paths; only honoured when sandboxed
  std::string memory_limit{};                      // "4GB"; empty keeps DuckDB's default (80% of RAM)
  int threads = 0;                                 // 0 keeps DuckDB's default (one per core)
  std::string temp_directory{};                    // where large operations spill; empty keeps DuckDB's default
  // Keeps the decoded footer of every Parquet file read (DuckDB's parquet_metadata_cache) for later
  // queries, checked against the file's modification time before each use. Only for files that are never
  // rewritten in place, like the warehouse's. DuckDB 1.4 never evicts these entries: memory grows by one
  // decoded footer per distinct file ever read (the writer's footers are 1 to 2 KB on disk).
  bool cache_parquet_metadata = false;
  // Sandboxed, but the configuration stays unlocked until Database::lock_configuration(): for an engine
  // whose owner must first SET a per-connection setting (DuckDB offers no other way to set those) on a
  // connection of its own. Only for engines that run nothing but the owner's SQL meanwhile.
  bool defer_lock = false;
};

// One engine-side value bound to a `?` or `$n` placeholder of a prepared statement.
using SqlParam = std::variant<std::nullptr_t, int64_t, double, std::string, bool>;

struct DatabaseHandle;  // defined in the implementation; shared by everything that must outlive it

// An in-memory DuckDB instance. Extensions are never downloaded or auto-loaded, in both modes.
// Throws Error(InvalidArgument) for an option DuckDB rejects (e.g. a malformed memory limit).
class Database {
 public:
  explicit Database(const DatabaseOptions& options);
  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database();

  const DatabaseOptions& options() const { return options_; }
  // Takes the lock that DatabaseOptions::defer_lock left out: no SET runs on this Database afterwards.
  void lock_configuration();
  // Internal use by Connection; keeps the instance alive until the last Connection and Result are gone.
  const std::shared_ptr<DatabaseHandle>& handle() const { return handle_; }

 private:
  DatabaseOptions options_;
  std::shared_ptr<DatabaseHandle> handle_;
};

class Result;

// A session on a Database: its own transaction state and temporary objects. Open one per thread or request.
// Movable, not copyable; a moved-from Connection may only be destroyed or assigned to. The Database may be
// destroyed before its Connections: they keep the instance alive.
class Connection {
 public:
  explicit Connection(const Database& database);
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs trusted, internal SQL (one or several statements separated by ';') and returns the last
  // statement's result, fully materialised. Never pass user SQL here: use run_user_query (user_query.h).
  // Forgets the user statements this connection kept prepared, since the SQL may change what they read.
  Result execute(const std::string& sql);
  // Runs one statement with its placeholders bound to `params` in order.
  Result execute(const std::string& sql, const std::vector<SqlParam>& params);

  // Makes the statement currently running on this connection fail soon with an "interrupted" error.
  // Safe to call from any thread, and harmless when nothing runs.
  void interrupt() noexcept;

  // Names of the tables (or views) that `sql` reads, without running it: "t" or, when `qualified`,
  // "catalog.schema.t" with the parts the query spelt out. Used to map names to snapshots before a query
  // runs. Returns an empty list when the SQL does not parse. DuckDB binds the query to find them, views
  // included, so this costs about what preparing it does.
  std::vector<std::string> referenced_tables(const std::string& sql, bool qualified = false);

  struct Impl;  // internal to src/query
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// A fully materialised result. Rows and columns are 0-based. Accessors throw Error(Internal) when asked for
// a column or row out of range, for the value of a NULL, or for a conversion the column's type cannot make
// (the message names the column and its type). A Result stays valid after its Connection is gone.
class Result {
 public:
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  ~Result();

  size_t column_count() const;
  size_t row_count() const;
  const std::string& column_name(size_t col) const;
  // DuckDB's name of the column type: "BIGINT", "VARCHAR", "DECIMAL(18,3)", "INTEGER[]", ...
  const std::string& column_type(size_t col) const;

  bool is_null(size_t col, size_t row) const;
  // Any integer type, BOOLEAN (0/1), DATE (days since the epoch) or a TIMESTAMP (µs since the epoch).
  int64_t get_int64(size_t col, size_t row) const;
  // FLOAT, DOUBLE, DECIMAL or any integer type.
  double get_double(size_t col, size_t row) const;
  bool get_bool(size_t col, size_t row) const;
  // VARCHAR as is; any other type as DuckDB's cast to VARCHAR writes it.
  std::string get_string(size_t col, size_t row) const;
  // The value as it appears in user query results (see user_query.h); NULL gives JSON null.
  nlohmann::json value_as_json(size_t col, size_t row) const;

  struct Impl;  // internal to src/query
  explicit Result(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// SQL text for building internal statements: quote_identifier("a\"b") is "\"a\"\"b\"" and
// quote_literal("it's") is "'it''s'". Both throw Error(InvalidArgument) for text holding a NUL byte.
std::string quote_identifier(std::string_view name);
std::string quote_literal(std::string_view text);

}  // namespace superstore::query
