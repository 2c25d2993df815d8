// Catalog on SQLite: one connection guarded by a mutex. Several processes may share the file; every
// read-modify-write runs in a BEGIN IMMEDIATE transaction, so they never interleave.
#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "catalog/catalog.h"
#include "catalog/schema_migrations.h"
#include "catalog/sqlite_db.h"
#include "catalog/stored_json.h"
#include "catalog/table_rules.h"
#include "common/clock.h"
#include "common/error.h"

namespace superstore::catalog {
namespace {

using Kind = Transaction::Kind;

const std::string kSelectTables = R"sql(
  SELECT t.id, d.name, s.name, t.name, t.columns_json, t.partition_keys_json, t.sort_keys_json, t.status,
         t.location, t.created_at_ms, t.target_file_bytes, t.properties_json, t.dropped_at_ms
  FROM tables t JOIN schemas s ON s.id = t.schema_id JOIN databases d ON d.id = s.database_id
)sql";

const std::string kSelectUsers = "SELECT id, email, password_hash, active, created_at_ms FROM users";

// Counters hand out ids far below this, so next + count can never overflow int64.
constexpr int64_t kMaxIdsPerReservation = 1'000'000'000;

std::string table_owner(int64_t id) { return "table id " + std::to_string(id); }

std::string qualified(const std::string& database, const std::string& schema, const std::string& name) {
  return database + "." + schema + "." + name;
}

TableInfo read_table(const Statement& row) {
  TableInfo table;
  table.id = row.column_int64(0);
  std::string owner = table_owner(table.id);
  table.database = row.column_text(1);
  table.schema = row.column_text(2);
  table.name = row.column_text(3);
  table.columns = decode_columns(row.column_text(4), owner);
  table.partition_keys = decode_names(row.column_text(5), owner);
  table.sort_keys = decode_names(row.column_text(6), owner);
  table.status = row.column_text(7) == "active" ? TableStatus::Active : TableStatus::Dropped;
  table.location = row.column_text(8);
  table.created_at_ms = row.column_int64(9);
  table.target_file_bytes = row.column_int64(10);
  table.properties = decode_json(row.column_text(11), owner);
  table.dropped_at_ms = row.column_int64(12);
  return table;
}

UserInfo read_user(const Statement& row) {
  return UserInfo{row.column_int64(0), row.column_text(1), row.column_text(2), row.column_int64(3) != 0,
                  row.column_int64(4)};
}

void check_email(const std::string& email) {
  if (email.empty()) fail(ErrorCode::InvalidArgument, "user email must not be empty");
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      fail(ErrorCode::InvalidArgument, "user email '" + email + "' contains a control character");
  }
}

class SqliteCatalog final : public Catalog {
 public:
  explicit SqliteCatalog(const std::filesystem::path& path) : db_(path) { migrate_schema(db_); }

  void validate_new_table(const NewTable& table) override {
    std::lock_guard lock(mutex_);
    check_table_definition(table);
    check_name_free(table);
  }

  TableInfo create_table(int64_t id, const NewTable& table, const std::string& location) override {
    std::lock_guard lock(mutex_);
    tables_.reset();
    check_new_table_args(id, table, location);
    Transaction tx(db_, Kind::Immediate);
    TableInfo created = insert_table(id, table, location);
    tx.commit();
    return created;
  }

  TableInfo replace_table(int64_t old_id, int64_t id, const NewTable& table, const std::string& location) override {
    std::lock_guard lock(mutex_);
    tables_.reset();
    check_new_table_args(id, table, location);
    Transaction tx(db_, Kind::Immediate);
    drop_replaced(old_id);
    TableInfo created = insert_table(id, table, location);
    tx.commit();
    return created;
  }

  std::vector<TableInfo> publish_tables(const std::vector<TablePlacement>& tables) override {
    std::lock_guard lock(mutex_);
    tables_.reset();
    for (const auto& t : tables) check_new_table_args(t.id, t.table, t.location);
    Transaction tx(db_, Kind::Immediate);
    for (const auto& t : tables) {
      if (t.replaces) drop_replaced(*t.replaces);
    }
    std::vector<TableInfo> created;
    for (const auto& t : tables) created.push_back(insert_table(t.id, t.table, t.location));
    tx.commit();
    return created;
  }

  void delete_dropped_table(int64_t id) override {
    std::lock_guard lock(mutex_);
    tables_.reset();
    Transaction tx(db_, Kind::Immediate);
    TableInfo table = load_table(id);
    if (table.status != TableStatus::Dropped) {
      fail(ErrorCode::Conflict, "table '" + qualified(table.database, table.schema, table.name) + "' (id " +
                                    std::to_string(id) + ") is active; drop it before removing it");
    }
    Statement remove(db_, "DELETE FROM tables WHERE id = ?1");
    remove.bind(1, id).run();
    tx.commit();
  }

