// Fake tables from specs: users describe their own tables in YAML (or JSON) and get them generated with
// the same guarantees as the built-in ones: every cell a pure function of its row, relations to other
// tables without loading them, any scale. The language is documented in docs/fake-data-specs.md; this
// header is its whole interface: read spec files, compile them into FakeTables, and preview rows.
//
// A compiled table is an ordinary FakeTable, so the lifecycle (create, reset, status), the write path
// and generate_parallel() treat it exactly like a built-in one.
//
// Determinism: cell (table t, column c, row r) is a pure function of (seed, kSpecGeneratorVersion, t,
// c, r) and of the cells it reads (earlier columns of the row, parent rows through refs). Columns draw
// from random streams named after themselves, so adding, removing or changing one column leaves every
// column that does not read it unchanged.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fakedata/fakedata.h"

namespace superstore::fakedata {

// Part of every spec column's random stream and recorded with every spec table; bump it when a change
// alters generated values.
inline constexpr uint32_t kSpecGeneratorVersion = 1;
// Rows a spec table may ask for at scale 1 (times the scale at most kMaxScale: far below 2^48 rows).
inline constexpr uint64_t kMaxSpecRows = 100'000'000;

// One spec document: the text and the name that error messages give for it (a file path, or a label
// such as "request body").
struct SpecSource {
  std::string name;
  std::string text;
};

// The spec files at `path`: the file itself, or every .yaml, .yml and .json file directly inside the
// folder, sorted by name. Throws Error(NotFound) when the path does not exist.
std::vector<SpecSource> read_spec_sources(const std::filesystem::path& path);

// Compiles every table of the sources together, so refs may name a table of any of them or a built-in
// table. Returns the tables with parents before children. Each table's `properties` hold
// "spec_digest" (SHA-256 of its canonical definition and its spec parents' digests), "spec" (the
// canonical definition, from which compile_specs can make the table again), "spec_source" and
// "spec_generator_version".
//
// Throws Error(InvalidArgument) when anything is wrong, listing up to 20 problems, one per line, each
// as "FILE:LINE:COLUMN: table T, column C: what is wrong". Nothing partial is returned.
std::vector<FakeTable> compile_specs(const std::vector<SpecSource>& sources);

// A source holding one table's canonical definition, as recorded in its "spec" property (so a table
// created from a request body can be made again without the request).
SpecSource recorded_spec_source(const std::string& label, const nlohmann::json& spec);

// The names of the tables a source defines, read leniently (a malformed source gives what it can): to
// tell which tables a request body brings before compiling it with others.
std::vector<std::string> spec_table_names(const SpecSource& source);

// The first `rows` rows of every table (or only of the table called `only`: Error(NotFound) if none
// is) without writing anything: {"tables": [{"name", "database", "schema", "description",
// "rows_total" (at these params), "partition_keys", "sort_keys", "columns": [{"name", "type"}],
// "rows": [{column: value, ...}]}]}. Values as the query API gives them: numbers, text, true/false,
// timestamps "2024-01-31T10:00:00Z", dates "2024-01-31", null.
nlohmann::ordered_json preview(const std::vector<FakeTable>& tables, const Params& params, uint64_t rows,
                               const std::string& only = "");

}  // namespace superstore::fakedata
