// What the fuzz targets share: a failed property aborts (so libFuzzer and the seeded driver both keep the
// input), and superstore::Error is told apart from everything else a parser may throw.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/error.h"

namespace superstore::fuzz {

[[noreturn]] inline void property_failed(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, what.c_str());
  std::abort();
}

// Checks a property of the code under test; on failure prints `what` and aborts.
#define FUZZ_CHECK(condition, what)                                                    \
  do {                                                                                 \
    if (!(condition)) ::superstore::fuzz::property_failed(__FILE__, __LINE__, (what)); \
  } while (false)

// Runs `body`, which may reject its input only by Error with one of the `allowed` codes. Returns whether
// it finished without throwing. Anything else escaping (another code, a std::exception from a library)
// is a finding: it reaches users as "internal error" without saying what was wrong.
template <typename Body>
bool rejects_only_with(std::initializer_list<ErrorCode> allowed, Body&& body) {
  try {
    body();
    return true;
  } catch (const Error& e) {
    for (ErrorCode code : allowed) {
      if (e.code() == code) return false;
    }
    property_failed(__FILE__, __LINE__,
                    std::string("unexpected Error(") + error_code_name(e.code()) + "): " + e.what());
  } catch (const std::exception& e) {
    property_failed(__FILE__, __LINE__, std::string("an exception other than superstore::Error: ") + e.what());
  }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first byte picks one of `modes` sub-targets; the rest is that sub-target's input.
struct ModeInput {
  unsigned mode = 0;
  std::string_view rest;
};
inline ModeInput split_mode(const uint8_t* data, size_t size, unsigned modes) {
  if (size == 0) return {0, {}};
  return {data[0] % modes, as_text(data + 1, size - 1)};
}

}  // namespace superstore::fuzz
