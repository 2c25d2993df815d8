// Server and CLI configuration, read from the environment (see docs/architecture.md, "Configuration").
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/defaults.h"

namespace superstore {

struct Config {
  bool dev = false;                                // APP_ENV=dev
  std::filesystem::path data_dir = "data";         // DATA_DIR
  std::string host = "127.0.0.1";                  // HOST
  int port = 8000;                                 // PORT
  std::string user_email;                          // USER_EMAIL
  std::string user_password;                       // USER_PASSWORD (never logged)
  std::vector<std::string> cors_origins;           // CORS_ORIGINS, comma-separated
  int64_t fake_data_scale = 1;                     // FAKE_DATA_SCALE, 1 to kMaxFakeDataScale
  uint64_t fake_data_seed = kDefaultFakeDataSeed;  // FAKE_DATA_SEED
  // FAKE_DATA_SPECS: a spec file or a folder of them (docs/fake-data-specs.md). The default folder may
  // be missing; a path set explicitly must exist.
  std::filesystem::path fake_data_specs = "fake-data";
  bool fake_data_specs_explicit = false;
  // FAKE_DATA_ANCHOR: the fake world's "now" for create and reset, an ISO date or time; empty: the
  // generator's default (2025-01-01).
  std::optional<int64_t> fake_data_anchor_us;
  // FAKE_DATA_TICK: `serve` advances the fake world by a simulated day this often ("10s", "500ms", "2m",
  // "1h"); 0: never.
  std::chrono::milliseconds fake_data_tick{0};
  // QUERY_TIME_LIMIT: a user query is stopped after this long.
  int64_t query_time_limit_seconds = kDefaultQueryTimeLimit.count();
  // MAX_UPLOAD_BYTES: the largest body of POST /table/{id}/rows, which streams to a file; every other
  // route keeps the server's small in-memory limit.
  int64_t max_upload_bytes = kDefaultMaxUploadBytes;
  // UPLOAD_PART_BYTES: a CSV upload of known length over twice this is cut into parts, the first of about
  // this size and the next ones growing to four times it, which the import reads while the rest arrives
  // (server/csv_parts.h).
  int64_t upload_part_bytes = kDefaultUploadPartBytes;
  // MAX_DOWNLOAD_BYTES: the largest download of a result; it is a file in DATA_DIR/tmp while it is sent.
  int64_t max_download_bytes = kDefaultMaxDownloadBytes;
  // The server's connection front (src/server/front.h), whose idle connections hold no thread:
  // REQUEST_HEAD_TIMEOUT: a request's head (request line and headers) must arrive within this, counted from
  // the connection's start or the head's first byte; then 408 and the connection is closed.
  std::chrono::milliseconds request_head_timeout = std::chrono::seconds(10);
  // REQUEST_BODY_TIMEOUT: a small body must arrive within this after its head, and a large one (read by
  // a worker as it comes) may pause no longer than this.
  std::chrono::milliseconds request_body_timeout = std::chrono::seconds(30);
  // KEEP_ALIVE_TIMEOUT: an idle keep-alive connection is closed after this.
  std::chrono::milliseconds keep_alive_timeout = std::chrono::seconds(5);
  // MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT (by client IP address): open connections beyond these are
  // answered 503 and 429 and closed.
  int64_t max_connections = 10'000;
  int64_t max_connections_per_client = 256;
  // LOGIN_FAILURES_PER_ADDRESS: failed logins per minute from one client address; 0: no such limit.
  int64_t login_failures_per_address = kDefaultLoginFailuresPerAddress;
  // FAKE_DATA_KEEP_DROPPED: dropped generations of each fake table that a reset keeps.
  int64_t fake_data_keep_dropped = kDefaultFakeDataKeepDropped;
  // MAX_RESULT_BYTES: the largest JSON answer of POST /execute; larger ones are refused with 413.
  int64_t max_result_bytes = kDefaultMaxResultBytes;
  // QUERY_MEMORY_LIMIT: DuckDB's memory_limit for each engine ("4GB", "512MiB"); past it a query spills to
  // DATA_DIR/tmp or fails with 413. Empty: kDefaultQueryMemoryPercent of the machine's memory.
  std::string query_memory_limit;
  // Where the tables live (docs/scale-out.md). WAREHOUSE_URL: empty: DATA_DIR/warehouse; a local folder; or
  // s3://bucket/prefix on any S3-compatible store, with S3_ENDPOINT (empty: AWS), S3_REGION, S3_URL_STYLE
  // (path or virtual; path when S3_ENDPOINT is set), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
  // AWS_SESSION_TOKEN (never logged), S3_MAX_ATTEMPTS (tries of a request before giving up), S3_TIMEOUT
  // (seconds a transfer may stall) and S3_PART_BYTES (multipart above this).
  std::string warehouse_url;
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  bool s3_path_style = false;
  std::string aws_access_key_id;
  std::string aws_secret_access_key;
  std::string aws_session_token;
  int64_t s3_max_attempts = 5;
  int64_t s3_timeout_seconds = 30;
  int64_t s3_part_bytes = kDefaultS3PartBytes;
  // CACHE_DIR (empty: DATA_DIR/cache), CACHE_BYTES: the local copies of S3 files that queries read.
  std::filesystem::path cache_dir;
  int64_t cache_bytes = kDefaultCacheBytes;
  // CHECKPOINT_INTERVAL: a Delta checkpoint after every this many commits of a table; 0: none.
  int64_t checkpoint_interval = 10;
  // VACUUM_RETENTION: the history a vacuum keeps unless told otherwise (--retain). VACUUM_MIN_RETENTION:
  // the least it accepts, which must cover the longest query and write (README, "VACUUM").
  int64_t vacuum_retention_ms = 168LL * 3'600'000;
  int64_t vacuum_min_retention_ms = 3'600'000;
  // FAKE_DATA_MEMORY: what fake-data writes may hold of their tables' sort keys before they spill sorted
  // runs to DATA_DIR/tmp ("1GiB", "64MiB"; at least 1 MiB).
  int64_t fake_data_memory = kDefaultFakeDataMemory;

  std::filesystem::path catalog_path() const { return data_dir / kCatalogFileName; }
  std::filesystem::path secret_key_path() const { return data_dir / "secret.key"; }
  std::filesystem::path warehouse_dir() const { return data_dir / "warehouse"; }

  // query_memory_limit, or the default share of the machine's memory, in DuckDB's syntax.
  std::string duckdb_memory_limit() const;

  // Reads the environment; throws Error(InvalidArgument) naming the variable on a malformed value.
  static Config from_environment();
};

// A duration as FAKE_DATA_TICK and `fake-data advance --every` take it: "10s", "500ms", "2m", "1h", or
// whole seconds ("10"); 0 is off, anything else at least 100 ms. Error(InvalidArgument) naming `name`.
std::chrono::milliseconds parse_tick(const std::string& name, const std::string& text);

// A size in bytes as FAKE_DATA_MEMORY takes it: a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB,
// TiB; any case; KB is 1000 bytes, KiB 1024), or bare bytes, from `min` to 1 TiB. Error(InvalidArgument)
// naming `name`.
int64_t parse_byte_size(const std::string& name, const std::string& text, int64_t min);

}  // namespace superstore
