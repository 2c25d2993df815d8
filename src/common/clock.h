// The wall clock, in the unit the catalog and the Delta log store (milliseconds since the Unix epoch).
#pragma once

#include <chrono>
#include <cstdint>

namespace superstore {

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace superstore