  std::optional<TableInfo> find_table(const std::string& database, const std::string& schema,
                                      const std::string& name) override {
    std::lock_guard lock(mutex_);
    Statement query(
        db_, (kSelectTables + " WHERE d.name = ?1 AND s.name = ?2 AND t.name = ?3 AND t.status = 'active'").c_str());
    query.bind(1, database).bind(2, schema).bind(3, name);
    if (!query.step()) return std::nullopt;
    return read_table(query);
  }

  TableInfo get_table(int64_t id) override {
    std::lock_guard lock(mutex_);
    return load_table(id);
  }

  std::vector<TableInfo> list_tables(bool include_dropped) override {
    std::lock_guard lock(mutex_);
    const std::vector<TableInfo>& all = all_tables();
    if (include_dropped) return all;
    std::vector<TableInfo> active;
    std::copy_if(all.begin(), all.end(), std::back_inserter(active),
                 [](const TableInfo& t) { return t.status == TableStatus::Active; });
    return active;
  }

  std::vector<DatabaseListing> list_databases() override {
    std::lock_guard lock(mutex_);
    // One read transaction, so the folders and the tables come from the same snapshot.
    Transaction tx(db_, Kind::Deferred);
    std::vector<DatabaseListing> databases;
    std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> schema_index;
    Statement query(db_, R"sql(
      SELECT d.name, s.name FROM databases d LEFT JOIN schemas s ON s.database_id = d.id
      ORDER BY d.name, s.name)sql");
    while (query.step()) {
      std::string database = query.column_text(0);
      if (databases.empty() || databases.back().name != database) databases.push_back({database, {}});
      if (query.column_is_null(1)) continue;
      std::string schema = query.column_text(1);
      databases.back().schemas.push_back({schema, {}});
      schema_index[{database, schema}] = {databases.size() - 1, databases.back().schemas.size() - 1};
    }
    for (auto& table : load_tables(false)) {
      auto [d, s] = schema_index.at({table.database, table.schema});
      databases[d].schemas[s].tables.push_back(std::move(table));
    }
    tx.commit();
    return databases;
  }

  void drop_table(int64_t id) override {
    std::lock_guard lock(mutex_);
    tables_.reset();
    Transaction tx(db_, Kind::Immediate);
    TableInfo table = load_table(id);
    if (table.status == TableStatus::Dropped) {
      fail(ErrorCode::Conflict, "table '" + qualified(table.database, table.schema, table.name) + "' (id " +
                                    std::to_string(id) + ") is already dropped");
    }
    Statement update(db_, "UPDATE tables SET status = 'dropped', dropped_at_ms = ?2 WHERE id = ?1");
    update.bind(1, id).bind(2, now_ms()).run();
    tx.commit();
  }

  void set_table_properties(int64_t id, const nlohmann::json& properties) override {
    set_tables_properties({{id, properties}});
  }

  void set_tables_properties(const std::vector<std::pair<int64_t, nlohmann::json>>& changes) override {
    std::lock_guard lock(mutex_);
    tables_.reset();
    for (const auto& [id, properties] : changes) {
      if (!properties.is_object())
        fail(ErrorCode::InvalidArgument, "properties of " + table_owner(id) + " must be a JSON object");
    }
    Transaction tx(db_, Kind::Immediate);
    for (const auto& [id, properties] : changes) {
      Statement update(db_, "UPDATE tables SET properties_json = ?2 WHERE id = ?1");
      update.bind(1, id).bind(2, encode_json(properties, "properties of " + table_owner(id))).run();
      if (db_.changes() == 0) fail(ErrorCode::NotFound, table_owner(id) + " does not exist");
    }
    tx.commit();
  }

  int64_t next_id(const std::string& counter, int64_t count) override {
    std::lock_guard lock(mutex_);
    validate_identifier(counter, "counter name");
    if (count < 1 || count > kMaxIdsPerReservation) {
      fail(ErrorCode::InvalidArgument, "counter '" + counter + "': cannot reserve " + std::to_string(count) +
                                           " ids; reserve between 1 and " + std::to_string(kMaxIdsPerReservation));
    }
    Transaction tx(db_, Kind::Immediate);
    Statement read(db_, "SELECT next FROM counters WHERE name = ?1");
    read.bind(1, counter);
    int64_t first = read.step() ? read.column_int64(0) : 1;
    Statement write(
        db_, "INSERT INTO counters (name, next) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET next = excluded.next");
    write.bind(1, counter).bind(2, first + count).run();
    tx.commit();
    return first;
  }

