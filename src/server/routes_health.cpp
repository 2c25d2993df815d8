#include "server/http_json.h"
#include "server/routes.h"

namespace superstore::server {

void register_health_routes(Router& router, ServerContext&) {
  // Liveness only: answering proves the process accepts and serves requests, nothing about the catalog.
  router.get(
      "/health",
      [](Call& call) {
        send_json(call.response, 200, {{"status", "ok"}});
      },
      Access::Public);
}

}  // namespace superstore::server
