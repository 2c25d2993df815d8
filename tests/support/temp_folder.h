// For tests only (tests/support/, see cmake/SuperstoreTest.cmake): a fresh folder under the system temp
// folder, removed with everything in it at scope exit.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

namespace superstore {

class TempFolder {
 public:
  TempFolder() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("superstore-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
    path_ = std::filesystem::canonical(path_);  // sandbox checks compare resolved paths
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace superstore
