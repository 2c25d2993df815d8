// Sample rows of spec tables as JSON, for `fake-data preview` and POST /dev/fake-tables/preview.
#include <algorithm>
#include <numeric>

#include "common/error.h"
#include "fakedata/spec/spec.h"

namespace superstore::fakedata {
namespace {

nlohmann::ordered_json cell(const Column& c, size_t i) {
  if (c.is_null(i)) return nullptr;
  switch (c.type()) {
    case ColumnType::Int16:
    case ColumnType::Int32:
    case ColumnType::Int64:
      return c.int_at(i);
    case ColumnType::Float64:
      return c.double_at(i);
    case ColumnType::String:
      return std::string(c.string_at(i));
    case ColumnType::Boolean:
      return c.int_at(i) != 0;
    case ColumnType::Timestamp:
      return format_timestamp_us(c.int_at(i));
    case ColumnType::Date:
      return format_date_days(static_cast<int32_t>(c.int_at(i)));
  }
  return nullptr;
}

}  // namespace

nlohmann::ordered_json preview(const std::vector<FakeTable>& tables, const Params& params, uint64_t rows,
                               const std::string& only) {
  nlohmann::ordered_json out = {{"tables", nlohmann::ordered_json::array()}};
  bool found = false;
  for (const FakeTable& t : tables) {
    if (!only.empty() && t.spec.name != only) continue;
    found = true;
    const uint64_t total = t.spec.rows(params);
    const ColumnBatch batch = generate(t, params, 0, std::min(rows, total));
    nlohmann::ordered_json columns = nlohmann::ordered_json::array();
    for (const ColumnDef& c : t.spec.columns) columns.push_back({{"name", c.name}, {"type", type_name(c.type)}});
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (size_t r = 0; r < batch.rows(); ++r) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (size_t c = 0; c < batch.columns.size(); ++c) row[batch.schema[c].name] = cell(batch[c], r);
      list.push_back(std::move(row));
    }
    out["tables"].push_back({{"name", t.spec.name},
                             {"database", t.spec.database},
                             {"schema", t.spec.schema},
                             {"description", t.spec.description},
                             {"rows_total", total},
                             {"partition_keys", t.spec.partition_keys},
                             {"sort_keys", t.spec.sort_keys},
                             {"columns", std::move(columns)},
                             {"rows", std::move(list)}});
  }
  if (!only.empty() && !found) {
    std::string names;
    for (const FakeTable& t : tables) names += (names.empty() ? "" : ", ") + t.spec.name;
    fail(ErrorCode::NotFound, "the spec has no table '" + only + "' (it has: " + names + ")");
  }
  return out;
}

}  // namespace superstore::fakedata
