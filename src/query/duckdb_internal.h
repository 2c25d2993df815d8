// Private to src/query: the C API handles behind the public classes, and RAII owners for the C API
// objects that the implementation files pass around. Nothing outside src/query may include this file.
#pragma once

#include <duckdb.h>

#include <list>
#include <string>
#include <utility>

#include "common/error.h"
#include "query/database.h"

namespace superstore::query {

struct DatabaseHandle {
  duckdb_database db = nullptr;
  ~DatabaseHandle() { duckdb_close(&db); }
};

// Owns one C API object and destroys it with `Destroy`; movable so it can live in containers.
template <typename T, void (*Destroy)(T*)>
class Owned {
 public:
  Owned() = default;
  explicit Owned(T raw) : raw_(raw) {}
  Owned(Owned&& other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      reset();
      raw_ = std::exchange(other.raw_, nullptr);
    }
    return *this;
  }
  ~Owned() { reset(); }
  void reset() {
    if (raw_) Destroy(&raw_);
    raw_ = nullptr;
  }
  T get() const { return raw_; }
  T* out() {
    reset();
    return &raw_;
  }

 private:
  T raw_ = nullptr;
};

inline void destroy_prepared(duckdb_prepared_statement* p) { duckdb_destroy_prepare(p); }
inline void destroy_extracted(duckdb_extracted_statements* e) { duckdb_destroy_extracted(e); }
inline void destroy_pending(duckdb_pending_result* p) { duckdb_destroy_pending(p); }
inline void destroy_appender(duckdb_appender* a) { duckdb_appender_destroy(a); }

using LogicalType = Owned<duckdb_logical_type, duckdb_destroy_logical_type>;
using Value = Owned<duckdb_value, duckdb_destroy_value>;
using DataChunk = Owned<duckdb_data_chunk, duckdb_destroy_data_chunk>;
using Prepared = Owned<duckdb_prepared_statement, destroy_prepared>;
using Extracted = Owned<duckdb_extracted_statements, destroy_extracted>;
using Pending = Owned<duckdb_pending_result, destroy_pending>;
using AppenderHandle = Owned<duckdb_appender, destroy_appender>;

struct Connection::Impl {
  std::shared_ptr<DatabaseHandle> database;
  duckdb_connection conn = nullptr;
  // User statements that passed the read-only check, prepared, by SQL text, least recently used first
  // (see run_user_query). Destroyed before the connection is closed, which would invalidate them.
  std::list<std::pair<std::string, Prepared>> prepared_reads;
  ~Impl() {
    prepared_reads.clear();
    duckdb_disconnect(&conn);
  }
};

// duckdb_result is a struct, not a pointer, so it gets its own owner.
class ResultHandle {
 public:
  ResultHandle() = default;
  ResultHandle(const ResultHandle&) = delete;
  ResultHandle& operator=(const ResultHandle&) = delete;
  ~ResultHandle() {
    if (live_) duckdb_destroy_result(&raw_);
  }
  duckdb_result* out() {
    live_ = true;  // DuckDB fills the struct even on failure, and it must be destroyed either way
    return &raw_;
  }
  duckdb_result* get() { return &raw_; }

 private:
  duckdb_result raw_{};
  bool live_ = false;
};

// Error code for a DuckDB error class. For user SQL nearly everything is the user's to fix.
ErrorCode error_code_for(duckdb_error_type type, bool user_sql);

// Throws the Error for a failed result, carrying DuckDB's message.
[[noreturn]] void throw_result_error(duckdb_result* result, bool user_sql);

// Strings DuckDB allocated for us, freed with duckdb_free.
std::string take_duckdb_string(char* text);

}  // namespace superstore::query
