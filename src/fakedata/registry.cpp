// The one list of fake tables. To add a table:
//   1. Write src/fakedata/<name>.cpp defining `FakeTable <name>_table()`: its TableSpec (name, columns,
//      keys, base rows, description) and a FillRows function that appends the rows with the given indices,
//      in the given order, to the columns the mask names, drawing each value from a Stream named after its
//      column (products.cpp is the simplest example). List the file in ss_fakedata's sources.
//   2. Declare `<name>_table()` below and add it to the list after the tables it refers to.
// Everything else (create, reset, status, the CLI, parallel generation) iterates tables().
#include "common/error.h"
#include "fakedata/fakedata.h"

namespace superstore::fakedata {

FakeTable users_table();      // users.cpp
FakeTable products_table();   // products.cpp
FakeTable orders_table();     // orders.cpp
FakeTable analytics_table();  // analytics.cpp

const std::vector<FakeTable>& tables() {
  // Parents first, so that creating the tables in this order never leaves a child without its parent.
  static const std::vector<FakeTable> registry = {
      users_table(),
      products_table(),
      orders_table(),
      analytics_table(),
  };
  return registry;
}

const FakeTable& find_table(std::string_view name) {
  std::string known;
  for (const FakeTable& table : tables()) {
    if (table.spec.name == name) return table;
    known += (known.empty() ? "" : ", ") + table.spec.name;
  }
  fail(ErrorCode::NotFound, "no fake table '" + std::string(name) + "' (fake tables: " + known + ")");
}

}  // namespace superstore::fakedata