  UserInfo create_user(const std::string& email, const std::string& password_hash) override {
    std::lock_guard lock(mutex_);
    check_email(email);
    if (password_hash.empty())
      fail(ErrorCode::InvalidArgument, "user '" + email + "': password hash must not be empty");
    Transaction tx(db_, Kind::Immediate);
    Statement insert(db_, "INSERT INTO users (email, password_hash, active, created_at_ms) VALUES (?1, ?2, 1, ?3)");
    insert.bind(1, email).bind(2, password_hash).bind(3, now_ms());
    if (!insert.run_unless_constraint_fails()) {
      fail(ErrorCode::Conflict, "a user with email '" + email + "' already exists (emails are compared ignoring case)");
    }
    std::optional<UserInfo> user = load_user_by_id(db_.last_insert_rowid());
    tx.commit();
    return *user;
  }

  std::optional<UserInfo> find_user(const std::string& email) override {
    std::lock_guard lock(mutex_);
    Statement query(db_, (kSelectUsers + " WHERE email = ?1").c_str());
    query.bind(1, email);
    if (!query.step()) return std::nullopt;
    return read_user(query);
  }

  std::optional<UserInfo> get_user(int64_t id) override {
    std::lock_guard lock(mutex_);
    return load_user_by_id(id);
  }

  std::vector<UserInfo> list_users() override {
    std::lock_guard lock(mutex_);
    Statement query(db_, (kSelectUsers + " ORDER BY id").c_str());
    std::vector<UserInfo> users;
    while (query.step()) users.push_back(read_user(query));
    return users;
  }

  void set_user_active(const std::string& email, bool active) override {
    std::lock_guard lock(mutex_);
    Statement update(db_, "UPDATE users SET active = ?2 WHERE email = ?1");
    update.bind(1, email).bind(2, int64_t{active ? 1 : 0}).run();
    if (db_.changes() == 0) fail(ErrorCode::NotFound, "no user has the email '" + email + "'");
  }

