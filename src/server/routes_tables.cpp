// POST /tables: create a table; GET /table/{id}: one table with its micro-partitions, a page at a time;
// DELETE /table/{id}: drop it. Dropped tables stay viewable, since their files and log stay too.
#include <algorithm>
#include <optional>
#include <set>

#include "common/error.h"
#include "server/http_json.h"
#include "server/route_params.h"
#include "server/routes.h"
#include "server/table_json.h"

namespace superstore::server {
namespace {

using nlohmann::ordered_json;

constexpr int64_t kDefaultPageSize = 50;
constexpr int64_t kMaxPageSize = 1000;

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

// Body fields of POST /tables. A field of the wrong JSON type is a 400 naming it; the values themselves
// are judged by the same code as `superstore table create` (parse_column_type, the catalog's rules).
std::string string_field(const nlohmann::json& body, const char* name, const char* fallback) {
  if (!body.contains(name) || (fallback && body[name].is_null())) {
    if (!fallback) fail(ErrorCode::InvalidArgument, std::string("missing field '") + name + "'");
    return fallback;
  }
  if (!body[name].is_string()) {
    fail(ErrorCode::InvalidArgument,
         std::string("field '") + name + "' must be a string, not " + body[name].type_name());
  }
  return body[name].get<std::string>();
}

std::vector<std::string> string_list_field(const nlohmann::json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return {};
  const auto& list = body[name];
  const std::string wrong = std::string("field '") + name + "' must be a list of column names";
  if (!list.is_array()) fail(ErrorCode::InvalidArgument, wrong + ", not " + list.type_name());
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (!item.is_string()) fail(ErrorCode::InvalidArgument, wrong + "; it holds " + item.type_name());
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<ColumnDef> columns_field(const nlohmann::json& body) {
  if (!body.contains("columns")) fail(ErrorCode::InvalidArgument, "missing field 'columns'");
  const auto& list = body["columns"];
  if (!list.is_array()) {
    fail(ErrorCode::InvalidArgument,
         std::string("field 'columns' must be a list of {\"name\", \"type\"}, not ") + list.type_name());
  }
  std::vector<ColumnDef> columns;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "columns[" + std::to_string(i) + "]";
    if (!list[i].is_object()) fail(ErrorCode::InvalidArgument, where + " must be an object {\"name\", \"type\"}");
    for (const char* key : {"name", "type"}) {
      if (!list[i].contains(key) || !list[i][key].is_string()) {
        fail(ErrorCode::InvalidArgument, where + "." + key + " must be a string");
      }
    }
    columns.push_back({list[i]["name"].get<std::string>(), parse_column_type(list[i]["type"].get<std::string>())});
  }
  return columns;
}

catalog::NewTable new_table(const nlohmann::json& body) {
  for (const auto& [key, value] : body.items()) {
    static const std::set<std::string> known = {"database", "schema",          "name", "columns", "partition_by",
                                                "sort_by",  "target_file_size"};
    if (!known.contains(key)) fail(ErrorCode::InvalidArgument, "unknown field '" + key + "'");
  }
  catalog::NewTable t;
  t.database = string_field(body, "database", "main");
  t.schema = string_field(body, "schema", "public");
  t.name = string_field(body, "name", nullptr);
  t.columns = columns_field(body);
  t.partition_keys = string_list_field(body, "partition_by");
  t.sort_keys = string_list_field(body, "sort_by");
  if (body.contains("target_file_size") && !body["target_file_size"].is_null()) {
    if (!body["target_file_size"].is_number_integer() ||
        (body["target_file_size"].is_number_unsigned() && body["target_file_size"].get<uint64_t>() > INT64_MAX)) {
      fail(ErrorCode::InvalidArgument, std::string("field 'target_file_size' must be a whole number of bytes, not ") +
                                           body["target_file_size"].type_name());
    }
    t.target_file_bytes = body["target_file_size"].get<int64_t>();
  }
  return t;
}

// The database and schema are created when missing, as `superstore table create` does (the catalog's
// create_table); a table of the same name is a 409.
void create_table(ServerContext& context, Call& call) {
  const catalog::NewTable t = new_table(parse_json_object_body(call.request));
  const catalog::TableInfo table = context.warehouse.create_table(t);
  send_ordered_json(call.response, 201, table_detail_json(table, *context.warehouse.snapshot(table)));
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
  const storage::TableUpkeep upkeep = context.warehouse.upkeep(table);
  send_ordered_json(
      call.response, 200,
      ordered_json{
          {"table", table_detail_json(table, *snapshot)},
          {"micro_partitions", std::move(partitions)},
          {"totals",
           {{"micro_partitions", total}, {"rows", snapshot->total_rows()}, {"bytes", snapshot->total_bytes()}}},
          {"upkeep",
           {{"small_files", upkeep.small_files},
            {"small_file_bytes", upkeep.small_file_bytes},
            {"reclaimable_files", upkeep.reclaimable_files},
            {"reclaimable_bytes", upkeep.reclaimable_bytes},
            {"checkpoint_version",
             upkeep.checkpoint_version < 0 ? ordered_json(nullptr) : ordered_json(upkeep.checkpoint_version)}}},
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
  router.post("/tables", [&context](Call& call) { create_table(context, call); });
  router.get(R"(/table/([^/]+))", [&context](Call& call) { show_table(context, call); });
  router.del(R"(/table/([^/]+))", [&context](Call& call) { drop_table(context, call); });
}

}  // namespace superstore::server
