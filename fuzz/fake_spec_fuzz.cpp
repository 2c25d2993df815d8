// Fuzz target: the fake-data spec language (fakedata/spec/: YAML or JSON, expressions, templates, time
// windows, refs), which reads request bodies of POST /dev/fake-tables and files under FAKE_DATA_SPECS. The
// input is one spec document.
// Properties: a spec is refused only by Error(InvalidArgument); reading table names leniently never
// throws; a compiled spec generates its rows the same way twice, any row alone equals that row in a run of
// rows (first rows and the last), and each table's recorded canonical definition compiles again to the
// same digest.
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "fakedata/spec/spec.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace superstore;
using namespace superstore::fakedata;

// Row `row` of column `column`, written out so that two batches can be compared (doubles by their bits).
std::string cell(const ColumnBatch& batch, size_t column, size_t row) {
  const Column& c = batch[column];
  if (c.is_null(row)) return "null";
  if (c.type() == ColumnType::String) return std::string(c.string_at(row));
  if (c.type() == ColumnType::Float64) {
    const double d = c.double_at(row);
    uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    return std::to_string(bits);
  }
  return std::to_string(c.int_at(row));
}

void check_rows(const FakeTable& table, const Params& params) {
  const uint64_t total = table.spec.rows(params);
  if (total == 0) return;
  const uint64_t first = std::min<uint64_t>(total, 4);
  ColumnBatch run;
  if (!fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { run = generate(table, params, 0, first); })) return;
  std::vector<uint64_t> picks;
  for (uint64_t r = first; r-- > 0;) picks.push_back(r);  // reversed
  const ColumnBatch alone = generate_rows(table, params, picks);
  for (size_t c = 0; c < run.columns.size(); ++c) {
    for (size_t k = 0; k < picks.size(); ++k) {
      FUZZ_CHECK(cell(alone, c, k) == cell(run, c, picks[k]), "table " + table.spec.name + " row " +
                                                                  std::to_string(picks[k]) + " column " +
                                                                  run.schema[c].name + " differs when made alone");
    }
  }
  const uint64_t last = total - 1;
  fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { generate_rows(table, params, {&last, 1}); });
}

void check_recorded(const std::vector<FakeTable>& tables) {
  std::vector<SpecSource> recorded;
  std::map<std::string, std::string> digests;
  for (const auto& t : tables) {
    recorded.push_back(recorded_spec_source("recorded " + t.spec.name, t.properties.at("spec")));
    digests[t.spec.name] = t.properties.at("spec_digest").get<std::string>();
  }
  std::vector<FakeTable> again;
  const bool compiled = fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { again = compile_specs(recorded); });
  FUZZ_CHECK(compiled, "the recorded definitions do not compile again");
  for (const auto& t : again) {
    FUZZ_CHECK(digests[t.spec.name] == t.properties.at("spec_digest").get<std::string>(),
               "table " + t.spec.name + " has another digest when compiled from its recorded definition");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const SpecSource source{"fuzz.yaml", std::string(fuzz::as_text(data, size))};
  try {
    spec_table_names(source);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("spec_table_names threw: ") + e.what());
  }
  std::vector<FakeTable> tables;
  if (!fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { tables = compile_specs({source}); })) return 0;
  const Params params;
  // As the preview route writes it: bytes that are not UTF-8 become U+FFFD.
  auto preview_text = [&] {
    std::string text;
    fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] {
      text = preview(tables, params, 3).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    });
    return text;
  };
  const std::string first = preview_text();
  const std::string second = preview_text();
  FUZZ_CHECK(first == second, "two previews of one spec differ");
  for (const auto& t : tables) check_rows(t, params);
  check_recorded(tables);
  return 0;
}
