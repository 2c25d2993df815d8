// Everything a route handler may need, built once at start-up and shared by all requests.
// `superstore serve` opens the warehouse (which owns the catalog) and builds the context before the Server.
#pragma once

#include <chrono>
#include <cstdint>

#include "catalog/catalog.h"
#include "common/config.h"
#include "common/defaults.h"
#include "server/auth/authenticator.h"
#include "storage/warehouse.h"

namespace superstore::server {

// Limits of the query route, kept apart from Config because only the server applies them.
struct QueryLimits {
  std::chrono::milliseconds time_limit{kDefaultQueryTimeLimit};
  int64_t max_per_page = 10'000;
  // MAX_RESULT_BYTES: a JSON answer larger than this is refused with 413 and a hint to download instead.
  int64_t max_result_bytes = kDefaultMaxResultBytes;
};

struct ServerContext {
  // Loads or creates the token key at config.secret_key_path() (see load_or_create_secret_key) and throws
  // its errors. `warehouse` must outlive the context.
  ServerContext(Config config, storage::Warehouse& warehouse, AuthOptions auth_options = {},
                QueryLimits query_limits = {});
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  const Config config;
  storage::Warehouse& warehouse;
  catalog::Catalog& catalog;  // warehouse.catalog()
  Authenticator auth;
  const QueryLimits query_limits;
};

}  // namespace superstore::server
