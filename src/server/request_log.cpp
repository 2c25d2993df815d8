#include "server/request_log.h"

#include <cstdio>

namespace superstore::server {

std::string loggable_path(std::string_view path) {
  constexpr size_t kMaxBytes = 300;
  std::string out;
  for (unsigned char c : path.substr(0, kMaxBytes)) {
    if (c < 0x20 || c == 0x7f || c == '\\') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (path.size() > kMaxBytes) out += "...";
  return out;
}

std::string access_log_line(std::string_view method, std::string_view path, int status, double duration_ms) {
  std::string line = loggable_path(method) + " " + loggable_path(path) + " " + std::to_string(status) + " ";
  if (duration_ms < 0) return line + "-";
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1fms", duration_ms);
  return line + ms;
}

}  // namespace superstore::server
