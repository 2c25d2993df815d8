#include "fakedata/lifecycle_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "common/error.h"

namespace superstore::fakedata {
namespace {

Fd open_lock_file(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / "fake-data.lock";
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) fail(ErrorCode::Internal, "cannot open " + path.string() + ": " + errno_message(errno));
  return fd;
}

// Whether flock got the lock; false only for a non-blocking attempt that found it taken.
bool lock(const Fd& fd, int how) {
  for (;;) {
    if (::flock(fd.get(), how) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return false;
    fail(ErrorCode::Internal, "cannot lock the fake-data lock file: " + errno_message(errno));
  }
}

}  // namespace

LifecycleLock LifecycleLock::wait(const std::filesystem::path& data_dir) {
  Fd fd = open_lock_file(data_dir);
  lock(fd, LOCK_EX);
  return LifecycleLock(std::move(fd));
}

std::optional<LifecycleLock> LifecycleLock::try_take(const std::filesystem::path& data_dir) {
  Fd fd = open_lock_file(data_dir);
  if (!lock(fd, LOCK_EX | LOCK_NB)) return std::nullopt;
  return LifecycleLock(std::move(fd));
}

}  // namespace superstore::fakedata
