#include "catalog/sqlite_db.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "common/error.h"

namespace superstore::catalog {
namespace {

// Long enough to outwait another process's catalog write (each is a few statements), short enough that
// a stuck process is reported instead of hanging a request.
constexpr int kBusyTimeoutMs = 10'000;

// The catalog's SQL texts are constants of this layer, a few dozen in all; the bound only guards
// against a caller that builds texts without end.
constexpr size_t kIdleStatementsKept = 128;

}  // namespace

SqliteDb::SqliteDb(const std::filesystem::path& path) : path_(path.string()) {
  int rc =
      sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    fail(ErrorCode::Internal, "catalog '" + path_ + "' cannot be opened: " + message);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    exec("PRAGMA foreign_keys = ON");
    // The first statement that reads the file: a file that is not a database fails here. Switching a new
    // file to WAL needs it to itself, and SQLite answers BUSY at once, without the busy handler, while
    // another connection switches it too (several processes starting on a fresh DATA_DIR): so wait here.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
      int rc = sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) break;
      if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
        fail_sqlite(rc, "PRAGMA journal_mode = WAL");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // With WAL, NORMAL never corrupts the database; a power cut may lose only the last commits.
    exec("PRAGMA synchronous = NORMAL");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteDb::~SqliteDb() {
  // Statements in use are scoped to the calls that use them, so once the idle ones are finalized none is
  // left open and close succeeds.
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close(db_);
}

sqlite3_stmt* SqliteDb::take_statement(const std::string& sql) {
  if (auto it = idle_.find(sql); it != idle_.end()) {
    sqlite3_stmt* stmt = it->second;
    idle_.erase(it);
    return stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    fail_sqlite(rc, sql);
  }
  return stmt;
}

void SqliteDb::return_statement(std::string sql, sqlite3_stmt* stmt) {
  // reset() repeats the last step's error, which its caller has already seen (or chose to ignore).
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  // A second statement of the same text (two in use at once) is dropped rather than kept.
  if (idle_.size() >= kIdleStatementsKept || !idle_.try_emplace(std::move(sql), stmt).second) sqlite3_finalize(stmt);
}

void SqliteDb::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(rc, sql);
}

int64_t SqliteDb::changes() const { return sqlite3_changes(db_); }
int64_t SqliteDb::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void SqliteDb::fail_sqlite(int rc, std::string_view what) const {
  std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      fail(ErrorCode::Internal, "catalog '" + path_ + "' is not a SQLite database or is damaged (" + message +
                                    "); restore it from a backup or move it away to start afresh");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      fail(ErrorCode::Internal, "catalog '" + path_ + "' is locked by another connection (waited up to " +
                                    std::to_string(kBusyTimeoutMs / 1000) + " s): " + message);
    case SQLITE_FULL:
      fail(ErrorCode::InsufficientStorage,
           "no space left on device while writing catalog '" + path_ + "' (" + message + ")");
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
      fail(ErrorCode::Internal, "catalog '" + path_ + "' cannot be written or read: " + message);
    default:
      fail(ErrorCode::Internal, "catalog '" + path_ + "': " + message + " (while running: " + std::string(what) + ")");
  }
}

Statement::Statement(SqliteDb& db, const char* sql) : db_(db), sql_(sql) { stmt_ = db_.take_statement(sql_); }

Statement::~Statement() { db_.return_statement(std::move(sql_), stmt_); }

Statement& Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail_sqlite(rc, sql_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_.fail_sqlite(rc, sql_);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail_sqlite(rc, sql_);
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::run_unless_constraint_fails() {
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
  }
  if (rc == SQLITE_DONE) return true;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    sqlite3_reset(stmt_);
    return false;
  }
  db_.fail_sqlite(rc, sql_);
}

int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  // column_text before column_bytes: the order SQLite documents for a stable size.
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int bytes = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(text, static_cast<size_t>(bytes)) : std::string();
}

bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Transaction::Transaction(SqliteDb& db, Kind kind) : db_(db) {
  db_.exec(kind == Kind::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace superstore::catalog
