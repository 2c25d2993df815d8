// The fake tables in the warehouse: create the missing ones, reset them all, and describe them.
// A fake table becomes visible only together with all its rows, and a reset swaps each table for its
// fresh copy in one catalog step, so no reader ever sees a half-made table or none at all.
//
// Thread safety: calls may run concurrently with queries. Two lifecycle calls at once are safe but may
// both generate a table; the loser of the catalog race reports a Conflict.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakedata/fakedata.h"
#include "storage/warehouse.h"

namespace superstore::fakedata {

struct LifecycleOptions {
  uint64_t seed = kDefaultSeed;
  int64_t scale = 1;
  int threads = 0;  // generator threads; 0 = one per core
  // Called after every batch written. Tables are made concurrently, so calls come from several threads,
  // but never two at once.
  std::function<void(const std::string& table, uint64_t rows_done, uint64_t rows_total)> progress;
};

struct CreateReport {
  std::vector<std::string> created;   // tables made by this call, in registry order
  std::vector<std::string> existing;  // tables left as they were
  std::vector<int64_t> dropped_ids;   // reset only: the ids of the replaced tables (status dropped)
};

// Creates every registered fake table that has no active table of its name in development.dev_schema;
// never touches one that exists. The missing tables are made concurrently; when one fails, the others
// still finish and the first error is thrown.
CreateReport create_missing(storage::Warehouse& warehouse, const LifecycleOptions& options);

// Replaces every fake table with freshly generated data; the old tables stay, with status dropped.
CreateReport reset(storage::Warehouse& warehouse, const LifecycleOptions& options);

// Per registered table: whether it exists and, if so, its ids, keys, rows, bytes, micro-partitions, log
// version, the seed/scale/generator version it was made with, and per-column min, max, null count and
// distinct count. {"tables": [...]}.
nlohmann::json status(storage::Warehouse& warehouse);

}  // namespace superstore::fakedata
