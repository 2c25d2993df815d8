// Fake data for development: the registry of fake tables and their deterministic generators.
//
// This header is the pure, storage-free half of the fake-data feature. It knows which fake tables
// exist, their schemas and keys, and how to produce any slice of their rows as ColumnBatches. Creating,
// resetting and describing the tables in the warehouse is the lifecycle code's job; it iterates
// tables(), creates each table from its TableSpec, hands the write path generate_parallel() to read
// every row once (only the columns the write path asks for) and generate_rows() to fetch each file's
// rows in their final order, and records
// properties(params) with the table.
//
// The fake world's clock. Every row of a built-in table has a birth time that depends only on (seed,
// scale, table, row); ids follow birth time, as auto-increment ids do (births.h). A table at anchor A
// holds exactly the rows born up to A, each in its state at A: base_rows x scale rows at the default
// anchor, more later, fewer earlier. Only three cells change after birth, each on a schedule drawn per
// row: an order's status (pending -> processing -> shipped -> delivered, or cancelled before it ships),
// a user's is_active (some users leave) and a product's stock_quantity (sold on some days, restocked on
// a cycle). So moving the anchor from A to B adds the rows born in (A, B] and changes only those cells.
//
// Determinism contract. The value of cell (table t, column c, row i) is a pure function of
// (params.seed, params.scale, kRowsVersion, t, c, i), plus params.anchor_us for the three cells
// above. It never depends on the clock, the thread count, batch boundaries or the order of calls: the
// same Params give bit-identical batches on every run and machine, and another seed gives other data.
// Adding a column to a table leaves the values of its other columns unchanged. A change to any
// generator that alters values must bump kRowsVersion and kGeneratorVersion (the tests pin a digest of
// the default data to enforce this); one that alters only the files (their size, their encoding) bumps
// kGeneratorVersion, which the tables record, so that equal versions mean byte-identical files.
//
// Relations. fake_orders.user_id and fake_analytics.user_id lie in [1, rows of fake_users];
// fake_orders.product_name is the name of a row of fake_products and unit_price is that product's
// price; total_amount equals quantity x unit_price to the cent; order_date lies after both the user's
// and the product's created_at and never after the anchor; an event follows its user's sign-up. An
// order or an event refers only to rows born before it, so the relations hold at every anchor and
// scale, and each table is generated without the others in memory.
//
// Thread safety: every function here may be called concurrently from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/columns.h"
#include "common/defaults.h"
#include "common/types.h"

namespace superstore::fakedata {

// Identifies the generation algorithms. Recorded with every fake table; data generated with the same
// seed, scale, anchor and version is identical.
// Version 2: rows are born over time (a fixed history; the anchor says which rows exist and what state
// they are in) instead of being drawn backwards from the anchor.
// Version 3: fake_orders and fake_analytics are written in files of kSelectiveFileBytes instead of the
// warehouse's default size; their rows are those of version 2 (kRowsVersion).
inline constexpr uint32_t kGeneratorVersion = 3;
// The version the random streams are keyed by (random.h), so the version of the rows' values: bumped
// together with kGeneratorVersion when a change alters values, left alone when only the files change.
inline constexpr uint32_t kRowsVersion = 2;

// The target file size of the fake tables queried mostly by ranges of their sort key (fake_orders by
// order_date, fake_analytics by event_date): small enough that at scale 1000 a fake_orders partition is
// tens of files and a large fake_analytics one several, each a slice of the sort key, so pruning from the
// log (storage/file_pruning.h) opens the few a day, a week or an id range needs. Full scans pay for the
// extra files (bench/README.md, prune_bench).
inline constexpr int64_t kSelectiveFileBytes = 2LL << 20;

// Where the fake tables live.
inline constexpr std::string_view kDatabase = "development";
inline constexpr std::string_view kSchema = "dev_schema";

inline constexpr uint64_t kDefaultSeed = kDefaultFakeDataSeed;  // common/defaults.h
// 2025-01-01T00:00:00Z in microseconds: the fixed "now" of the fake world unless configured.
inline constexpr int64_t kDefaultAnchorUs = 1'735'689'600'000'000;
// The anchor must lie in [1980-01-01, 2200-01-01) so that every derived date stays far from overflow.
inline constexpr int64_t kMinAnchorUs = 315'532'800'000'000;
inline constexpr int64_t kMaxAnchorUs = 7'258'118'400'000'000;
// Upper bound of Params::scale; keeps every row index far below the PRNG's 2^48 row limit.
inline constexpr int64_t kMaxScale = kMaxFakeDataScale;  // common/defaults.h
// Batches this small stay in the CPU cache and in the allocator's free lists, which measured 1.5 to 3
// times faster than 64 Ki-row batches; per-batch overhead is still far below one percent.
inline constexpr uint64_t kDefaultBatchRows = 4'096;

struct Params {
  uint64_t seed = kDefaultSeed;
  // Multiplies every table's row count; at least 1 and at most kMaxScale.
  int64_t scale = 1;
  // The fake world's "now": the rows born up to it exist, in their state at it.
  int64_t anchor_us = kDefaultAnchorUs;

  bool operator==(const Params&) const = default;
};

// Throws Error(InvalidArgument) naming the offending field when scale or anchor is out of range.
void validate(const Params& params);

struct TableSpec {
  std::string name;  // e.g. "fake_users"
  std::string database = std::string(kDatabase);
  std::string schema = std::string(kSchema);
  std::string description;  // one sentence for status output and documentation
  std::vector<ColumnDef> columns;
  std::vector<std::string> partition_keys;
  std::vector<std::string> sort_keys;
  uint64_t base_rows = 0;         // rows at scale 1 (at the default anchor, for a table whose rows are born)
  int64_t target_file_bytes = 0;  // the table's micro-partition size; 0: the warehouse's default
  // The rows born by params.anchor_us, for a table whose rows arrive over time (the built-in ones);
  // empty: the table has base_rows x scale rows at every anchor.
  std::function<uint64_t(const Params&)> born;

