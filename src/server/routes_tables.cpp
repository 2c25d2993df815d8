// GET /table/{id}: one table with its micro-partitions, a page at a time; DELETE /table/{id}: drop it.
// Dropped tables stay viewable, since their files and log stay too.
#include <algorithm>
#include <optional>

#include "common/error.h"
#include "common/parse_int.h"
#include "server/http_json.h"
#include "server/routes.h"
#include "server/table_json.h"

namespace superstore::server {
namespace {

using nlohmann::ordered_json;

constexpr int64_t kDefaultPageSize = 50;
constexpr int64_t kMaxPageSize = 1000;

// The {id} of the path. Patterns capture any segment so that "/table/abc" is a clear 400, not "no route".
int64_t table_id(const Call& call) {
  const std::string text = call.request.matches[1].str();
  std::optional<int64_t> id = parse_int64(text);
  if (!id || *id < 1) fail(ErrorCode::InvalidArgument, "table id must be a positive whole number, not '" + text + "'");
  return *id;
}

std::optional<std::string> param(const httplib::Request& request, const char* name) {
  if (!request.has_param(name)) return std::nullopt;
  return request.get_param_value(name);
}

int64_t int_param(const httplib::Request& request, const char* name, int64_t fallback, int64_t max) {
  std::optional<std::string> text = param(request, name);
  if (!text) return fallback;
  return parse_int64_in(*text, 1, max, name);
}

struct PartitionPage {
  int64_t page = 1;
  int64_t page_size = kDefaultPageSize;
  std::string sort_column = "id";
  std::string sort_direction = "asc";
};

PartitionPage page_request(const httplib::Request& request) {
  PartitionPage p;
  p.page = int_param(request, "page", 1, INT64_MAX);
  p.page_size = int_param(request, "pageSize", kDefaultPageSize, kMaxPageSize);
  p.sort_column = param(request, "sortColumn").value_or("id");
  if (p.sort_column != "id" && p.sort_column != "rows" && p.sort_column != "filesize") {
    fail(ErrorCode::InvalidArgument, "sortColumn must be id, rows or filesize, not '" + p.sort_column + "'");
  }
  p.sort_direction = param(request, "sortDirection").value_or("asc");
  if (p.sort_direction != "asc" && p.sort_direction != "desc") {
    fail(ErrorCode::InvalidArgument, "sortDirection must be asc or desc, not '" + p.sort_direction + "'");
  }
  return p;
}

int64_t file_rows(const storage::AddFile& f) { return f.stats ? f.stats->num_records : 0; }

void show_table(ServerContext& context, Call& call) {
  const int64_t id = table_id(call);
  const PartitionPage p = page_request(call.request);
  const catalog::TableInfo table = context.catalog.get_table(id);
  const auto snapshot = context.warehouse.snapshot(table);

  std::vector<const storage::AddFile*> files;
  for (const auto& f : snapshot->files) files.push_back(&f);
  // Ties are broken by id so that pages never overlap or skip a file.
  auto key = [&](const storage::AddFile* f) {
    int64_t primary = p.sort_column == "rows" ? file_rows(*f) : p.sort_column == "filesize" ? f->size : 0;
    return std::make_pair(primary, storage::micro_partition_id(*f));
  };
  std::stable_sort(files.begin(), files.end(), [&](const auto* a, const auto* b) {
    return p.sort_direction == "asc" ? key(a) < key(b) : key(b) < key(a);
  });

  const int64_t total = static_cast<int64_t>(files.size());
  const int64_t total_pages = std::max<int64_t>(1, (total + p.page_size - 1) / p.page_size);
  ordered_json partitions = ordered_json::array();
  if (p.page <= total_pages) {
    const int64_t first = (p.page - 1) * p.page_size;
    for (int64_t i = first; i < std::min(total, first + p.page_size); ++i) {
      partitions.push_back(micro_partition_json(table, *files[static_cast<size_t>(i)]));
    }
  }
  send_ordered_json(
      call.response, 200,
      ordered_json{
          {"table", table_detail_json(table, *snapshot)},
          {"micro_partitions", std::move(partitions)},
          {"totals",
           {{"micro_partitions", total}, {"rows", snapshot->total_rows()}, {"bytes", snapshot->total_bytes()}}},
          {"pagination",
           {{"page", p.page},
            {"pageSize", p.page_size},
            {"totalPages", total_pages},
            {"sortColumn", p.sort_column},
            {"sortDirection", p.sort_direction}}}});
}

void drop_table(ServerContext& context, Call& call) {
  const int64_t id = table_id(call);
  catalog::TableInfo table = context.catalog.get_table(id);
  if (table.status == catalog::TableStatus::Dropped) {
    fail(ErrorCode::Conflict, "table " + table.name + " (id " + std::to_string(id) + ") is already dropped");
  }
  // The catalog refuses a second drop itself (Conflict), so two racing requests cannot both succeed.
  context.warehouse.drop_table(id);
  table = context.catalog.get_table(id);
  send_ordered_json(call.response, 200, table_detail_json(table, *context.warehouse.snapshot(table)));
}

}  // namespace

void register_table_routes(Router& router, ServerContext& context) {
  router.get(R"(/table/([^/]+))", [&context](Call& call) { show_table(context, call); });
  router.del(R"(/table/([^/]+))", [&context](Call& call) { drop_table(context, call); });
}

}  // namespace superstore::server
