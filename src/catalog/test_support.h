// Helpers for catalog tests: a throw-away catalog file and a valid table definition to vary.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <random>
#include <string>

#include "catalog/catalog.h"
#include "common/error.h"
#include "support/temp_folder.h"

namespace superstore::catalog {

class CatalogTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return folder_.path() / "catalog.db"; }
  Catalog& catalog() {
    if (!catalog_) catalog_ = Catalog::open(file());
    return *catalog_;
  }
  void reopen() {
    catalog_.reset();
    catalog_ = Catalog::open(file());
  }

  static NewTable orders() {
    NewTable table;
    table.name = "orders";
    table.columns = {{"id", ColumnType::Int64},  {"dept", ColumnType::String},  {"price", ColumnType::Float64},
                     {"day", ColumnType::Date},  {"at", ColumnType::Timestamp}, {"ok", ColumnType::Boolean},
                     {"qty", ColumnType::Int32}, {"small", ColumnType::Int16}};
    table.partition_keys = {"dept"};
    table.sort_keys = {"id"};
    return table;
  }

  TableInfo create(const NewTable& table) {
    int64_t id = catalog().next_id("table");
    return catalog().create_table(id, table,
                                  table.database + "/" + table.schema + "/" + table.name + "-" + std::to_string(id));
  }

 private:
  TempFolder folder_;
  std::unique_ptr<Catalog> catalog_;
};

// The error `action` throws; fails the test if it throws none.
inline Error error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorCode::Internal, "no error thrown");
}

}  // namespace superstore::catalog
