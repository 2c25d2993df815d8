#include "server/server_context.h"

#include "server/auth/secret_key.h"

namespace superstore::server {

ServerContext::ServerContext(Config config_in, storage::Warehouse& warehouse_in, AuthOptions auth_options,
                             QueryLimits limits)
    : config(std::move(config_in)),
      warehouse(warehouse_in),
      catalog(warehouse_in.catalog()),
      auth(warehouse_in.catalog(), load_or_create_secret_key(config.secret_key_path()), auth_options),
      query_limits(limits) {}

}  // namespace superstore::server
