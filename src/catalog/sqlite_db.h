// A small RAII layer over SQLite's C API (internal to the catalog). Every SQL text given to it is a
// constant of this layer; values from users only ever travel as bound parameters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace superstore::catalog {

class SqliteDb {
 public:
  // Opens or creates the file and sets the connection up: WAL, busy timeout, foreign keys,
  // synchronous=NORMAL. Throws Error(Internal) naming the file, e.g. when it is not a SQLite database.
  explicit SqliteDb(const std::filesystem::path& path);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs constant SQL (one or more statements, no parameters).
  void exec(const char* sql);
  int64_t changes() const;
  int64_t last_insert_rowid() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  // Throws Error for SQLite result code `rc`, with the connection's message and `what` was being done.
  [[noreturn]] void fail_sqlite(int rc, std::string_view what) const;

  // How many compiled statements wait for their SQL to come again (see Statement).
  size_t idle_statements() const { return idle_.size(); }

 private:
  friend class Statement;
  sqlite3_stmt* take_statement(const std::string& sql);
  void return_statement(std::string sql, sqlite3_stmt* stmt);

  sqlite3* db_ = nullptr;
  std::string path_;
  // Finished statements, reset and unbound, by SQL text: at most one per text.
  std::unordered_map<std::string, sqlite3_stmt*> idle_;
};

// A prepared statement. bind() takes 1-based parameter indexes, column() 0-based result columns.
// Compiling SQL costs more than running the small lookups that every request makes (the token's user,
// PRAGMA data_version), so a finished statement goes back to its connection, reset and unbound, and the
// next Statement of the same SQL text takes it instead of compiling again. SQLite recompiles it by
// itself if the schema changed meanwhile.
class Statement {
 public:
  Statement(SqliteDb& db, const char* sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view value);

  // Advances to the next row: true while there is one, false when done; throws on failure.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  // Like run, but returns false instead of throwing when a UNIQUE, PRIMARY KEY or other constraint
  // fails, so that the caller can say which rule was broken.
  bool run_unless_constraint_fails();

  int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// BEGIN ... COMMIT, rolled back by the destructor unless committed. Writers use Immediate: it takes the
// write lock at BEGIN, where the busy timeout can wait for it, instead of at the first write, where
// SQLite must fail at once to avoid a deadlock between two upgrading readers.
class Transaction {
 public:
  enum class Kind { Deferred, Immediate };
  Transaction(SqliteDb& db, Kind kind);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  SqliteDb& db_;
  bool open_ = true;
};

}  // namespace superstore::catalog
