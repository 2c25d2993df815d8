// Thin, throwing wrappers over the POSIX file calls that the blob store and the server's key file need.
#pragma once

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

// Each throws Error(Internal) whose message starts with `what` (naming the file) on failure.
void write_all(int fd, std::string_view bytes, const std::string& what);
std::string read_all(int fd, const std::string& what);
void fsync_fd(int fd, const std::string& what);
// Makes entries just created, renamed or linked in `dir` survive a crash.
void fsync_dir(const std::string& dir, const std::string& what);

}  // namespace superstore
