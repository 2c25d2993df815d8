// Everything a route handler may need, built once at start-up and shared by all requests.
// Later layers join here: the warehouse (storage) and the query engine get a member each, set up by
// `superstore serve` before the Server is constructed.
#pragma once

#include "catalog/catalog.h"
#include "common/config.h"
#include "server/authenticator.h"

namespace superstore::server {

struct ServerContext {
  // Loads or creates the token key at config.secret_key_path() (see load_or_create_secret_key) and throws
  // its errors. `catalog` must outlive the context.
  ServerContext(Config config, catalog::Catalog& catalog, AuthOptions auth_options = {});
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  const Config config;
  catalog::Catalog& catalog;
  Authenticator auth;
};

}  // namespace superstore::server
