// The fake tables in the warehouse: create the missing ones, reset them all, and describe them.
// A fake table becomes visible only together with all its rows, and a reset swaps each table for its
// fresh copy in one catalog step, so no reader ever sees a half-made table or none at all.
//
// Thread safety: calls may run concurrently with queries. Lifecycle calls take turns per DATA_DIR, across
// threads and processes (lifecycle_lock.h): create and reset wait for their turn, an advance that finds
// another change running is a Conflict.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/defaults.h"
#include "fakedata/fakedata.h"
#include "fakedata/spec/spec.h"
#include "storage/warehouse.h"

namespace superstore::fakedata {

// How long after its drop a generation of a fake table may still be read: a query takes its snapshot just
// before it runs and is stopped after `query_time_limit`; a minute on top covers the binding of its views
// and a clock step.
inline std::chrono::milliseconds dropped_generation_age(std::chrono::seconds query_time_limit) {
  return query_time_limit + std::chrono::minutes(1);
}

struct LifecycleOptions {
  uint64_t seed = kDefaultSeed;
  int64_t scale = 1;
  int64_t anchor_us = kDefaultAnchorUs;  // the fake world's "now" for create and reset (FAKE_DATA_ANCHOR)
  int threads = 0;                       // generator threads; 0 = one per core
  // Called after every batch written. Tables are made concurrently, so calls come from several threads,
  // but never two at once.
  std::function<void(const std::string& table, uint64_t rows_done, uint64_t rows_total)> progress;
  // Spec tables (spec_tables() below), handled after the built-in ones.
  std::vector<FakeTable> spec_tables;
  // reset: only the tables of these names (built-in or spec); empty: every one.
  std::set<std::string> only;
  // reset: dropped generations of each reset table to keep (FAKE_DATA_KEEP_DROPPED); older ones lose
  // their files and catalog entries, but only once dropped at least `min_dropped_age` ago, so that no
  // query still reads them (see dropped_generation_age).
  int64_t keep_dropped = kDefaultFakeDataKeepDropped;
  std::chrono::milliseconds min_dropped_age = dropped_generation_age(kDefaultQueryTimeLimit);
};

// The spec tables the lifecycle knows: those of `files` (read_spec_sources) and those made earlier
// from a request body, recompiled from the spec recorded with them (a file's table wins over a recorded
// one of the same name). Throws Error(InvalidArgument) as compile_specs does.
std::vector<FakeTable> spec_tables(storage::Warehouse& warehouse, const std::vector<SpecSource>& files);
// The same with `extra` sources (a request body) compiled beside them: recorded specs of tables that
// `extra` defines are left out, and a table defined both in `extra` and in a file is an
// Error(Conflict) (edit the file instead).
std::vector<FakeTable> spec_tables(storage::Warehouse& warehouse, const std::vector<SpecSource>& files,
                                   const std::vector<SpecSource>& extra);

struct CreateReport {
  std::vector<std::string> created;   // tables made by this call, in registry order
  std::vector<std::string> existing;  // tables left as they were
  std::vector<int64_t> dropped_ids;   // reset only: the ids of the replaced tables (status dropped)
  std::vector<int64_t> removed_ids;   // reset only: older dropped generations removed for good
};

// Whether the lifecycle made this table (built-in or from a spec): its properties say "fake_data": true.
// Such tables change only through the lifecycle, so that their rows stay what seed and scale say.
bool is_fake(const catalog::TableInfo& table);

// Creates every fake table (built-in, then options.spec_tables) that has no active table of its name
// in its database and schema; never touches one that exists. Throws Error(Conflict) before creating
// anything when a spec table's name is taken by a table that is not fake. The missing tables are made concurrently;
// when one fails, the others still finish and the first error is thrown.
CreateReport create_missing(storage::Warehouse& warehouse, const LifecycleOptions& options);

// Replaces every fake table (or options.only) with freshly generated data: all the new tables are built
// first and then replace the old ones in one catalog transaction, so a failure (a full disk:
// Error(InsufficientStorage)) changes no table and removes whatever it wrote. The old tables stay, with
// status dropped; of each table's dropped generations only the newest options.keep_dropped are kept
// (see LifecycleOptions). Error(NotFound) when options.only names a table that is not fake.
CreateReport reset(storage::Warehouse& warehouse, const LifecycleOptions& options);

// The most days one advance may move the fake world's clock.
inline constexpr int64_t kMaxAdvanceDays = 3'650;

struct AdvanceOptions {
  // Exactly one: whole days forward (1 to kMaxAdvanceDays), or the new anchor (after the current one,
  // at most kMaxAdvanceDays later).
  std::optional<int64_t> days;
  std::optional<int64_t> to_us;
  int threads = 0;  // generator threads; 0 = one per core
};

struct AdvanceReport {
  int64_t from_us = 0;
  int64_t to_us = 0;
  // Per table moved (built-in, then spec tables that grow): {"name", "version" (-1: nothing happened), "rows_added",
  // "rows_changed", "files_added", "files_removed"}.
  nlohmann::json tables = nlohmann::json::array();
};

// Moves the built-in fake tables' clock forward: per table, one new version holding exactly what
// happened between the anchors (the rows born, and the rows whose state changed, whose files are
// rewritten as remove + add), and the new anchor in the table's properties. So the tables then hold
// what a fresh create at the new anchor would. Spec tables whose spec says `grows:` get the rows
// born in the window (and catch up from an older anchor); other spec tables stay as they are. Readers see every table
// move at once: the tables are pinned (storage::kVisibleVersionProperty) while the versions are
// committed, and one catalog transaction moves every anchor and drops every pin. An advance that fails
// part-way takes back the versions it committed; one killed part-way leaves its pins, so readers still
// see the old world, and the next lifecycle call takes them back (take_back_interrupted_advance).
// Errors, before anything is written: InvalidArgument for days or a date out of range, NotFound when a
// built-in table is missing, Conflict when another lifecycle change runs (in any process), or when the
// tables do not agree on seed, scale, generator version and anchor or do not hold the rows their
// anchor says (changed by hand: reset them).
AdvanceReport advance(storage::Warehouse& warehouse, const AdvanceOptions& options);

// Takes back what an advance that was killed part-way committed: every pinned fake table gets a RESTORE
// commit back to its pin (when it moved past it), then all pins go in one catalog transaction. Returns
// the number of tables that were pinned. The caller holds the LifecycleLock.
int64_t take_back_interrupted_advance(storage::Warehouse& warehouse);

// Per fake table (built-in, then `spec_tables`): whether it exists and, if so, its ids, keys, rows,
// bytes, micro-partitions, log version, the seed/scale/generator version it was made with, and
// per-column min, max, null count and distinct count. Spec tables add "kind": "spec", "spec_source",
// "spec_digest" (of the spec now) and, when the table exists, "table_spec_digest" and "spec_changed"
// (true when the table was made from another version of the spec). {"tables": [...]}.
nlohmann::json status(storage::Warehouse& warehouse, const std::vector<FakeTable>& spec_tables = {});

}  // namespace superstore::fakedata
