// POST /execute: one read-only SQL statement over the warehouse's tables, answered a page at a time.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/error.h"
#include "common/strings.h"
#include "server/http_json.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct ExecuteRequest {
  std::string query;
  int64_t page = 1;
  int64_t per_page = 30;
  std::vector<std::string> table_names;
};

int64_t paging_field(const json& body, const char* name, int64_t fallback, int64_t max) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  const std::string range = "from 1 to " + std::to_string(max);
  // JSON has one number type; 2.0 or "2" would work by luck in some clients and not others, so only whole
  // numbers pass.
  if (!it->is_number_integer()) {
    fail(ErrorCode::InvalidArgument, std::string("field \"") + name + "\" must be a whole number " + range + ", not " +
                                         (it->is_number() ? it->dump() : std::string(it->type_name())));
  }
  const bool in_range = it->is_number_unsigned()
                            ? it->get<uint64_t>() >= 1 && it->get<uint64_t>() <= static_cast<uint64_t>(max)
                            : it->get<int64_t>() >= 1 && it->get<int64_t>() <= max;
  if (!in_range) {
    fail(ErrorCode::InvalidArgument, std::string("field \"") + name + "\" must be " + range + ", not " + it->dump());
  }
  return it->get<int64_t>();
}

std::vector<std::string> table_names_field(const json& body) {
  auto it = body.find("table_names");
  if (it == body.end() || it->is_null()) return {};
  std::vector<std::string> names;
  if (it->is_string()) return split_list(it->get<std::string>());
  auto add = [&](const std::string& raw) {
    std::string name(trim(raw));
    if (name.empty()) fail(ErrorCode::InvalidArgument, "field \"table_names\" holds an empty name");
    names.push_back(name);
  };
  if (!it->is_array()) {
    fail(ErrorCode::InvalidArgument, std::string("field \"table_names\" must be a list of table names or a "
                                                 "comma-separated string, not ") +
                                         it->type_name());
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      fail(ErrorCode::InvalidArgument,
           std::string("field \"table_names\" must hold strings only, not ") + item.type_name());
    }
    add(item.get<std::string>());
  }
  return names;
}

ExecuteRequest parse_request(const httplib::Request& request, const QueryLimits& limits) {
  json body = parse_json_object_body(request);
  ExecuteRequest r;
  auto query = body.find("query");
  if (query == body.end() || query->is_null()) {
    fail(ErrorCode::InvalidArgument, "field \"query\" is required: the SQL statement to run");
  }
  if (!query->is_string()) {
    fail(ErrorCode::InvalidArgument, std::string("field \"query\" must be a string, not ") + query->type_name());
  }
  r.query = query->get<std::string>();
  if (trim(r.query).empty()) fail(ErrorCode::InvalidArgument, "field \"query\" is empty: send a SQL statement");
  r.page = paging_field(body, "page", 1, INT64_MAX);
  r.per_page = paging_field(body, "per_page", 30, limits.max_per_page);
  r.table_names = table_names_field(body);
  return r;
}

void execute(ServerContext& context, Call& call) {
  const ExecuteRequest r = parse_request(call.request, context.query_limits);
  for (const auto& name : r.table_names) {
    if (context.warehouse.tables_named(name).empty()) {
      fail(ErrorCode::NotFound, "table_names: table '" + name + "' does not exist");
    }
  }
  storage::QueryOptions options;
  options.page = r.page;
  options.per_page = r.per_page;
  options.time_limit = context.query_limits.time_limit;
  const auto started = std::chrono::steady_clock::now();
  storage::QueryAnswer answer = context.warehouse.query(r.query, options, r.table_names);
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

  const query::QueryPage& page = answer.page;
  const int64_t total = page.total;
  const int64_t last_page = std::max<int64_t>(1, total / r.per_page + (total % r.per_page != 0));
  int64_t from = 0, to = 0;
  if (total > 0 && r.page <= last_page) {
    from = (r.page - 1) * r.per_page + 1;
    to = std::min(total, from - 1 + r.per_page);
  }

  ordered_json columns = ordered_json::array();
  for (const auto& c : page.columns) columns.push_back({{"name", c.name}, {"type", c.type}});
  // The sizes of the very snapshots the query read (what a full scan reads; filters may read less).
  int64_t rows_in_tables = 0, bytes_in_tables = 0;
  for (const auto& t : answer.read) {
    rows_in_tables += t.rows;
    bytes_in_tables += t.bytes;
  }
  ordered_json stats = {{"execution_time", std::round(elapsed_ms * 1000) / 1000},
                        {"rows_in_tables", rows_in_tables},
                        {"bytes_in_tables", bytes_in_tables}};
  ordered_json response = {{"data",
                            {{"rows", page.rows},
                             {"columns", std::move(columns)},
                             {"query", r.query},
                             {"registered_tables", answer.tables}}},
                           {"total", total},
                           {"page", r.page},
                           {"per_page", r.per_page},
                           {"from", from},
                           {"to", to},
                           {"last_page", last_page},
                           {"stats", std::move(stats)}};
  send_ordered_json(call.response, 200, response);
}

}  // namespace

void register_execute_routes(Router& router, ServerContext& context) {
  router.post("/execute", [&context](Call& call) { execute(context, call); });
}

}  // namespace superstore::server
