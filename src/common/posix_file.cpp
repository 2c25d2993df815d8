#include "common/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "common/error.h"

namespace superstore {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

void Fd::close_checked(const std::string& what) {
  int fd = release();
  // Linux releases the descriptor even when close fails, so it must not be retried.
  if (fd >= 0 && ::close(fd) != 0) fail(ErrorCode::Internal, what + ": close failed: " + errno_message(errno));
}

std::string errno_message(int err) { return std::generic_category().message(err); }

void write_all(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(ErrorCode::Internal, what + ": write failed: " + errno_message(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string read_all(int fd, const std::string& what) {
  struct stat st {};
  size_t expected = ::fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0;
  // One byte more than expected, so a file read whole is recognised by the next read returning 0
  // without a reallocation.
  std::string bytes(expected + 1, '\0');
  size_t used = 0;
  while (true) {
    if (used == bytes.size()) bytes.resize(bytes.size() * 2);
    ssize_t n = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(ErrorCode::Internal, what + ": read failed: " + errno_message(errno));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  bytes.resize(used);
  return bytes;
}

void fsync_fd(int fd, const std::string& what) {
  if (::fsync(fd) != 0) fail(ErrorCode::Internal, what + ": fsync failed: " + errno_message(errno));
}

void fsync_dir(const std::string& dir, const std::string& what) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    fail(ErrorCode::Internal, what + ": cannot open folder '" + dir + "' to sync it: " + errno_message(errno));
  }
  fsync_fd(fd.get(), what);
}

}  // namespace superstore
