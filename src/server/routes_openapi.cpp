// GET /openapi.json: the API's OpenAPI 3.1 description, written by hand in docs/openapi.json and compiled
// in. Public, like the console's files: it describes the routes and holds no data. A test
// (openapi_test.cpp) checks that it names every route the Router knows, and nothing else.
#include "server/api_document.h"
#include "server/routes.h"

namespace superstore::server {

void register_openapi_routes(Router& router, ServerContext& /*context*/) {
  router.get(R"(/openapi\.json)",
             [](Call& call) {
               const ApiDocument& document = kApiDocuments[0];
               call.response.status = 200;
               call.response.set_content(reinterpret_cast<const char*>(document.data), document.size,
                                         "application/json");
             },
             Access::Public);
}

}  // namespace superstore::server
