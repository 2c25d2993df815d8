#include "common/config.h"

#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <regex>
#include <string>

#include "common/error.h"
#include "common/instant.h"
#include "common/parse_int.h"
#include "common/strings.h"

namespace superstore {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int64_t env_int(const char* name, int64_t fallback, int64_t min, int64_t max) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return parse_int64_in(v, min, max, name);
}

// A size in DuckDB's syntax: a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB; any case).
std::string memory_size(const char* name) {
  const std::string text(trim(env_or(name, "")));
  if (text.empty()) return text;
  static const std::regex kSize(R"(([0-9]+(\.[0-9]+)?) *(b|kb|mb|gb|tb|kib|mib|gib|tib))", std::regex::icase);
  if (!std::regex_match(text, kSize)) {
    fail(ErrorCode::InvalidArgument,
         std::string(name) +
             " must be a size such as 4GB or 512MiB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), not '" + text + "'");
  }
  return text;
}

}  // namespace

std::chrono::milliseconds parse_tick(const std::string& name, const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string unit = text.substr(digits);
  const std::map<std::string, int64_t> ms_per = {{"", 1'000}, {"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}};
  const auto per = ms_per.find(unit);
  if (digits == 0 || digits > 9 || per == ms_per.end()) {
    fail(ErrorCode::InvalidArgument,
         name + " must be a duration such as 10s, 500ms, 2m or 1h (0: off), not '" + text + "'");
  }
  const int64_t ms = std::stoll(text.substr(0, digits)) * per->second;
  if (ms != 0 && ms < 100)
    fail(ErrorCode::InvalidArgument, name + " must be 0 (off) or at least 100ms, not '" + text + "'");
  return std::chrono::milliseconds(ms);
}

int64_t parse_byte_size(const std::string& name, const std::string& text, int64_t min) {
  static const std::regex kSize(R"(([0-9]{1,15}(\.[0-9]{1,6})?) *(b|kb|mb|gb|tb|kib|mib|gib|tib)?)", std::regex::icase);
  constexpr int64_t kMax = 1LL << 40;
  std::smatch m;
  const std::string t(trim(text));
  double bytes = -1;
  if (std::regex_match(t, m, kSize)) {
    std::string unit = m[3].str();
    for (char& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::map<std::string, double> per = {
        {"", 1},      {"b", 1},        {"kb", 1e3},        {"mb", 1e6},           {"gb", 1e9},
        {"tb", 1e12}, {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0}};
    bytes = std::stod(m[1].str()) * per.at(unit);
  }
  if (bytes < static_cast<double>(min) || bytes > static_cast<double>(kMax)) {
    fail(ErrorCode::InvalidArgument, name + " must be a size from " + std::to_string(min >> 20) +
                                         "MiB to 1TiB such as 1GiB or 512MiB (units B, KB, MB, GB, TB, KiB, MiB, "
                                         "GiB, TiB), not '" +
                                         text + "'");
  }
  return static_cast<int64_t>(bytes);
}

std::string Config::duckdb_memory_limit() const {
  if (!query_memory_limit.empty()) return query_memory_limit;
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return {};  // unknown: DuckDB's own default
  const int64_t bytes = static_cast<int64_t>(pages) * page_size / 100 * kDefaultQueryMemoryPercent;
  return std::to_string(bytes >> 20) + "MiB";
}

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
  c.cors_origins = split_list(env_or("CORS_ORIGINS", c.dev ? "http://localhost:5173,http://localhost:5174" : ""));
  c.fake_data_scale = env_int("FAKE_DATA_SCALE", 1, 1, kMaxFakeDataScale);
  c.fake_data_seed =
      static_cast<uint64_t>(env_int("FAKE_DATA_SEED", static_cast<int64_t>(kDefaultFakeDataSeed), 0, kMaxFakeDataSeed));
  c.query_time_limit_seconds = env_int("QUERY_TIME_LIMIT", kDefaultQueryTimeLimit.count(), 1, 86'400);
  c.max_upload_bytes = env_int("MAX_UPLOAD_BYTES", kDefaultMaxUploadBytes, 1, INT64_MAX);
  c.upload_part_bytes = env_int("UPLOAD_PART_BYTES", kDefaultUploadPartBytes, 4096, INT64_MAX);
  c.max_download_bytes = env_int("MAX_DOWNLOAD_BYTES", kDefaultMaxDownloadBytes, 1, INT64_MAX);
  c.request_head_timeout = std::chrono::seconds(env_int("REQUEST_HEAD_TIMEOUT", 10, 1, 3'600));
  c.request_body_timeout = std::chrono::seconds(env_int("REQUEST_BODY_TIMEOUT", 30, 1, 3'600));
  c.keep_alive_timeout = std::chrono::seconds(env_int("KEEP_ALIVE_TIMEOUT", 5, 1, 3'600));
  c.max_connections = env_int("MAX_CONNECTIONS", c.max_connections, 1, 1'000'000);
  c.max_connections_per_client = env_int("MAX_CONNECTIONS_PER_CLIENT", c.max_connections_per_client, 1, 1'000'000);
  c.login_failures_per_address = env_int("LOGIN_FAILURES_PER_ADDRESS", kDefaultLoginFailuresPerAddress, 0, 1'000'000);
  c.fake_data_keep_dropped = env_int("FAKE_DATA_KEEP_DROPPED", kDefaultFakeDataKeepDropped, 0, 1'000);
  c.max_result_bytes = env_int("MAX_RESULT_BYTES", kDefaultMaxResultBytes, 1, INT64_MAX);
  c.query_memory_limit = memory_size("QUERY_MEMORY_LIMIT");
  c.checkpoint_interval = env_int("CHECKPOINT_INTERVAL", c.checkpoint_interval, 0, 1'000'000);
  if (const std::string v = env_or("VACUUM_RETENTION", ""); !v.empty()) {
    c.vacuum_retention_ms = parse_duration_ms(v, "VACUUM_RETENTION");
  }
  if (const std::string v = env_or("VACUUM_MIN_RETENTION", ""); !v.empty()) {
    c.vacuum_min_retention_ms = parse_duration_ms(v, "VACUUM_MIN_RETENTION");
  }
  c.fake_data_memory = parse_byte_size("FAKE_DATA_MEMORY", env_or("FAKE_DATA_MEMORY", "1GiB"), kMinFakeDataMemory);
  c.fake_data_specs_explicit = !env_or("FAKE_DATA_SPECS", "").empty();
  c.fake_data_specs = env_or("FAKE_DATA_SPECS", "fake-data");
  c.warehouse_url = env_or("WAREHOUSE_URL", "");
  c.s3_endpoint = env_or("S3_ENDPOINT", "");
  c.s3_region = env_or("S3_REGION", env_or("AWS_REGION", "us-east-1"));
  const std::string style = env_or("S3_URL_STYLE", c.s3_endpoint.empty() ? "virtual" : "path");
  if (style != "path" && style != "virtual") {
    fail(ErrorCode::InvalidArgument, "S3_URL_STYLE must be 'path' or 'virtual', not '" + style + "'");
  }
  c.s3_path_style = style == "path";
  c.aws_access_key_id = env_or("AWS_ACCESS_KEY_ID", "");
  c.aws_secret_access_key = env_or("AWS_SECRET_ACCESS_KEY", "");
  c.aws_session_token = env_or("AWS_SESSION_TOKEN", "");
  c.s3_max_attempts = env_int("S3_MAX_ATTEMPTS", c.s3_max_attempts, 1, 100);
  c.s3_timeout_seconds = env_int("S3_TIMEOUT", c.s3_timeout_seconds, 1, 3'600);
  c.s3_part_bytes = env_int("S3_PART_BYTES", kDefaultS3PartBytes, 5LL << 20, 5LL << 30);
  c.cache_dir = env_or("CACHE_DIR", "");
  c.cache_bytes = env_int("CACHE_BYTES", kDefaultCacheBytes, 1, INT64_MAX);
  if (c.warehouse_url.starts_with("s3://") && (c.aws_access_key_id.empty() || c.aws_secret_access_key.empty())) {
    fail(ErrorCode::InvalidArgument,
         "WAREHOUSE_URL is on S3, so AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
  }
  if (const std::string anchor = env_or("FAKE_DATA_ANCHOR", ""); !anchor.empty()) {
    c.fake_data_anchor_us = parse_instant_us(anchor);
    if (!c.fake_data_anchor_us) {
      fail(ErrorCode::InvalidArgument,
           "FAKE_DATA_ANCHOR must be an ISO date or time (2025-01-01), not '" + anchor + "'");
    }
  }
  c.fake_data_tick = parse_tick("FAKE_DATA_TICK", env_or("FAKE_DATA_TICK", "0"));
  return c;
}

}  // namespace superstore
