#include "common/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>

#include "common/error.h"

namespace superstore {

std::string errno_message(int err) { return std::generic_category().message(err); }

bool is_storage_full(int err) { return err == ENOSPC || err == EDQUOT || err == EFBIG; }

void fail_storage_full(int err, const std::string& what) {
  const char* cause = err == EDQUOT  ? "disk quota exceeded"
                      : err == EFBIG ? "file too large for the process's file size limit"
                                     : "no space left on device";
  fail(ErrorCode::InsufficientStorage, std::string(cause) + " while writing " + what);
}

std::optional<int> storage_full_in_message(std::string_view message) {
  for (int err : {ENOSPC, EDQUOT, EFBIG}) {
    if (message.find(errno_message(err)) != std::string_view::npos) return err;
  }
  return std::nullopt;
}

namespace {

[[noreturn]] void fail_io(const std::string& what, const char* action, int err) {
  if (is_storage_full(err)) fail_storage_full(err, what);
  fail(ErrorCode::Internal, what + ": " + action + " failed: " + errno_message(err));
}

}  // namespace

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
  if (fd >= 0 && ::close(fd) != 0) fail_io(what, "close", errno);
}

void write_all(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io(what, "write", errno);
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
  if (::fsync(fd) != 0) fail_io(what, "fsync", errno);
}

void fsync_dir(const std::string& dir, const std::string& what) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    fail(ErrorCode::Internal, what + ": cannot open folder '" + dir + "' to sync it: " + errno_message(errno));
  }
  fsync_fd(fd.get(), what);
}

}  // namespace superstore
