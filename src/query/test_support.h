// Helpers shared by the query tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/error.h"
#include "common/temp_folder.h"

namespace superstore::query::testing {

using TempDir = superstore::TempFolder;

// Runs `body`, which must throw superstore::Error with `code`; returns its message for further checks.
template <typename Body>
std::string error_of(Body&& body, ErrorCode code) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(error_code_name(e.code()), std::string(error_code_name(code))) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an Error, got none";
  return {};
}

}  // namespace superstore::query::testing
