// Thin, throwing wrappers over the POSIX file calls that the blob store and the server's key file need.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace superstore {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes now, so that a failing close (possible on network file systems) can be reported.
  void close_checked(const std::string& what);

 private:
  int fd_;
};

std::string errno_message(int err);

// Whether `err` says a write found no room: the disk full (ENOSPC), a quota used up (EDQUOT) or the
// process's file size limit reached (EFBIG, RLIMIT_FSIZE).
bool is_storage_full(int err);
// Throws Error(InsufficientStorage): "no space left on device while writing <what>" (or the quota's or
// the size limit's words for EDQUOT and EFBIG).
[[noreturn]] void fail_storage_full(int err, const std::string& what);
// The errno whose text another library put in its message ("IO Error: Could not write file ...: No space
// left on device"), when it is one of the storage-full errors; nullopt otherwise.
std::optional<int> storage_full_in_message(std::string_view message);

// Each throws Error(Internal) whose message starts with `what` (naming the file) on failure, or
// Error(InsufficientStorage) when the failure is a full disk (is_storage_full).
void write_all(int fd, std::string_view bytes, const std::string& what);
std::string read_all(int fd, const std::string& what);
void fsync_fd(int fd, const std::string& what);
// Makes entries just created, renamed or linked in `dir` survive a crash.
void fsync_dir(const std::string& dir, const std::string& what);

}  // namespace superstore