  uint64_t rows(const Params& params) const {
    return born ? born(params) : base_rows * static_cast<uint64_t>(params.scale);
  }
};

// A set of a table's columns by their position in TableSpec::columns: bit i stands for column i (a
// fake table has at most 64 columns).
using ColumnMask = uint64_t;
inline constexpr ColumnMask kAllColumns = ~ColumnMask{0};
inline bool wants(ColumnMask columns, size_t column) { return ((columns >> column) & 1) != 0; }
// The columns of `spec` called `names`; throws Error(NotFound) for a name the spec lacks.
ColumnMask column_mask(const TableSpec& spec, const std::vector<std::string>& names);

// Appends the rows with these indices, in this order, to the columns of `out` (whose columns match the
// spec's) that `columns` names. Work that only other columns need may be skipped: each other column
// gets every row or none, and the callers drop them. Called only through generate(), generate_rows()
// and generate_columns(), which have validated the arguments. A built-in table's fill is a plain
// function; a spec table's (fakedata/spec/spec.h) holds its compiled spec.
using FillRows =
    std::function<void(const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out)>;

// The rows born by from.anchor_us whose cells differ at to.anchor_us (a later anchor, same seed and
// scale), ascending. Called only through changed_rows().
using ChangedRows = std::function<std::vector<uint64_t>(const Params& from, const Params& to)>;

// One fake table: what it is and how to make its rows.
struct FakeTable {
  TableSpec spec;
  FillRows fill;
  // Recorded with the table besides properties(params): for spec tables the spec's digest, its
  // canonical text and where it came from; empty for the built-in tables.
  nlohmann::json properties = nlohmann::json::object();
  // Empty for a table whose rows never change once born (analytics, spec tables).
  ChangedRows changed = nullptr;
};

// Every fake table, parents before children (users, products, orders, analytics). Built once; the
// references stay valid for the life of the process.
const std::vector<FakeTable>& tables();

// The registry entry called `name`; throws Error(NotFound) listing the fake tables when there is none.
const FakeTable& find_table(std::string_view name);

// Rows [row_begin, row_end) of the table, in id order (row index i has id i + 1), as one batch with the
// spec's schema. Requires row_begin <= row_end <= spec.rows(params); throws Error(InvalidArgument)
// otherwise or when params are invalid. Concatenating the batches of any split of [0, N) gives exactly
// generate(table, params, 0, N).
ColumnBatch generate(const FakeTable& table, const Params& params, uint64_t row_begin, uint64_t row_end);
ColumnBatch generate(std::string_view table_name, const Params& params, uint64_t row_begin, uint64_t row_end);
// The rows with these indices, in this order (any order, repeats allowed): row k of the result equals
// row rows[k] of generate(table, params, 0, N). This lets the write path produce rows in their final
// order (partition, then sort keys) without holding the table. Throws Error(InvalidArgument) for an
// index at or past the table's row count or when params are invalid.
ColumnBatch generate_rows(const FakeTable& table, const Params& params, std::span<const uint64_t> rows);
// The same with only the columns in `columns`, in spec order (how a spec table reads the parent rows
// its references point at).
ColumnBatch generate_rows(const FakeTable& table, const Params& params, std::span<const uint64_t> rows,
                          ColumnMask columns);
// Rows [row_begin, row_end) with only the columns in `columns`, in spec order: each is that column of
// generate(table, params, row_begin, row_end), made without the work the other columns need (the
// write path reads every row once for its partition and sort keys alone).
ColumnBatch generate_columns(const FakeTable& table, const Params& params, uint64_t row_begin, uint64_t row_end,
                             ColumnMask columns);

// The rows born by from.anchor_us whose cells differ at to.anchor_us, ascending (see the clock above).
// Throws Error(InvalidArgument) unless both Params are valid, share seed and scale, and `to` is not
// earlier than `from`.
std::vector<uint64_t> changed_rows(const FakeTable& table, const Params& from, const Params& to);

using BatchConsumer = std::function<void(ColumnBatch&&)>;

// Generates every row of the table on `threads` worker threads (0 = one per hardware thread) in batches
// of `batch_rows` rows, and hands the batches to `consumer` on the calling thread, one at a time and in
// row order: the concatenation of what the consumer receives is generate(table, params, 0, rows), for
// any thread count, or with `columns` generate_columns(table, params, 0, rows, columns). At most 2 x threads finished
// batches wait for the consumer, so memory stays bounded at any scale while a slow consumer (the write path) sets the
// pace. The last batch may be shorter.
//
// If the consumer throws, generation stops, the workers are joined and the exception propagates; an
// error inside a worker propagates the same way. Throws Error(InvalidArgument) for invalid params or
// batch_rows == 0.
void generate_parallel(const FakeTable& table, const Params& params, unsigned threads, uint64_t batch_rows,
                       const BatchConsumer& consumer, ColumnMask columns = kAllColumns);

// What the lifecycle code records with each fake table (catalog properties, status output):
// {"fake_data": true, "generator_version": 1, "seed": 42, "scale": 1,
//  "anchor": "2025-01-01T00:00:00Z", "anchor_us": 1735689600000000}. The seed is a JSON unsigned
// integer; readers in languages without 64-bit integers should treat it as opaque.
nlohmann::json properties(const Params& params);

// The Params recorded by properties(); throws Error(InvalidArgument) when a field is missing or
// malformed.
Params params_from_properties(const nlohmann::json& properties);

}  // namespace superstore::fakedata
