// Helpers shared by the storage tests: a temporary DATA_DIR and quick ways to build rows.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "common/columns.h"
#include "common/temp_folder.h"
#include "query/database.h"

namespace superstore::storage::testing {

using TempDir = superstore::TempFolder;

// An engine without the sandbox, for tests that inspect files directly.
inline query::DatabaseOptions unsandboxed() {
  query::DatabaseOptions o;
  o.sandboxed = false;
  return o;
}

}  // namespace superstore::storage::testing
