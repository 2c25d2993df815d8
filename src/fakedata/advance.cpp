// fake-data advance: the fake world's clock moves forward, one commit per built-in table.
#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "fakedata/lifecycle.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata {
namespace {

struct Current {
  const FakeTable* table;
  catalog::TableInfo info;
};

std::string where(const FakeTable& t) { return t.spec.database + "." + t.spec.schema + "." + t.spec.name; }

// The built-in tables and the Params they agree on; throws before anything is written.
std::vector<Current> current_tables(storage::Warehouse& wh, Params& params) {
  std::vector<Current> out;
  for (const FakeTable& table : tables()) {
    auto info = wh.catalog().find_table(table.spec.database, table.spec.schema, table.spec.name);
    if (!info || !is_fake(*info)) {
      fail(ErrorCode::NotFound, "fake table " + where(table) + " does not exist: run fake-data create first");
    }
    if (info->properties.value("generator_version", int64_t{0}) != int64_t{kGeneratorVersion}) {
      fail(ErrorCode::Conflict, "fake table " + where(table) + " was made by another generator version; " +
                                    "run fake-data reset to make the tables again before advancing them");
    }
    const Params p = params_from_properties(info->properties);
    if (out.empty()) {
      params = p;
    } else if (!(p == params)) {
      fail(ErrorCode::Conflict, "the fake tables disagree on seed, scale or anchor (" + table.spec.name + " is at " +
                                    format_timestamp_us(p.anchor_us) + ", " + tables().front().spec.name + " at " +
                                    format_timestamp_us(params.anchor_us) + "); run fake-data reset");
    }
    const int64_t rows = wh.snapshot(*info)->total_rows();
    if (rows != static_cast<int64_t>(table.spec.rows(p))) {
      fail(ErrorCode::Conflict, "fake table " + where(table) + " holds " + std::to_string(rows) + " rows, not the " +
                                    std::to_string(table.spec.rows(p)) + " its anchor " +
                                    format_timestamp_us(p.anchor_us) +
                                    " says (changed by hand, or an advance was stopped); run fake-data reset");
    }
    out.push_back({&table, std::move(*info)});
  }
  return out;
}

int64_t target_anchor(const AdvanceOptions& options, int64_t from_us) {
  if (options.days.has_value() == options.to_us.has_value()) {
    fail(ErrorCode::InvalidArgument, "advance takes either a number of days or a date to advance to");
  }
  const int64_t limit_us = kMaxAdvanceDays * kDayUs;
  if (options.days) {
    if (*options.days < 1 || *options.days > kMaxAdvanceDays) {
      fail(ErrorCode::InvalidArgument,
           "days must be from 1 to " + std::to_string(kMaxAdvanceDays) + ", got " + std::to_string(*options.days));
    }
    return from_us + *options.days * kDayUs;
  }
  if (*options.to_us <= from_us) {
    fail(ErrorCode::InvalidArgument, "the fake world is at " + format_timestamp_us(from_us) +
                                         "; it only moves forward, so advance to a later time than " +
                                         format_timestamp_us(*options.to_us));
  }
  if (*options.to_us - from_us > limit_us) {
    fail(ErrorCode::InvalidArgument, "one advance moves at most " + std::to_string(kMaxAdvanceDays) + " days; " +
                                         format_timestamp_us(*options.to_us) + " is further from " +
                                         format_timestamp_us(from_us));
  }
  return *options.to_us;
}

// The rows to write for one table: the changed rows' whole files (`rewritten`, by id) and the new rows,
// generated at the new anchor.
storage::RegenerableRows rows_to_write(const FakeTable& table, const Params& to, uint64_t first_new,
                                       const std::vector<int64_t>& rewritten) {
  auto indices = std::make_shared<std::vector<uint64_t>>();
  for (int64_t id : rewritten) indices->push_back(static_cast<uint64_t>(id - 1));
  for (uint64_t row = first_new; row < table.spec.rows(to); ++row) indices->push_back(row);
  storage::RegenerableRows rows;
  rows.rows = indices->size();
  rows.scan = [&table, to, indices](const std::vector<std::string>& columns,
                                    const storage::RegenerableRows::Consumer& consume) {
    const ColumnMask mask = column_mask(table.spec, columns);
    for (size_t begin = 0; begin < indices->size(); begin += kDefaultBatchRows) {
      const size_t n = std::min<size_t>(kDefaultBatchRows, indices->size() - begin);
      consume(generate_rows(table, to, std::span<const uint64_t>(indices->data() + begin, n), mask));
    }
  };
  rows.fetch = [&table, to, indices](std::span<const uint64_t> at) {
    std::vector<uint64_t> wanted;
    wanted.reserve(at.size());
    for (uint64_t i : at) wanted.push_back((*indices)[i]);
    return generate_rows(table, to, wanted);
  };
  return rows;
}

}  // namespace

AdvanceReport advance(storage::Warehouse& wh, const AdvanceOptions& options) {
  Params from;
  std::vector<Current> current = current_tables(wh, from);
  Params to = from;
  to.anchor_us = target_anchor(options, from.anchor_us);
  validate(to);

  AdvanceReport report;
  report.from_us = from.anchor_us;
  report.to_us = to.anchor_us;
  for (const Current& c : current) {
    const FakeTable& table = *c.table;
    std::vector<int64_t> changed;
    for (uint64_t row : changed_rows(table, from, to)) changed.push_back(static_cast<int64_t>(row + 1));
    const uint64_t first_new = table.spec.rows(from);
    storage::RegenerableChange change;
    change.key_column = "id";
    change.changed = changed;
    change.rows = [&](const std::vector<int64_t>& rewritten) { return rows_to_write(table, to, first_new, rewritten); };
    change.operation = "FAKE DATA ADVANCE";
    change.operation_parameters = {{"from", format_timestamp_us(from.anchor_us)},
                                   {"to", format_timestamp_us(to.anchor_us)},
                                   {"anchor_us", std::to_string(to.anchor_us)}};
    const storage::WriteResult result = wh.writer(c.info)->replace_regenerable(change);
    nlohmann::json props = c.info.properties;
    const nlohmann::json moved = properties(to);
    props["anchor"] = moved["anchor"];
    props["anchor_us"] = moved["anchor_us"];
    wh.catalog().set_table_properties(c.info.id, props);
    report.tables.push_back({{"name", table.spec.name},
                             {"version", result.version},
                             {"rows_added", result.rows},
                             {"rows_changed", changed.size()},
                             {"files_added", result.files_added},
                             {"files_removed", result.files_removed}});
  }
  return report;
}

}  // namespace superstore::fakedata
