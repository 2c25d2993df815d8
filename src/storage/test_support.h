// Helpers shared by the storage tests: a temporary DATA_DIR and quick ways to build rows.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "common/columns.h"
#include "query/database.h"

namespace superstore::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("superstore-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// An engine without the sandbox, for tests that inspect files directly.
inline query::DatabaseOptions unsandboxed() {
  query::DatabaseOptions o;
  o.sandboxed = false;
  return o;
}

}  // namespace superstore::storage::testing
