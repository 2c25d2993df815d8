// Server and CLI configuration, read from the environment (see docs/architecture.md, "Configuration").
#pragma once

#include <cstdint>
#include <filesystem>
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
  // QUERY_TIME_LIMIT: a user query is stopped after this long.
  int64_t query_time_limit_seconds = kDefaultQueryTimeLimit.count();
  // MAX_UPLOAD_BYTES: the largest body of POST /table/{id}/rows, which streams to a file; every other
  // route keeps the server's small in-memory limit.
  int64_t max_upload_bytes = kDefaultMaxUploadBytes;
  // MAX_DOWNLOAD_BYTES: the largest download of a result; it is a file in DATA_DIR/tmp while it is sent.
  int64_t max_download_bytes = kDefaultMaxDownloadBytes;
  // MAX_RESULT_BYTES: the largest JSON answer of POST /execute; larger ones are refused with 413.
  int64_t max_result_bytes = kDefaultMaxResultBytes;
  // QUERY_MEMORY_LIMIT: DuckDB's memory_limit for each engine ("4GB", "512MiB"); past it a query spills to
  // DATA_DIR/tmp or fails with 413. Empty: kDefaultQueryMemoryPercent of the machine's memory.
  std::string query_memory_limit;

  std::filesystem::path catalog_path() const { return data_dir / kCatalogFileName; }
  std::filesystem::path secret_key_path() const { return data_dir / "secret.key"; }
  std::filesystem::path warehouse_dir() const { return data_dir / "warehouse"; }

  // query_memory_limit, or the default share of the machine's memory, in DuckDB's syntax.
  std::string duckdb_memory_limit() const;

  // Reads the environment; throws Error(InvalidArgument) naming the variable on a malformed value.
  static Config from_environment();
};

}  // namespace superstore
