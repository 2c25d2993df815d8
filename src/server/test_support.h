// Helpers shared by the server tests.
#pragma once

#include <filesystem>
#include <string>

namespace superstore::server {

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Sends everything written to stderr (file descriptor 2, where the log goes) to a file from construction
// until finish(), which restores stderr and returns what was written.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string finish();

 private:
  TempDir dir_;
  int saved_fd_ = -1;
};

}  // namespace superstore::server
