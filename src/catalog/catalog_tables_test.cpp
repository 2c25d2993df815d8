#include <chrono>

#include "catalog/test_support.h"
#include "common/clock.h"

namespace superstore::catalog {
namespace {

std::vector<std::string> names_of(const std::vector<TableInfo>& tables) {
  std::vector<std::string> names;
  for (const auto& t : tables) names.push_back(t.database + "." + t.schema + "." + t.name + "#" + std::to_string(t.id));
  return names;
}

using CatalogTables = CatalogTest;

TEST_F(CatalogTables, CreateReturnsWhatGetAndFindReturn) {
  NewTable definition = orders();
  definition.target_file_bytes = 1 << 20;
  definition.properties = {{"seed", 42}, {"fake", true}};
  int64_t before = now_ms();
  TableInfo created = catalog().create_table(7, definition, "main/public/orders-7");

  EXPECT_EQ(created.id, 7);
  EXPECT_EQ(created.database, "main");
  EXPECT_EQ(created.schema, "public");
  EXPECT_EQ(created.name, "orders");
  EXPECT_EQ(created.columns, definition.columns);
  EXPECT_EQ(created.partition_keys, std::vector<std::string>{"dept"});
  EXPECT_EQ(created.sort_keys, std::vector<std::string>{"id"});
  EXPECT_EQ(created.status, TableStatus::Active);
  EXPECT_EQ(created.location, "main/public/orders-7");
  EXPECT_GE(created.created_at_ms, before);
  EXPECT_LE(created.created_at_ms, now_ms());
  EXPECT_EQ(created.target_file_bytes, 1 << 20);
  EXPECT_EQ(created.properties, definition.properties);

  TableInfo got = catalog().get_table(7);
  auto found = catalog().find_table("main", "public", "orders");
  ASSERT_TRUE(found.has_value());
  for (const TableInfo* t : {&got, &*found}) {
    EXPECT_EQ(t->id, created.id);
    EXPECT_EQ(t->columns, created.columns);
    EXPECT_EQ(t->location, created.location);
    EXPECT_EQ(t->created_at_ms, created.created_at_ms);
    EXPECT_EQ(t->properties, created.properties);
  }
}

TEST_F(CatalogTables, NamesCompareIgnoringCaseLikeSqlIdentifiers) {
  create(orders());
  EXPECT_TRUE(catalog().find_table("MAIN", "Public", "ORDERS").has_value());
  NewTable shouting = orders();
  shouting.database = "Main";
  shouting.schema = "PUBLIC";
  shouting.name = "Orders";
  EXPECT_EQ(error_of([&] { create(shouting); }).code(), ErrorCode::Conflict);
  shouting.name = "other";
  TableInfo other = create(shouting);
  EXPECT_EQ(other.database, "main");  // the spelling the database was created with
  EXPECT_EQ(other.schema, "public");
}

TEST_F(CatalogTables, UnknownTablesAreAbsentOrNotFound) {
  EXPECT_FALSE(catalog().find_table("main", "public", "nope").has_value());
  Error e = error_of([&] { catalog().get_table(99); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_NE(std::string(e.what()).find("99"), std::string::npos);
}

TEST_F(CatalogTables, ActiveNameTakenIsAConflictNamingTheTable) {
  TableInfo first = create(orders());
  Error e = error_of([&] { create(orders()); });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("main.public.orders"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("id " + std::to_string(first.id)), std::string::npos) << e.what();

  NewTable elsewhere = orders();
  elsewhere.schema = "staging";
  EXPECT_NO_THROW(create(elsewhere));
  elsewhere.database = "other";
  EXPECT_NO_THROW(create(elsewhere));
}

TEST_F(CatalogTables, TakenIdIsAConflict) {
  catalog().create_table(5, orders(), "main/public/orders-5");
  NewTable other = orders();
  other.name = "other";
  Error e = error_of([&] { catalog().create_table(5, other, "main/public/other-5"); });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("id 5"), std::string::npos) << e.what();
  EXPECT_FALSE(catalog().find_table("main", "public", "other").has_value());
}

TEST_F(CatalogTables, IdAndLocationAreChecked) {
  EXPECT_EQ(error_of([&] { catalog().create_table(0, orders(), "x"); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().create_table(1, orders(), ""); }).code(), ErrorCode::InvalidArgument);
  EXPECT_TRUE(catalog().list_tables(true).empty());
}

TEST_F(CatalogTables, DropKeepsTheRowAndFreesTheName) {
  TableInfo old_table = create(orders());
  catalog().drop_table(old_table.id);

  EXPECT_FALSE(catalog().find_table("main", "public", "orders").has_value());
  TableInfo dropped = catalog().get_table(old_table.id);
  EXPECT_EQ(dropped.status, TableStatus::Dropped);
  EXPECT_EQ(dropped.location, old_table.location);
  EXPECT_EQ(dropped.columns, old_table.columns);

  TableInfo new_table = create(orders());
  EXPECT_NE(new_table.id, old_table.id);
  EXPECT_EQ(catalog().find_table("main", "public", "orders")->id, new_table.id);
  EXPECT_EQ(catalog().list_tables().size(), 1u);
  std::vector<TableInfo> all = catalog().list_tables(true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, old_table.id);  // same name: ordered by id
  EXPECT_EQ(all[0].status, TableStatus::Dropped);
  EXPECT_EQ(all[1].id, new_table.id);
  EXPECT_EQ(all[1].status, TableStatus::Active);

  // Dropping again and again with the name reused still works.
  catalog().drop_table(new_table.id);
  create(orders());
  EXPECT_EQ(catalog().list_tables(true).size(), 3u);
}

TEST_F(CatalogTables, DropUnknownIsNotFoundAndDropTwiceIsAConflict) {
  EXPECT_EQ(error_of([&] { catalog().drop_table(42); }).code(), ErrorCode::NotFound);
  TableInfo table = create(orders());
  catalog().drop_table(table.id);
  Error e = error_of([&] { catalog().drop_table(table.id); });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("orders"), std::string::npos) << e.what();
}

TEST_F(CatalogTables, ListTablesIsOrderedByDatabaseSchemaNameId) {
  for (auto [db, schema, name] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"main", "public", "zebra"},
                                                                      {"main", "public", "apple"},
                                                                      {"main", "a_schema", "x"},
                                                                      {"analytics", "public", "y"},
                                                                      {"Beta", "public", "q"}}) {
    NewTable t = orders();
    t.database = db;
    t.schema = schema;
    t.name = name;
    create(t);
  }
  EXPECT_EQ(names_of(catalog().list_tables()),
            (std::vector<std::string>{"analytics.public.y#4", "Beta.public.q#5", "main.a_schema.x#3",
                                      "main.public.apple#2", "main.public.zebra#1"}));
}

