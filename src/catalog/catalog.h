// The catalog: databases, schemas, tables, users and id counters, kept in one SQLite file (WAL mode).
// It knows names, schemas and keys; which data files make up a table is the storage layer's business
// (the table's Delta log), never the catalog's.
//
// Thread safety: every method may be called from any thread; calls are serialised internally.
// Errors: every failure throws superstore::Error with a message naming the object concerned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/types.h"

namespace superstore::catalog {

enum class TableStatus { Active, Dropped };

struct TableInfo {
  int64_t id = 0;
  std::string database;
  std::string schema;
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::string> partition_keys;
  std::vector<std::string> sort_keys;
  TableStatus status = TableStatus::Active;
  std::string location;           // folder relative to the warehouse root: "<db>/<schema>/<name>-<id>"
  int64_t created_at_ms = 0;      // Unix epoch milliseconds
  int64_t dropped_at_ms = 0;      // when it was dropped; 0 while active (and for tables dropped before
                                  // the catalog recorded it)
  int64_t target_file_bytes = 0;  // 0 = the store's default micro-partition size
  nlohmann::json properties = nlohmann::json::object();  // free-form, e.g. fake-data seed and scale
};

struct NewTable {
  std::string database = "main";
  std::string schema = "public";
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::string> partition_keys;
  std::vector<std::string> sort_keys;
  int64_t target_file_bytes = 0;
  nlohmann::json properties = nlohmann::json::object();
};

// A table whose data is written, to be registered under `id` at `location` (see publish_tables); with
// `replaces`, the active table of that id gives way to it.
struct TablePlacement {
  int64_t id = 0;
  NewTable table;
  std::string location;
  std::optional<int64_t> replaces;
};

struct SchemaListing {
  std::string name;
  std::vector<TableInfo> tables;  // active tables only, by name
};
struct DatabaseListing {
  std::string name;
  std::vector<SchemaListing> schemas;
};

struct UserInfo {
  int64_t id = 0;
  std::string email;          // unique, compared case-insensitively
  std::string password_hash;  // an argon2id string from libsodium; never shown to users
  bool active = true;
  int64_t created_at_ms = 0;
};

class Catalog {
 public:
  // Opens (creating if needed) the catalog at `path`, migrating its schema to the current version.
  static std::unique_ptr<Catalog> open(const std::filesystem::path& path);
  virtual ~Catalog() = default;

  // Checks a new table against the rules without writing anything: identifiers valid, column names
  // unique (ignoring case), partition and sort keys existing columns that do not overlap and are not
  // repeated, partition keys of a type that can live in a path, no active table of the same name in the
  // same database and schema (Conflict). Throws InvalidArgument / Conflict naming table and column.
  virtual void validate_new_table(const NewTable& table) = 0;

  // Registers a table with a previously reserved id (see next_id) and the given location; creates the
  // database and schema when missing. Validates as above first.
  virtual TableInfo create_table(int64_t id, const NewTable& table, const std::string& location) = 0;

  // Like create_table, but in the same transaction marks the active table `old_id` dropped first, so that
  // readers see either the old table or the new one under the name, never neither. Throws Conflict if
  // `old_id` is dropped already.
  virtual TableInfo replace_table(int64_t old_id, int64_t id, const NewTable& table, const std::string& location) = 0;

  // Registers every table of `tables` in one transaction, each dropping the table it replaces first, so
  // that readers see all the old tables or all the new ones. Nothing is registered when any fails (the
  // errors of create_table and replace_table).
  virtual std::vector<TableInfo> publish_tables(const std::vector<TablePlacement>& tables) = 0;

  // Forgets a dropped table for good (its files are the caller's to remove). Throws NotFound, or
  // Conflict if the table is active.
  virtual void delete_dropped_table(int64_t id) = 0;

  // The active table called `name` in `database`.`schema`, if any.
  virtual std::optional<TableInfo> find_table(const std::string& database, const std::string& schema,
                                              const std::string& name) = 0;
  // Any table by id, active or dropped; throws NotFound.
  virtual TableInfo get_table(int64_t id) = 0;
  // All tables (active only unless include_dropped), ordered by database, schema, name, id.
  virtual std::vector<TableInfo> list_tables(bool include_dropped = false) = 0;
  // Databases -> schemas -> active tables, nested, every level sorted by name.
  virtual std::vector<DatabaseListing> list_databases() = 0;
  // Marks a table dropped (its files stay); throws NotFound, or Conflict if already dropped.
  virtual void drop_table(int64_t id) = 0;
  // Replaces a table's properties JSON; throws NotFound.
  virtual void set_table_properties(int64_t id, const nlohmann::json& properties) = 0;
  // Replaces the properties of several tables (id, properties) in one transaction: all or none.
  virtual void set_tables_properties(const std::vector<std::pair<int64_t, nlohmann::json>>& changes) = 0;

  // Reserves `count` consecutive ids from the named counter ("table", "micro_partition", ...) and
  // returns the first. Ids start at 1 and are never handed out twice, even across restarts.
  virtual int64_t next_id(const std::string& counter, int64_t count = 1) = 0;

  // Users. create_user throws Conflict if the email exists (ignoring case).
  virtual UserInfo create_user(const std::string& email, const std::string& password_hash) = 0;
  virtual std::optional<UserInfo> find_user(const std::string& email) = 0;
  virtual std::optional<UserInfo> get_user(int64_t id) = 0;
  virtual std::vector<UserInfo> list_users() = 0;
  // Enables or disables a user; throws NotFound.
  virtual void set_user_active(const std::string& email, bool active) = 0;

  // Tokens revoked by logout, by an id of the caller's (a digest of the token), until `expires_at`
  // (seconds since the epoch). Every revoke also forgets the revocations expired at `now`, so the table
  // holds only tokens that would still verify. Shared by every process that opens the file.
  virtual void revoke_token(const std::string& token_id, int64_t expires_at, int64_t now) = 0;
  virtual bool token_revoked(const std::string& token_id) = 0;
  // How many revocations are kept (expired ones included until the next revoke prunes them).
  virtual int64_t revoked_token_count() = 0;
};

}  // namespace superstore::catalog
