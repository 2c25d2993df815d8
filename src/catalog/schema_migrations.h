// The catalog's SQL schema and its migrations (internal to the catalog).
#pragma once

#include "catalog/sqlite_db.h"

namespace superstore::catalog {

// The schema version this build writes (PRAGMA user_version).
int latest_schema_version();

// Brings the database up to latest_schema_version(), each migration in its own transaction so that a
// crash leaves a consistent version. Safe when several processes open the same new file at once.
// Throws Error(Internal) if the file belongs to something else or to a newer superstore.
void migrate_schema(SqliteDb& db);

}  // namespace superstore::catalog
