// Helpers shared by the query tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/columns.h"
#include "common/error.h"
#include "query/database.h"
#include "support/temp_folder.h"

namespace superstore::query::testing {

// Runs `body`, which must throw superstore::Error with `code`; returns its message for further checks.
template <typename Body>
std::string error_of(Body&& body, ErrorCode code) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(error_code_name(e.code()), std::string(error_code_name(code))) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an Error, got none";
  return {};
}

// One column of every ColumnType.
inline const std::vector<ColumnDef> kAllTypes = {
    {"i16", ColumnType::Int16}, {"i32", ColumnType::Int32}, {"i64", ColumnType::Int64},    {"f64", ColumnType::Float64},
    {"s", ColumnType::String},  {"b", ColumnType::Boolean}, {"ts", ColumnType::Timestamp}, {"d", ColumnType::Date},
};

// An engine without the sandbox, on two threads.
inline Database open_plain() { return Database(DatabaseOptions{.sandboxed = false, .threads = 2}); }

// CREATE TABLE `table` with these columns, typed as the appender stores them.
inline std::string create_table_sql(const std::string& table, const std::vector<ColumnDef>& columns) {
  std::string sql = "CREATE TABLE " + quote_identifier(table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", " : "") + quote_identifier(columns[i].name) + " " + std::string(duckdb_type_name(columns[i].type));
  }
  return sql + ")";
}

}  // namespace superstore::query::testing
