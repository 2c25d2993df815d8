#include "catalog/table_rules.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/strings.h"

namespace superstore::catalog {
namespace {

class TableChecker {
 public:
  explicit TableChecker(const NewTable& table) : table_(table) {}

  void check() {
    validate_identifier(table_.database, "database name");
    validate_identifier(table_.schema, "schema name");
    validate_identifier(table_.name, "table name");
    check_columns();
    for (const auto& key : checked_keys(table_.partition_keys, "partition key")) {
      const ColumnDef& column = *find_column(key);
      if (!can_partition_by(column.type)) {
        reject("partition key '" + key + "' is " + std::string(type_name(column.type)) + "; partition keys must be " +
               partitionable_types());
      }
    }
    for (const auto& key : checked_keys(table_.sort_keys, "sort key")) {
      if (std::find(table_.partition_keys.begin(), table_.partition_keys.end(), key) != table_.partition_keys.end()) {
        reject("column '" + key + "' is both a partition key and a sort key");
      }
    }
    if (table_.partition_keys.size() == table_.columns.size()) {
      reject("every column is a partition key; at least one column must be left to hold the data in the files");
    }
    if (table_.target_file_bytes < 0) {
      reject("target_file_bytes must be positive, or 0 for the default; got " +
             std::to_string(table_.target_file_bytes));
    }
    if (!table_.properties.is_object()) reject("properties must be a JSON object");
  }

 private:
  [[noreturn]] void reject(const std::string& why) const {
    fail(ErrorCode::InvalidArgument, "table '" + table_.name + "': " + why);
  }

  void check_columns() const {
    if (table_.columns.empty())
      fail(ErrorCode::InvalidArgument, "table '" + table_.name + "' needs at least one column");
    std::set<std::string> seen;
    for (const auto& column : table_.columns) {
      try {
        validate_identifier(column.name, "column name");
      } catch (const Error& e) {
        reject(e.what());
      }
      if (!seen.insert(lower(column.name)).second) {
        reject("column '" + column.name + "' is defined twice (column names are compared ignoring case)");
      }
    }
  }

  const ColumnDef* find_column(const std::string& name) const {
    for (const auto& column : table_.columns) {
      if (column.name == name) return &column;
    }
    return nullptr;
  }

  // Each key must name a column exactly and appear once; returns the keys for further checks.
  const std::vector<std::string>& checked_keys(const std::vector<std::string>& keys, const std::string& kind) const {
    std::set<std::string> seen;
    for (const auto& key : keys) {
      if (!find_column(key)) {
        std::string hint;
        for (const auto& column : table_.columns) {
          if (lower(column.name) == lower(key)) hint = "; did you mean '" + column.name + "'?";
        }
        reject(kind + " '" + key + "' is not a column" + hint);
      }
      if (!seen.insert(key).second) reject(kind + " '" + key + "' is listed twice");
    }
    return keys;
  }

  static std::string partitionable_types() {
    std::vector<std::string_view> names;
    for (ColumnType type : {ColumnType::String, ColumnType::Int16, ColumnType::Int32, ColumnType::Int64,
                            ColumnType::Boolean, ColumnType::Date, ColumnType::Float64, ColumnType::Timestamp}) {
      if (can_partition_by(type)) names.push_back(type_name(type));
    }
    std::string text;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
      text += names[i];
    }
    return text;
  }

  const NewTable& table_;
};

}  // namespace

void check_table_definition(const NewTable& table) { TableChecker(table).check(); }

}  // namespace superstore::catalog
