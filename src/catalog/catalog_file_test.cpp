// The catalog file itself: persistence, concurrency between openers, and files that are not ours.
#include <sqlite3.h>

#include <fstream>
#include <thread>

#include "catalog/test_support.h"

namespace superstore::catalog {
namespace {

// Runs SQL on the file through a separate plain SQLite connection, as another tool would.
std::string sql_on(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  std::string result;
  char* error = nullptr;
  int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        for (int i = 0; i < columns; ++i) *static_cast<std::string*>(out) += values[i] ? values[i] : "NULL";
        return 0;
      },
      &result, &error);
  if (rc != SQLITE_OK) result = "error: " + std::string(error ? error : "?");
  sqlite3_free(error);
  sqlite3_close(db);
  return result;
}

using CatalogFile = CatalogTest;

TEST_F(CatalogFile, ReopeningKeepsEverything) {
  NewTable t = orders();
  t.properties = {{"seed", 7}};
  TableInfo kept = create(t);
  TableInfo gone = create([] {
    NewTable other = orders();
    other.name = "gone";
    return other;
  }());
  catalog().drop_table(gone.id);
  catalog().create_user("ada@example.com", "hash");
  catalog().next_id("micro_partition", 50);

  reopen();
  TableInfo again = catalog().get_table(kept.id);
  EXPECT_EQ(again.name, "orders");
  EXPECT_EQ(again.columns, t.columns);
  EXPECT_EQ(again.partition_keys, t.partition_keys);
  EXPECT_EQ(again.sort_keys, t.sort_keys);
  EXPECT_EQ(again.location, kept.location);
  EXPECT_EQ(again.created_at_ms, kept.created_at_ms);
  EXPECT_EQ(again.properties, t.properties);
  EXPECT_EQ(catalog().get_table(gone.id).status, TableStatus::Dropped);
  EXPECT_EQ(catalog().list_tables().size(), 1u);
  EXPECT_TRUE(catalog().find_user("ada@example.com").has_value());
  EXPECT_EQ(catalog().next_id("micro_partition"), 51);
  EXPECT_EQ(catalog().next_id("table"), 3);
}

// A catalog written by the first schema (no revoked tokens, no drop times) is brought up to date and
// keeps its tables; a table dropped back then reads as dropped at time 0, "long ago".
TEST_F(CatalogFile, AVersionOneCatalogIsMigratedKeepingItsTables) {
  TableInfo kept = create(orders());
  NewTable other = orders();
  other.name = "old";
  TableInfo old = create(other);
  catalog().drop_table(old.id);
  catalog().revoke_token("t", 2'000, 1'000);
  // What the first schema left: the same file without what version 2 added.
  ASSERT_EQ(sql_on(file(),
                   "DROP INDEX revoked_tokens_expiry; DROP TABLE revoked_tokens; "
                   "ALTER TABLE tables DROP COLUMN dropped_at_ms; PRAGMA user_version = 1"),
            "");
  EXPECT_EQ(sql_on(file(), "PRAGMA user_version"), "1");
  reopen();
  EXPECT_EQ(sql_on(file(), "PRAGMA user_version"), "2");
  EXPECT_EQ(catalog().find_table("main", "public", "orders")->id, kept.id);
  EXPECT_EQ(catalog().get_table(old.id).status, TableStatus::Dropped);
  EXPECT_EQ(catalog().get_table(old.id).dropped_at_ms, 0);
  EXPECT_FALSE(catalog().token_revoked("t"));
  catalog().revoke_token("t", 2'000, 1'000);
  EXPECT_TRUE(catalog().token_revoked("t"));
}

TEST_F(CatalogFile, CreatesMissingFoldersAndUsesWal) {
  TempFolder folder;
  std::filesystem::path path = folder.path() / "deep" / "er" / "catalog.db";
  Catalog::open(path)->next_id("table");
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(sql_on(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(sql_on(path, "PRAGMA user_version"), "2");
}

TEST_F(CatalogFile, DatabaseItselfKeepsActiveNamesUnique) {
  create(orders());
  std::string copy_as_active =
      "INSERT INTO tables (id, schema_id, name, columns_json, partition_keys_json, sort_keys_json, status, location,"
      " created_at_ms) SELECT 99, schema_id, 'ORDERS', columns_json, partition_keys_json, sort_keys_json, 'active',"
      " 'x', 0 FROM tables WHERE id = 1";
  EXPECT_NE(sql_on(file(), copy_as_active).find("UNIQUE constraint failed"), std::string::npos);
  std::string copy_as_dropped =
      "INSERT INTO tables (id, schema_id, name, columns_json, partition_keys_json, sort_keys_json, status, location,"
      " created_at_ms) SELECT 99, schema_id, 'orders', columns_json, partition_keys_json, sort_keys_json, 'dropped',"
      " 'x', 0 FROM tables WHERE id = 1";
  EXPECT_EQ(sql_on(file(), copy_as_dropped), "");
  EXPECT_EQ(catalog().get_table(99).status, TableStatus::Dropped);
}

TEST_F(CatalogFile, NonSqliteFileIsAClearError) {
  for (const std::string& garbage : {std::string(8192, 'x'), std::string("hello"), std::string(100, '\0') + "junk"}) {
    std::ofstream(file(), std::ios::binary | std::ios::trunc) << garbage;
    Error e = error_of([&] { Catalog::open(file()); });
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_NE(std::string(e.what()).find(file().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a SQLite database"), std::string::npos) << e.what();
  }
}

TEST_F(CatalogFile, FolderInPlaceOfTheFileIsAClearError) {
  std::filesystem::create_directories(file());
  Error e = error_of([&] { Catalog::open(file()); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_NE(std::string(e.what()).find(file().string()), std::string::npos) << e.what();
}

TEST_F(CatalogFile, AnotherProgramsDatabaseIsRefusedUntouched) {
  sql_on(file(), "CREATE TABLE notes (body TEXT)");
  Error e = error_of([&] { Catalog::open(file()); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_NE(std::string(e.what()).find("not a superstore catalog"), std::string::npos) << e.what();
  EXPECT_EQ(sql_on(file(), "SELECT count(*) FROM sqlite_master"), "1");
}

TEST_F(CatalogFile, NewerSchemaVersionIsRefused) {
  catalog();
  reopen();  // a second open of a current file migrates nothing
  sql_on(file(), "PRAGMA user_version = 99");
  Error e = error_of([&] { reopen(); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
}

TEST_F(CatalogFile, ManyOpenersOfANewFileAllSucceed) {
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Catalog>> catalogs(6);
  std::vector<std::string> errors(6);
  for (size_t i = 0; i < catalogs.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        catalogs[i] = Catalog::open(file());
        catalogs[i]->next_id("table");
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  EXPECT_EQ(sql_on(file(), "PRAGMA user_version"), "2");
  EXPECT_EQ(catalog().next_id("table"), 7);
}

}  // namespace
}  // namespace superstore::catalog