TEST_F(CatalogTables, ListDatabasesNestsSortedAndShowsOnlyActiveTables) {
  auto make = [&](const std::string& db, const std::string& schema, const std::string& name) {
    NewTable t = orders();
    t.database = db;
    t.schema = schema;
    t.name = name;
    return create(t);
  };
  make("main", "public", "orders");
  make("main", "public", "customers");
  make("main", "sales", "leads");
  make("archive", "old", "gone");
  TableInfo dropped = make("main", "public", "temp");
  catalog().drop_table(dropped.id);
  TableInfo only = make("empty_db", "s", "t");
  catalog().drop_table(only.id);

  std::vector<DatabaseListing> listing = catalog().list_databases();
  ASSERT_EQ(listing.size(), 3u);
  EXPECT_EQ(listing[0].name, "archive");
  EXPECT_EQ(listing[1].name, "empty_db");
  EXPECT_EQ(listing[2].name, "main");
  ASSERT_EQ(listing[1].schemas.size(), 1u);
  EXPECT_TRUE(listing[1].schemas[0].tables.empty());  // folders stay when their last table is dropped

  const auto& main = listing[2];
  ASSERT_EQ(main.schemas.size(), 2u);
  EXPECT_EQ(main.schemas[0].name, "public");
  EXPECT_EQ(main.schemas[1].name, "sales");
  ASSERT_EQ(main.schemas[0].tables.size(), 2u);
  EXPECT_EQ(main.schemas[0].tables[0].name, "customers");
  EXPECT_EQ(main.schemas[0].tables[1].name, "orders");
  EXPECT_EQ(main.schemas[0].tables[1].columns, orders().columns);
  ASSERT_EQ(main.schemas[1].tables.size(), 1u);
  EXPECT_EQ(main.schemas[1].tables[0].name, "leads");
}

TEST_F(CatalogTables, ListDatabasesOfAnEmptyCatalogIsEmpty) { EXPECT_TRUE(catalog().list_databases().empty()); }

TEST_F(CatalogTables, PropertiesRoundTripAndReplace) {
  NewTable t = orders();
  t.properties = {{"seed", 42}, {"scale", 2.5}, {"tags", {"fake", "demo"}}, {"name", "caf\xC3\xA9"}};
  TableInfo table = create(t);
  EXPECT_EQ(catalog().get_table(table.id).properties, t.properties);

  nlohmann::json replaced = {{"rows", 1000000}};
  catalog().set_table_properties(table.id, replaced);
  EXPECT_EQ(catalog().get_table(table.id).properties, replaced);
  reopen();
  EXPECT_EQ(catalog().get_table(table.id).properties, replaced);

  EXPECT_EQ(error_of([&] { catalog().set_table_properties(table.id, nlohmann::json::array()); }).code(),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] {
              catalog().set_table_properties(table.id, {{"bad", "\xFF"}});
            }).code(),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().set_table_properties(999, replaced); }).code(), ErrorCode::NotFound);
  EXPECT_EQ(catalog().get_table(table.id).properties, replaced);
}

