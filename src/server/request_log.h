// How requests appear in the log. Only the method, the path (never the query string, which may carry
// secrets), the status and the duration are written — never headers, tokens or bodies.
#pragma once

#include <string>
#include <string_view>

namespace superstore::server {

// The path with control characters escaped (\xNN) and cut to 300 bytes, so a crafted URL like
// "/a%0Afake log line" cannot forge log lines or flood the log.
std::string loggable_path(std::string_view path);

// "GET /auth/me 200 1.2ms"; a negative duration (unknown) is written as "-".
std::string access_log_line(std::string_view method, std::string_view path, int status, double duration_ms);

}  // namespace superstore::server
