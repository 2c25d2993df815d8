#include "server/test_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace superstore::server {

StderrCapture::StderrCapture() {
  std::fflush(stderr);
  saved_fd_ = ::dup(STDERR_FILENO);
  int fd = ::open((dir_.path() / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (saved_fd_ < 0 || fd < 0) throw std::runtime_error("cannot capture stderr");
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

StderrCapture::~StderrCapture() { (void)finish(); }

std::string StderrCapture::finish() {
  if (saved_fd_ < 0) return {};
  std::fflush(stderr);
  ::dup2(saved_fd_, STDERR_FILENO);
  ::close(saved_fd_);
  saved_fd_ = -1;
  std::ifstream in(dir_.path() / "stderr");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace superstore::server
