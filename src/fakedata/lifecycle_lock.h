// One change to the fake tables at a time per DATA_DIR, across processes: a `serve` whose clock ticks
// and a `fake-data advance` or `reset` from a shell share the tables, and an advance that found another
// one half-done would take back the versions the other is still committing. The lock is an exclusive
// flock on DATA_DIR/fake-data.lock, which the kernel drops when its holder dies, so a killed change never
// leaves it taken; it also orders threads of one process, as each holder opens the file anew.
#pragma once

#include <filesystem>
#include <optional>
#include <utility>

#include "common/posix_file.h"

namespace superstore::fakedata {

class LifecycleLock {
 public:
  // Waits until the lock is free.
  static LifecycleLock wait(const std::filesystem::path& data_dir);
  // The lock if nobody holds it now.
  static std::optional<LifecycleLock> try_take(const std::filesystem::path& data_dir);

 private:
  explicit LifecycleLock(Fd fd) : fd_(std::move(fd)) {}
  Fd fd_;  // closing it releases the lock
};

}  // namespace superstore::fakedata
