#include "common/config.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.h"

namespace superstore {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int64_t env_int(const char* name, int64_t fallback, int64_t min, int64_t max) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v, &end, 10);
  if (errno != 0 || *end != '\0' || n < min || n > max) {
    fail(ErrorCode::InvalidArgument, std::string(name) + " must be a whole number from " + std::to_string(min) +
                                         " to " + std::to_string(max) + ", not '" + v + "'");
  }
  return n;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t c = s.find(',');
    std::string_view item = s.substr(0, c);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

}  // namespace

Config Config::from_environment() {
  Config c;
  std::string env = env_or("APP_ENV", "prod");
  if (env != "dev" && env != "prod" && env != "production" && env != "test") {
    fail(ErrorCode::InvalidArgument, "APP_ENV must be 'dev' or 'prod', not '" + env + "'");
  }
  c.dev = env == "dev";
  c.data_dir = env_or("DATA_DIR", "data");
  c.host = env_or("HOST", "127.0.0.1");
  c.port = static_cast<int>(env_int("PORT", 8000, 0, 65535));
  c.user_email = env_or("USER_EMAIL", "");
  c.user_password = env_or("USER_PASSWORD", "");
  c.cors_origins = split_commas(
      env_or("CORS_ORIGINS", c.dev ? "http://localhost:5173,http://localhost:5174" : ""));
  c.fake_data_scale = env_int("FAKE_DATA_SCALE", 1, 1, 100000);
  c.fake_data_seed = static_cast<uint64_t>(env_int("FAKE_DATA_SEED", 42, 0, INT64_MAX));
  c.fake_data_specs_explicit = !env_or("FAKE_DATA_SPECS", "").empty();
  c.fake_data_specs = env_or("FAKE_DATA_SPECS", "fake-data");
  c.query_time_limit_seconds = env_int("QUERY_TIME_LIMIT", 30, 1, 86'400);
  return c;
}

}  // namespace superstore
