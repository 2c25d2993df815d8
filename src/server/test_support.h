// Helpers shared by the server tests.
#pragma once

#include <filesystem>
#include <string>

#include "common/temp_folder.h"

namespace superstore::server {

using TempDir = superstore::TempFolder;

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
