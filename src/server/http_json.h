// JSON in and out for route handlers. Every response body of the API is JSON, and every error is
// {"error": "<what went wrong and what to do>"}.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace superstore::server {

// Sets status and a JSON body. Strings that are not valid UTF-8 are written with U+FFFD instead of
// failing, since they may come from user input.
void send_json(httplib::Response& response, int status, const nlohmann::json& body);
// The same for bodies whose key order matters to readers (rows in column order, "data" before "total").
// A separate name, since braced initialisers would fit either overload.
void send_ordered_json(httplib::Response& response, int status, const nlohmann::ordered_json& body);

// Sets status and {"error": message}. A 401 also gets "WWW-Authenticate: Bearer", as RFC 6750 asks.
void send_error(httplib::Response& response, int status, std::string_view message);

// The request body parsed as a JSON object. Throws Error(InvalidArgument) saying what is wrong when the body
// is empty, not JSON, or not an object.
nlohmann::json parse_json_object_body(const httplib::Request& request);

// A field of a form body, application/x-www-form-urlencoded or multipart/form-data; nullopt when the body
// is of another type or lacks the field. The query string is never consulted, so secrets sent as form
// fields cannot come from a URL (which proxies and browsers record).
std::optional<std::string> form_field(const httplib::Request& request, const std::string& name);

}  // namespace superstore::server
