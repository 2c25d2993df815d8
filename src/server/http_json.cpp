#include "server/http_json.h"

#include "common/error.h"
#include "common/strings.h"

namespace superstore::server {

void send_json(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void send_ordered_json(httplib::Response& response, int status, const nlohmann::ordered_json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& response, int status, std::string_view message) {
  if (status == 401) response.set_header("WWW-Authenticate", "Bearer");
  send_json(response, status, {{"error", message}});
}

nlohmann::json parse_json_object_body(const httplib::Request& request) {
  if (request.body.empty()) fail(ErrorCode::InvalidArgument, "the request body must be a JSON object, not empty");
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    fail(ErrorCode::InvalidArgument, std::string("the request body is not valid JSON: ") + e.what());
  }
  if (!body.is_object()) {
    fail(ErrorCode::InvalidArgument, std::string("the request body must be a JSON object, not ") + body.type_name());
  }
  return body;
}

std::optional<std::string> form_field(const httplib::Request& request, const std::string& name) {
  const std::string type = lower(request.get_header_value("Content-Type"));
  if (type.starts_with("application/x-www-form-urlencoded")) {
    httplib::Params fields;
    httplib::detail::parse_query_text(request.body, fields);
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  }
  if (request.is_multipart_form_data() && request.has_file(name)) return request.get_file_value(name).content;
  return std::nullopt;
}

}  // namespace superstore::server
