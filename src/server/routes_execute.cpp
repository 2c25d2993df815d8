// POST /execute: one read-only SQL statement over the warehouse's tables, answered a page at a time in
// JSON, or whole as a CSV, NDJSON, Parquet or Arrow download (result_stream.h); at the tables' latest
// versions or as of a version or a time ("as_of").
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>

#include "common/error.h"
#include "common/instant.h"
#include "common/strings.h"
#include "server/client_watch.h"
#include "server/http_json.h"
#include "server/result_stream.h"
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
  ResultFormat format = ResultFormat::Json;
  std::map<std::string, int64_t> table_versions;  // "as_of": {"table": version}
  std::optional<int64_t> as_of_ms;                // "as_of": "2025-06-01T00:00:00Z"
};

// The formats' names ("json, csv, ...") or media types, for messages.
std::string format_list(std::string_view ResultFormatInfo::*field) {
  std::vector<std::string> items;
  for (const auto& f : result_formats()) items.emplace_back(f.*field);
  return join(items, ", ");
}

// The "format" field, else the most wanted format of the Accept header (RFC 9110, section 12.5.1: media
// ranges with q-values; */* or no header means JSON). An Accept header that wants none of the formats
// is answered 406.
ResultFormat format_field(const json& body, const httplib::Request& request) {
  auto it = body.find("format");
  if (it != body.end() && !it->is_null()) {
    if (!it->is_string()) {
      fail(ErrorCode::InvalidArgument, std::string("field \"format\" must be a string, not ") + it->type_name());
    }
    const std::string wanted = lower(it->get<std::string>());
    for (const auto& f : result_formats()) {
      if (f.name == wanted) return f.format;
    }
    fail(ErrorCode::InvalidArgument, "field \"format\" must be one of " + format_list(&ResultFormatInfo::name) +
                                         ", not '" + it->get<std::string>() + "'");
  }
  const std::string accept = request.get_header_value("Accept");
  if (trim(accept).empty()) return ResultFormat::Json;
  std::optional<ResultFormat> best;
  double best_q = 0;
  for (const auto& range : split_list(accept)) {
    std::vector<std::string> parts;
    for (const auto& part : split_list(range, ';')) parts.emplace_back(lower(part));
    if (parts.empty()) continue;
    double q = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].rfind("q=", 0) == 0) q = std::strtod(parts[i].c_str() + 2, nullptr);
    }
    std::optional<ResultFormat> format;
    if (parts[0] == "*/*" || parts[0] == "application/*") format = ResultFormat::Json;
    for (const auto& f : result_formats()) {
      if (parts[0] == f.media_type) format = f.format;
    }
    if (format && q > best_q) {
      best = format;
      best_q = q;
    }
  }
  if (!best) {
    fail(ErrorCode::NotAcceptable, "Accept: none of '" + accept + "' can be served; the formats are " +
                                       format_list(&ResultFormatInfo::media_type) + " (or send \"format\": one of " +
                                       format_list(&ResultFormatInfo::name) + ")");
  }
  return *best;
}

// "as_of": a time for every table ("2025-06-01T00:00:00Z"), or a log version per table ({"orders": 3}).
void as_of_field(const json& body, ExecuteRequest& r) {
  auto it = body.find("as_of");
  if (it == body.end() || it->is_null()) return;
  if (it->is_string()) {
    const std::optional<int64_t> us = parse_instant_us(it->get<std::string>());
    if (!us) {
      fail(ErrorCode::InvalidArgument,
           "field \"as_of\" must be a time such as 2025-06-01T00:00:00Z, not '" + it->get<std::string>() + "'");
    }
    // Commits carry milliseconds; a time between two of them sees what came at or before it.
    r.as_of_ms = *us / 1000 - (*us % 1000 < 0);
    return;
  }
  if (!it->is_object()) {
    fail(ErrorCode::InvalidArgument,
         std::string("field \"as_of\" must be a time (\"2025-06-01T00:00:00Z\") or an object of table versions "
                     "({\"orders\": 3}), not ") +
             it->type_name());
  }
  for (const auto& [name, version] : it->items()) {
    if (!version.is_number_integer() || version.get<int64_t>() < 0) {
      fail(ErrorCode::InvalidArgument,
           "as_of: the version of table '" + name + "' must be a whole number from 0, not " + version.dump());
    }
    r.table_versions[name] = version.get<int64_t>();
  }
}

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
  r.format = format_field(body, request);
  as_of_field(body, r);
  return r;
}

// The JSON answer's size is known only once it is written; its rows were held to about the limit while
// they were converted (query::PageRequest::max_bytes), so writing it costs a bounded amount too.
void send_answer(Call& call, const ordered_json& response, int64_t max_bytes, const query::QueryControl& control) {
  control.check_deadline();
  std::string body = response.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  if (static_cast<int64_t>(body.size()) > max_bytes) fail(ErrorCode::TooLarge, query::too_large_message(max_bytes));
  control.check_deadline();
  call.response.status = 200;
  call.response.set_content(std::move(body), "application/json");
}

void execute(ServerContext& context, Call& call) {
  // The time limit covers the whole request: reading it, binding, running, and writing the answer.
  const auto started = std::chrono::steady_clock::now();
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
  options.started = started;
  options.max_page_bytes = context.query_limits.max_result_bytes;
  options.table_versions = r.table_versions;
  options.as_of_ms = r.as_of_ms;
  if (r.format != ResultFormat::Json) {
    send_result_download(context, call, r.query, std::move(options), r.format, r.table_names);
    return;
  }
  options.cancelled = client_gone_check(call.request);
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
  int64_t rows_in_tables = 0, bytes_in_tables = 0, files_in_tables = 0, files_scanned = 0;
  ordered_json versions = ordered_json::object();
  for (const auto& t : answer.read) {
    rows_in_tables += t.rows;
    bytes_in_tables += t.bytes;
    files_in_tables += t.files;
    files_scanned += t.files_scanned;
    versions[t.name] = t.version;
  }
  ordered_json stats = {{"execution_time", std::round(elapsed_ms * 1000) / 1000},
                        {"rows_in_tables", rows_in_tables},
                        {"bytes_in_tables", bytes_in_tables},
                        {"files_in_tables", files_in_tables},
                        {"files_scanned", files_scanned},
                        {"versions", std::move(versions)}};
  ordered_json response = {{"data",
                            {{"rows", std::move(answer.page.rows)},
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
  send_answer(call, response, context.query_limits.max_result_bytes, {options.time_limit, {}, started});
}

}  // namespace

void register_execute_routes(Router& router, ServerContext& context) {
  router.post("/execute", [&context](Call& call) { execute(context, call); });
}

}  // namespace superstore::server
