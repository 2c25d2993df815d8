#include "server/server_context.h"

#include "server/secret_key.h"

namespace superstore::server {

ServerContext::ServerContext(Config config_in, catalog::Catalog& catalog_in, AuthOptions auth_options)
    : config(std::move(config_in)),
      catalog(catalog_in),
      auth(catalog_in, load_or_create_secret_key(config.secret_key_path()), auth_options) {}

}  // namespace superstore::server
