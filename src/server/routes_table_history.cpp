// GET /table/{id}/history: the versions of a table's Delta log, newest first, at most ?limit= of them
// (default 100, at most 1000). Dropped tables have a history too.
#include "server/http_json.h"
#include "server/route_params.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 1000;

void show_history(ServerContext& context, Call& call) {
  const catalog::TableInfo table = context.catalog.get_table(table_id(call));
  const int64_t limit = int_param(call.request, "limit", kDefaultLimit, kMaxLimit);
  nlohmann::ordered_json versions = nlohmann::ordered_json::array();
  for (const auto& e : context.warehouse.history(table, limit)) {
    versions.push_back(
        {{"version", e.version},
         {"timestamp", e.timestamp_ms > 0 ? nlohmann::ordered_json(format_timestamp_us(e.timestamp_ms * 1000))
                                          : nlohmann::ordered_json()},
         {"operation", e.operation},
         {"rows_added", e.rows_added},
         {"rows_removed", e.rows_removed},
         {"micro_partitions_added", e.files_added},
         {"micro_partitions_removed", e.files_removed}});
  }
  send_ordered_json(call.response, 200, {{"table_id", table.id}, {"versions", std::move(versions)}});
}

}  // namespace

void register_table_history_routes(Router& router, ServerContext& context) {
  router.get(R"(/table/([^/]+)/history)", [&context](Call& call) { show_history(context, call); });
}

}  // namespace superstore::server
