#include "catalog/schema_migrations.h"

#include <cstdint>
#include <iterator>
#include <string>

#include "common/error.h"

namespace superstore::catalog {
namespace {

// Marks the file as a superstore catalog (PRAGMA application_id), so another program's SQLite file is
// refused instead of silently gaining our tables. "SSCT" in ASCII.
constexpr int kApplicationId = 0x53534354;

// Names compare case-insensitively (COLLATE NOCASE), as identifiers do in SQL: "Orders" and "orders"
// are one table to DuckDB, so they must be one name here. Append new migrations; never edit old ones.
constexpr const char* kMigrations[] = {
    // 1: the first schema.
    R"sql(
      CREATE TABLE databases (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
      );
      CREATE TABLE schemas (
        id          INTEGER PRIMARY KEY,
        database_id INTEGER NOT NULL REFERENCES databases(id),
        name        TEXT NOT NULL COLLATE NOCASE,
        UNIQUE (database_id, name)
      );
      CREATE TABLE tables (
        id                  INTEGER PRIMARY KEY,
        schema_id           INTEGER NOT NULL REFERENCES schemas(id),
        name                TEXT NOT NULL COLLATE NOCASE,
        columns_json        TEXT NOT NULL,
        partition_keys_json TEXT NOT NULL,
        sort_keys_json      TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('active', 'dropped')),
        location            TEXT NOT NULL,
        created_at_ms       INTEGER NOT NULL,
        target_file_bytes   INTEGER NOT NULL DEFAULT 0 CHECK (target_file_bytes >= 0),
        properties_json     TEXT NOT NULL DEFAULT '{}'
      );
      -- Names are unique among active tables only, so a dropped table keeps its row and its name is free.
      CREATE UNIQUE INDEX tables_active_name ON tables (schema_id, name) WHERE status = 'active';
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        next INTEGER NOT NULL CHECK (next >= 1)
      ) WITHOUT ROWID;
      CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at_ms INTEGER NOT NULL
      );
    )sql",
    // 2: when a table was dropped (0: active, or dropped before this column existed), so that old
    // generations of fake tables can be removed once no query can still read them; and the tokens revoked
    // by logout, kept until they expire, so that a restart does not accept them again.
    R"sql(
      ALTER TABLE tables ADD COLUMN dropped_at_ms INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE revoked_tokens (
        token_id   TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
    )sql",
};

int64_t read_pragma(SqliteDb& db, const char* pragma) {
  Statement stmt(db, pragma);
  return stmt.step() ? stmt.column_int64(0) : 0;
}

bool has_any_schema_object(SqliteDb& db) {
  Statement stmt(db, "SELECT 1 FROM sqlite_master LIMIT 1");
  return stmt.step();
}

// Refuses files that are not ours before anything is written to them.
void check_owner(SqliteDb& db, int64_t version) {
  bool foreign = version == 0 ? has_any_schema_object(db) : read_pragma(db, "PRAGMA application_id") != kApplicationId;
  if (foreign) {
    fail(ErrorCode::Internal, "catalog '" + db.path() +
                                  "' is a SQLite database of another program, not a superstore catalog; "
                                  "point DATA_DIR elsewhere");
  }
  if (version > latest_schema_version()) {
    fail(ErrorCode::Internal, "catalog '" + db.path() + "' has schema version " + std::to_string(version) +
                                  ", newer than this superstore understands (" +
                                  std::to_string(latest_schema_version()) + "); upgrade superstore");
  }
}

}  // namespace

int latest_schema_version() { return static_cast<int>(std::size(kMigrations)); }

void migrate_schema(SqliteDb& db) {
  {
    // Both reads in one snapshot: read apart, another opener's first migration could commit between them
    // and make our new file look like another program's (a version of 0 beside our tables).
    Transaction snapshot(db, Transaction::Kind::Deferred);
    check_owner(db, read_pragma(db, "PRAGMA user_version"));
    snapshot.commit();
  }
  for (int target = 1; target <= latest_schema_version(); ++target) {
    if (read_pragma(db, "PRAGMA user_version") >= target) continue;
    Transaction tx(db, Transaction::Kind::Immediate);
    // Another process may have migrated while we waited for the write lock.
    int64_t version = read_pragma(db, "PRAGMA user_version");
    if (version >= target) continue;
    check_owner(db, version);
    db.exec(kMigrations[target - 1]);
    // PRAGMAs take no bound parameters; the values are our own constants, not user input.
    db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
    db.exec(("PRAGMA user_version = " + std::to_string(target)).c_str());
    tx.commit();
  }
}

}  // namespace superstore::catalog