  void revoke_token(const std::string& token_id, int64_t expires_at, int64_t now) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_, Kind::Immediate);
    Statement prune(db_, "DELETE FROM revoked_tokens WHERE expires_at <= ?1");
    prune.bind(1, now).run();
    if (expires_at > now) {
      Statement insert(db_, R"sql(
        INSERT INTO revoked_tokens (token_id, expires_at) VALUES (?1, ?2)
        ON CONFLICT (token_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at))sql");
      insert.bind(1, token_id).bind(2, expires_at).run();
    }
    tx.commit();
  }

  bool token_revoked(const std::string& token_id) override {
    std::lock_guard lock(mutex_);
    Statement query(db_, "SELECT 1 FROM revoked_tokens WHERE token_id = ?1");
    query.bind(1, token_id);
    return query.step();
  }

  int64_t revoked_token_count() override {
    std::lock_guard lock(mutex_);
    Statement query(db_, "SELECT count(*) FROM revoked_tokens");
    return query.step() ? query.column_int64(0) : 0;
  }

 private:
  // The helpers below expect mutex_ held.

  // Every table, active and dropped, as the database holds them now. Every query lists the tables, and
  // they change far more rarely, so the list is kept until it may be stale: a method of this connection
  // that writes tables resets it (always first, so a write that fails part-way resets it too), and
  // PRAGMA data_version, which changes whenever another connection (another process: the CLI, a second
  // server) commits, tells of every other write. The version is read before the tables, so a commit in
  // between costs one more reload later, never a stale list.
  const std::vector<TableInfo>& all_tables() {
    Statement version(db_, "PRAGMA data_version");
    if (!version.step()) fail(ErrorCode::Internal, "catalog: PRAGMA data_version gave no row");
    const int64_t now = version.column_int64(0);
    if (!tables_ || tables_version_ != now) {
      tables_ = load_tables(true);
      tables_version_ = now;
    }
    return *tables_;
  }

  // Inside a write transaction: marks the active table `old_id` dropped, for a table taking its place.
  void drop_replaced(int64_t old_id) {
    TableInfo old = load_table(old_id);
    if (old.status == TableStatus::Dropped) {
      fail(ErrorCode::Conflict, "table '" + qualified(old.database, old.schema, old.name) + "' (id " +
                                    std::to_string(old_id) + ") was dropped meanwhile; nothing to replace");
    }
    Statement update(db_, "UPDATE tables SET status = 'dropped', dropped_at_ms = ?2 WHERE id = ?1");
    update.bind(1, old_id).bind(2, now_ms()).run();
  }

  void check_new_table_args(int64_t id, const NewTable& table, const std::string& location) {
    if (id <= 0)
      fail(ErrorCode::InvalidArgument, "table '" + table.name + "': id must be positive, got " + std::to_string(id));
    if (location.empty()) fail(ErrorCode::InvalidArgument, "table '" + table.name + "': location must not be empty");
    check_table_definition(table);
  }

  // Inside a write transaction: registers the table if its name is free.
  TableInfo insert_table(int64_t id, const NewTable& table, const std::string& location) {
    std::string owner = "table '" + table.name + "'";
    std::string properties = encode_json(table.properties, "properties of " + owner);
    check_name_free(table);
    Statement insert(db_, R"sql(
      INSERT INTO tables (id, schema_id, name, columns_json, partition_keys_json, sort_keys_json, status,
                          location, created_at_ms, target_file_bytes, properties_json)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9, ?10))sql");
    insert.bind(1, id)
        .bind(2, ensure_schema(ensure_database(table.database), table.schema))
        .bind(3, table.name)
        .bind(4, encode_columns(table.columns))
        .bind(5, encode_names(table.partition_keys))
        .bind(6, encode_names(table.sort_keys))
        .bind(7, location)
        .bind(8, now_ms())
        .bind(9, table.target_file_bytes)
        .bind(10, properties);
    // The name was checked above inside this transaction, so only the id can clash.
    if (!insert.run_unless_constraint_fails()) {
      fail(ErrorCode::Conflict,
           owner + ": table id " + std::to_string(id) + " is already taken; reserve ids with next_id(\"table\")");
    }
    return load_table(id);
  }

  void check_name_free(const NewTable& table) {
    Statement query(db_, R"sql(
      SELECT t.id, d.name, s.name, t.name
      FROM tables t JOIN schemas s ON s.id = t.schema_id JOIN databases d ON d.id = s.database_id
      WHERE d.name = ?1 AND s.name = ?2 AND t.name = ?3 AND t.status = 'active')sql");
    query.bind(1, table.database).bind(2, table.schema).bind(3, table.name);
    if (query.step()) {
      fail(ErrorCode::Conflict, "table '" + table.name + "': an active table '" +
                                    qualified(query.column_text(1), query.column_text(2), query.column_text(3)) +
                                    "' (id " + std::to_string(query.column_int64(0)) +
                                    ") already exists; drop it or choose another name");
    }
  }

  int64_t ensure_database(const std::string& name) {
    Statement insert(db_, "INSERT INTO databases (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
    insert.bind(1, name).run();
    Statement query(db_, "SELECT id FROM databases WHERE name = ?1");
    query.bind(1, name);
    if (!query.step()) fail(ErrorCode::Internal, "database '" + name + "' vanished while being created");
    return query.column_int64(0);
  }

  int64_t ensure_schema(int64_t database_id, const std::string& name) {
    Statement insert(
        db_, "INSERT INTO schemas (database_id, name) VALUES (?1, ?2) ON CONFLICT (database_id, name) DO NOTHING");
    insert.bind(1, database_id).bind(2, name).run();
    Statement query(db_, "SELECT id FROM schemas WHERE database_id = ?1 AND name = ?2");
    query.bind(1, database_id).bind(2, name);
    if (!query.step()) fail(ErrorCode::Internal, "schema '" + name + "' vanished while being created");
    return query.column_int64(0);
  }

  TableInfo load_table(int64_t id) {
    Statement query(db_, (kSelectTables + " WHERE t.id = ?1").c_str());
    query.bind(1, id);
    if (!query.step()) fail(ErrorCode::NotFound, table_owner(id) + " does not exist");
    return read_table(query);
  }

  std::vector<TableInfo> load_tables(bool include_dropped) {
    std::string sql = kSelectTables + (include_dropped ? "" : " WHERE t.status = 'active'") +
                      " ORDER BY d.name, s.name, t.name, t.id";
    Statement query(db_, sql.c_str());
    std::vector<TableInfo> tables;
    while (query.step()) tables.push_back(read_table(query));
    return tables;
  }

  std::optional<UserInfo> load_user_by_id(int64_t id) {
    Statement query(db_, (kSelectUsers + " WHERE id = ?1").c_str());
    query.bind(1, id);
    if (!query.step()) return std::nullopt;
    return read_user(query);
  }

  std::mutex mutex_;
  SqliteDb db_;
  std::optional<std::vector<TableInfo>> tables_;  // see all_tables()
  int64_t tables_version_ = 0;
};

}  // namespace

std::unique_ptr<Catalog> Catalog::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    fail(ErrorCode::Internal, "catalog '" + path.string() + "': cannot create its folder: " + ec.message());
  }
  return std::make_unique<SqliteCatalog>(path);
}

}  // namespace superstore::catalog
