// Helpers shared by the spec engine's tests: compile a spec from text and generate its rows.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "fakedata/spec/spec.h"

namespace superstore::fakedata::testing {

// Every table of one spec document called "t.yaml".
inline std::vector<FakeTable> compile_text(const std::string& yaml) { return compile_specs({{"t.yaml", yaml}}); }

// The table called `name` among `tables`.
inline const FakeTable& named(const std::vector<FakeTable>& tables, const std::string& name) {
  for (const auto& t : tables) {
    if (t.spec.name == name) return t;
  }
  throw Error(ErrorCode::NotFound, "no table " + name);
}

// A one-table spec "t" with `rows` rows and these column lines (each "- {name: ..., ...}").
inline std::string table_yaml(const std::vector<std::string>& columns, uint64_t rows = 1000,
                              const std::string& extra = "") {
  std::string out = "tables:\n  - name: t\n    rows: " + std::to_string(rows) + "\n" + extra + "    columns:\n";
  for (const auto& c : columns) out += "      - " + c + "\n";
  return out;
}

// All rows of the one table of a spec built by table_yaml.
inline ColumnBatch rows_of(const std::vector<std::string>& columns, uint64_t rows = 1000, Params params = {}) {
  const std::vector<FakeTable> tables = compile_text(table_yaml(columns, rows));
  return generate(named(tables, "t"), params, 0, rows * static_cast<uint64_t>(params.scale));
}

// The message compile_text throws for `yaml` (the test fails when it compiles).
inline std::string spec_error(const std::string& yaml) {
  try {
    compile_text(yaml);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "the spec compiled:\n" << yaml;
  return "";
}

}  // namespace superstore::fakedata::testing
