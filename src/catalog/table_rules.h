// The rules a new table's definition must follow, apart from name uniqueness, which needs the database
// (internal to the catalog).
#pragma once

#include "catalog/catalog.h"

namespace superstore::catalog {

// Throws Error(InvalidArgument) naming the table and the column at fault.
void check_table_definition(const NewTable& table);

}  // namespace superstore::catalog
