// GET /databases: everything a browser of the warehouse shows in its tree, in one answer.
#include "server/http_json.h"
#include "server/routes.h"
#include "server/table_json.h"

namespace superstore::server {
namespace {

using nlohmann::ordered_json;

void list_databases(ServerContext& context, Call& call) {
  ordered_json databases = ordered_json::array();
  for (const auto& database : context.catalog.list_databases()) {
    ordered_json schemas = ordered_json::array();
    for (const auto& schema : database.schemas) {
      ordered_json tables = ordered_json::array();
      for (const auto& table : schema.tables) {
        tables.push_back(table_summary_json(table, *context.warehouse.snapshot(table)));
      }
      schemas.push_back({{"name", schema.name}, {"tables", std::move(tables)}});
    }
    databases.push_back({{"name", database.name}, {"schemas", std::move(schemas)}});
  }
  send_ordered_json(call.response, 200, ordered_json{{"databases", std::move(databases)}});
}

}  // namespace

void register_database_routes(Router& router, ServerContext& context) {
  router.get("/databases", [&context](Call& call) { list_databases(context, call); });
}

}  // namespace superstore::server
