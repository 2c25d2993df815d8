#include "server/route_params.h"

#include "common/error.h"
#include "common/parse_int.h"

namespace superstore::server {

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

}  // namespace superstore::server