// list_tables keeps its answer between calls; every write, by this connection or another one (another
// process), must show in the next answer.
TEST_F(CatalogTables, ListTablesShowsEveryWriteOfThisConnectionAndOfOthers) {
  auto ids_of = [](const std::vector<TableInfo>& tables) {
    std::vector<int64_t> ids;
    for (const auto& t : tables) ids.push_back(t.id);
    return ids;
  };
  TableInfo first = create(orders());
  EXPECT_EQ(ids_of(catalog().list_tables()), std::vector<int64_t>{first.id});

  auto other = Catalog::open(file());
  EXPECT_EQ(ids_of(other->list_tables()), std::vector<int64_t>{first.id});
  NewTable more = orders();
  more.name = "more";
  int64_t more_id = other->next_id("table");
  other->create_table(more_id, more, "main/public/more");
  EXPECT_EQ(ids_of(catalog().list_tables()), (std::vector<int64_t>{more_id, first.id}));
  other->drop_table(more_id);
  EXPECT_EQ(ids_of(catalog().list_tables()), std::vector<int64_t>{first.id});
  EXPECT_EQ(ids_of(catalog().list_tables(true)), (std::vector<int64_t>{more_id, first.id}));
  other->set_table_properties(first.id, {{"by", "other"}});
  EXPECT_EQ(catalog().list_tables().at(0).properties, (nlohmann::json{{"by", "other"}}));

  // This connection's own writes: SQLite's data_version does not change for them.
  catalog().set_table_properties(first.id, {{"by", "this"}});
  EXPECT_EQ(catalog().list_tables().at(0).properties, (nlohmann::json{{"by", "this"}}));
  int64_t replacement = catalog().next_id("table");
  catalog().replace_table(first.id, replacement, orders(), "main/public/orders-r");
  EXPECT_EQ(ids_of(catalog().list_tables()), std::vector<int64_t>{replacement});
  EXPECT_EQ(ids_of(other->list_tables()), std::vector<int64_t>{replacement});
  catalog().drop_table(replacement);
  EXPECT_TRUE(catalog().list_tables().empty());
  TableInfo again = create(orders());
  EXPECT_EQ(ids_of(catalog().list_tables()), std::vector<int64_t>{again.id});
  EXPECT_EQ(ids_of(other->list_tables()), std::vector<int64_t>{again.id});
  // A write that fails changes nothing, and the list says so.
  EXPECT_THROW(catalog().create_table(catalog().next_id("table"), orders(), "main/public/dup"), Error);
  EXPECT_EQ(ids_of(catalog().list_tables()), std::vector<int64_t>{again.id});
}

TEST_F(CatalogTables, DefaultPropertiesAreAnEmptyObject) {
  TableInfo table = create(orders());
  EXPECT_TRUE(table.properties.is_object());
  EXPECT_TRUE(table.properties.empty());
  EXPECT_EQ(table.target_file_bytes, 0);
}

}  // namespace
}  // namespace superstore::catalog

namespace superstore::catalog {
namespace {

TEST(CatalogReplace, SwapsTablesUnderOneNameInOneStep) {
  auto dir = std::filesystem::temp_directory_path() / ("ss-replace-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto cat = Catalog::open(dir / "catalog.db");
    NewTable t;
    t.name = "fake_users";
    t.columns = {{"id", ColumnType::Int64}};
    int64_t old_id = cat->next_id("table");
    cat->create_table(old_id, t, "main/public/fake_users-" + std::to_string(old_id));
    int64_t new_id = cat->next_id("table");
    TableInfo fresh = cat->replace_table(old_id, new_id, t, "main/public/fake_users-" + std::to_string(new_id));
    EXPECT_EQ(fresh.id, new_id);
    EXPECT_EQ(cat->get_table(old_id).status, TableStatus::Dropped);
    EXPECT_EQ(cat->find_table("main", "public", "fake_users")->id, new_id);
    // Replacing a table that is no longer active is a conflict and changes nothing.
    int64_t third = cat->next_id("table");
    EXPECT_THROW(cat->replace_table(old_id, third, t, "x"), Error);
    EXPECT_EQ(cat->find_table("main", "public", "fake_users")->id, new_id);
    EXPECT_THROW(cat->get_table(third), Error);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace superstore::catalog
