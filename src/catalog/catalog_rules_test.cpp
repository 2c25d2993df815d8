// Every rule a new table must follow, each broken once, with the message a user would see.
#include "catalog/test_support.h"

namespace superstore::catalog {
namespace {

class CatalogRules : public CatalogTest {
 protected:
  // The message of the InvalidArgument error that validate_new_table and create_table both throw for
  // `table`, having checked that create_table wrote nothing.
  std::string rejection(const NewTable& table) {
    Error validated = error_of([&] { catalog().validate_new_table(table); });
    EXPECT_EQ(validated.code(), ErrorCode::InvalidArgument) << validated.what();
    Error created = error_of([&] { catalog().create_table(100, table, "x/y/z-100"); });
    EXPECT_EQ(std::string(created.what()), std::string(validated.what()));
    EXPECT_TRUE(catalog().list_tables(true).empty());
    EXPECT_TRUE(catalog().list_databases().empty());
    return validated.what();
  }
};

TEST_F(CatalogRules, ValidDefinitionPassesAndWritesNothing) {
  EXPECT_NO_THROW(catalog().validate_new_table(orders()));
  EXPECT_TRUE(catalog().list_tables(true).empty());
}

TEST_F(CatalogRules, NamesMustBeIdentifiers) {
  NewTable t = orders();
  t.name = "1orders";
  EXPECT_EQ(rejection(t), "table name '1orders' must start with a letter or an underscore");
  t = orders();
  t.database = "my-db";
  EXPECT_EQ(rejection(t), "database name 'my-db' may hold only letters, digits and underscores");
  t = orders();
  t.schema = "";
  EXPECT_EQ(rejection(t), "schema name must not be empty");
  t = orders();
  t.name = "../escape";
  EXPECT_NE(rejection(t).find("table name '../escape'"), std::string::npos);
}

TEST_F(CatalogRules, ColumnNamesMustBeIdentifiers) {
  NewTable t = orders();
  t.columns.push_back({"bad col", ColumnType::Int64});
  EXPECT_EQ(rejection(t), "table 'orders': column name 'bad col' may hold only letters, digits and underscores");
}

TEST_F(CatalogRules, TableNeedsColumns) {
  NewTable t = orders();
  t.columns.clear();
  t.partition_keys.clear();
  t.sort_keys.clear();
  EXPECT_EQ(rejection(t), "table 'orders' needs at least one column");
}

TEST_F(CatalogRules, ColumnNamesAreUniqueIgnoringCase) {
  NewTable t = orders();
  t.columns.push_back({"ID", ColumnType::String});
  EXPECT_EQ(rejection(t), "table 'orders': column 'ID' is defined twice (column names are compared ignoring case)");
}

TEST_F(CatalogRules, PartitionKeysMustBeColumns) {
  NewTable t = orders();
  t.partition_keys = {"nope"};
  EXPECT_EQ(rejection(t), "table 'orders': partition key 'nope' is not a column");
  t.partition_keys = {"Dept"};
  EXPECT_EQ(rejection(t), "table 'orders': partition key 'Dept' is not a column; did you mean 'dept'?");
}

TEST_F(CatalogRules, SortKeysMustBeColumns) {
  NewTable t = orders();
  t.sort_keys = {"id", "nope"};
  EXPECT_EQ(rejection(t), "table 'orders': sort key 'nope' is not a column");
}

TEST_F(CatalogRules, KeysAreListedOnce) {
  NewTable t = orders();
  t.partition_keys = {"dept", "day", "dept"};
  EXPECT_EQ(rejection(t), "table 'orders': partition key 'dept' is listed twice");
  t = orders();
  t.sort_keys = {"id", "qty", "id"};
  EXPECT_EQ(rejection(t), "table 'orders': sort key 'id' is listed twice");
}

TEST_F(CatalogRules, PartitionKeysMustFitInAPath) {
  NewTable t = orders();
  t.partition_keys = {"price"};
  EXPECT_EQ(rejection(t),
            "table 'orders': partition key 'price' is Float64; partition keys must be String, Int16, Int32, Int64, "
            "Boolean or Date");
  t.partition_keys = {"at"};
  EXPECT_NE(rejection(t).find("partition key 'at' is Timestamp"), std::string::npos);
}

TEST_F(CatalogRules, EveryPathFriendlyTypeCanPartition) {
  NewTable t = orders();
  t.partition_keys = {"dept", "day", "ok", "qty", "small"};
  t.sort_keys = {"id"};
  EXPECT_NO_THROW(catalog().validate_new_table(t));
  t.partition_keys = {"id"};
  t.sort_keys = {"price", "at"};
  EXPECT_NO_THROW(catalog().validate_new_table(t));
  t.partition_keys.clear();
  t.sort_keys.clear();
  EXPECT_NO_THROW(catalog().validate_new_table(t));
}

TEST_F(CatalogRules, KeysMustNotOverlap) {
  NewTable t = orders();
  t.sort_keys = {"id", "dept"};
  EXPECT_EQ(rejection(t), "table 'orders': column 'dept' is both a partition key and a sort key");
}

TEST_F(CatalogRules, SomeColumnMustStayInTheFiles) {
  NewTable t;
  t.name = "keys_only";
  t.columns = {{"dept", ColumnType::String}, {"day", ColumnType::Date}};
  t.partition_keys = {"dept", "day"};
  EXPECT_EQ(rejection(t),
            "table 'keys_only': every column is a partition key; at least one column must be left to hold the data "
            "in the files");
}

TEST_F(CatalogRules, TargetFileBytesMustNotBeNegative) {
  NewTable t = orders();
  t.target_file_bytes = -1;
  EXPECT_EQ(rejection(t), "table 'orders': target_file_bytes must be positive, or 0 for the default; got -1");
}

TEST_F(CatalogRules, PropertiesMustBeAnObject) {
  NewTable t = orders();
  t.properties = nlohmann::json::array({1, 2});
  EXPECT_EQ(rejection(t), "table 'orders': properties must be a JSON object");
}

TEST_F(CatalogRules, ValidateReportsAnActiveNameAsAConflict) {
  create(orders());
  Error e = error_of([&] { catalog().validate_new_table(orders()); });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("table 'orders'"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace superstore::catalog
