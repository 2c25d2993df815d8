// fake-data advance: the fake world's clock moves forward, one commit per built-in table (and per spec
// table that grows). Readers see all
// the tables move at once: each table is first pinned at its current version (the Warehouse reads a pinned
// table at its pin, storage::kVisibleVersionProperty), the new versions are committed, and one catalog
// transaction then moves every anchor and drops every pin. An advance that stopped half-way (killed, a
// full disk) leaves pins behind, and the next one first takes back what was committed past them.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/log.h"
#include "fakedata/lifecycle.h"
#include "fakedata/lifecycle_lock.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata {
namespace {

struct Current {
  const FakeTable* table;
  catalog::TableInfo info;
  Params from;  // the built-in tables all agree; a growing spec table may lag behind and catch up
};

std::string where(const FakeTable& t) { return t.spec.database + "." + t.spec.schema + "." + t.spec.name; }

// The tables an advance moves: the built-in ones, then the spec tables that grow (`grows:` in the spec
// recorded with them), compiled from those recorded specs into `specs`, which keeps them alive.
std::vector<const FakeTable*> moving_tables(storage::Warehouse& wh, std::vector<FakeTable>& specs) {
  std::vector<const FakeTable*> out;
  for (const FakeTable& t : tables()) out.push_back(&t);
  const auto lists = wh.catalog().list_tables();
  const bool any_grows = std::any_of(lists.begin(), lists.end(), [](const catalog::TableInfo& t) {
    return is_fake(t) && t.properties.contains("spec") && t.properties["spec"].contains("grows");
  });
  if (!any_grows) return out;
  specs = spec_tables(wh, {});
  for (const FakeTable& t : specs) {
    if (t.spec.born) out.push_back(&t);
  }
  return out;
}

// The tables to move with their state now; `params` gets the built-in tables' common Params. Throws
// before anything is written.
std::vector<Current> current_tables(storage::Warehouse& wh, const std::vector<const FakeTable*>& moving,
                                    Params& params) {
  std::vector<Current> out;
  for (const FakeTable* listed : moving) {
    const FakeTable& table = *listed;
    const bool builtin = !table.properties.contains("spec_digest");
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
    } else if (builtin ? !(p == params) : p.seed != params.seed || p.scale != params.scale) {
      fail(ErrorCode::Conflict, "the fake tables disagree on seed, scale or anchor (" + table.spec.name + " is at " +
                                    format_timestamp_us(p.anchor_us) + ", scale " + std::to_string(p.scale) + "; " +
                                    tables().front().spec.name + " at " + format_timestamp_us(params.anchor_us) +
                                    ", scale " + std::to_string(params.scale) + "); run fake-data reset");
    }
    const int64_t rows = wh.snapshot(*info)->total_rows();
    if (rows != static_cast<int64_t>(table.spec.rows(p))) {
      fail(ErrorCode::Conflict, "fake table " + where(table) + " holds " + std::to_string(rows) + " rows, not the " +
                                    std::to_string(table.spec.rows(p)) + " its anchor " +
                                    format_timestamp_us(p.anchor_us) +
                                    " says (changed by hand, or an advance was stopped); run fake-data reset");
    }
    out.push_back({&table, std::move(*info), p});
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

// Commits one table's day(s): the rows born and the files of the rows that changed, as one version.
nlohmann::json advance_table(storage::Warehouse& wh, const Current& c, const Params& to) {
  const FakeTable& table = *c.table;
  const Params& from = c.from;
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
  return {{"name", table.spec.name},           {"version", result.version},
          {"rows_added", result.rows},         {"rows_changed", changed.size()},
          {"files_added", result.files_added}, {"files_removed", result.files_removed}};
}

// Test hook: SUPERSTORE_CRASH_DURING_ADVANCE=N kills the process after the N-th table's commit, as a
// kill -9 would (see the CLI test of an interrupted advance).
void maybe_crash_after_commit(size_t committed) {
  const char* at = std::getenv("SUPERSTORE_CRASH_DURING_ADVANCE");
  if (at && std::to_string(committed) == at) std::raise(SIGKILL);
}

// Every fake table that holds a pin: an advance stopped between its pins and its last catalog step.
std::vector<catalog::TableInfo> pinned_tables(storage::Warehouse& wh) {
  std::vector<catalog::TableInfo> out;
  for (auto& t : wh.catalog().list_tables()) {
    if (is_fake(t) && t.properties.contains(storage::kVisibleVersionProperty)) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

int64_t take_back_interrupted_advance(storage::Warehouse& wh) {
  const std::vector<catalog::TableInfo> pinned = pinned_tables(wh);
  if (pinned.empty()) return 0;
  std::vector<std::pair<int64_t, nlohmann::json>> unpinned;
  for (const auto& t : pinned) {
    const int64_t pin = t.properties[storage::kVisibleVersionProperty].get<int64_t>();
    const storage::WriteResult undone = wh.writer(t)->restore(pin);
    if (undone.version >= 0) {
      log::warn("fake table " + t.name + ": took back the versions an interrupted advance committed after version " +
                std::to_string(pin) + " (now version " + std::to_string(undone.version) + ")");
    }
    nlohmann::json props = t.properties;
    props.erase(storage::kVisibleVersionProperty);
    unpinned.emplace_back(t.id, std::move(props));
  }
  wh.catalog().set_tables_properties(unpinned);
  return static_cast<int64_t>(pinned.size());
}

AdvanceReport advance(storage::Warehouse& wh, const AdvanceOptions& options) {
  const std::optional<LifecycleLock> lock = LifecycleLock::try_take(wh.options().data_dir);
  if (!lock) {
    fail(ErrorCode::Conflict,
         "another fake-data change (create, reset or advance, in this or another process) "
         "is running; try again");
  }
  take_back_interrupted_advance(wh);
  std::vector<FakeTable> specs;
  const std::vector<const FakeTable*> moving = moving_tables(wh, specs);
  Params from;
  std::vector<Current> current = current_tables(wh, moving, from);
  Params to = from;
  to.anchor_us = target_anchor(options, from.anchor_us);
  validate(to);
  for (const Current& c : current) {
    // Before the default anchor a growing table's generators still see the anchor move (spec::Growth),
    // so its rows would change; a table made there is made again by reset instead.
    if (c.table->properties.contains("spec_digest") && c.from.anchor_us < kDefaultAnchorUs) {
      fail(ErrorCode::Conflict, "spec table " + where(*c.table) + " was made at " +
                                    format_timestamp_us(c.from.anchor_us) + ", before " +
                                    format_timestamp_us(kDefaultAnchorUs) +
                                    ", where growing tables do not move; run fake-data reset with a later anchor");
    }
    if (c.from.anchor_us > to.anchor_us) {
      fail(ErrorCode::Conflict, "fake table " + where(*c.table) + " is at " + format_timestamp_us(c.from.anchor_us) +
                                    ", past " + format_timestamp_us(to.anchor_us) + "; run fake-data reset");
    }
  }

  AdvanceReport report;
  report.from_us = from.anchor_us;
  report.to_us = to.anchor_us;
  // Readers keep seeing every table at its current version until the last step below.
  std::vector<std::pair<int64_t, nlohmann::json>> pins, moved;
  for (const Current& c : current) {
    nlohmann::json props = c.info.properties;
    props[storage::kVisibleVersionProperty] = wh.snapshot(c.info)->version;
    pins.emplace_back(c.info.id, std::move(props));
  }
  wh.catalog().set_tables_properties(pins);
  try {
    for (const Current& c : current) {
      report.tables.push_back(advance_table(wh, c, to));
      maybe_crash_after_commit(report.tables.size());
      nlohmann::json props = c.info.properties;
      const nlohmann::json anchor = properties(to);
      props["anchor"] = anchor["anchor"];
      props["anchor_us"] = anchor["anchor_us"];
      moved.emplace_back(c.info.id, std::move(props));
    }
    wh.catalog().set_tables_properties(moved);
  } catch (...) {
    // Nothing half-committed: the versions written so far go back now (or, if that fails too, at the
    // next advance, since the pins stay).
    try {
      take_back_interrupted_advance(wh);
    } catch (const std::exception& e) {
      log::warn(std::string("fake-data advance failed and could not take back its versions yet: ") + e.what());
    }
    throw;
  }
  return report;
}

}  // namespace superstore::fakedata
