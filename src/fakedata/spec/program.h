// A compiled spec table (internal to fakedata/spec): its columns in evaluation order, each with a
// generator, and how to run them over a batch of rows. compile.cpp builds programs from YAML; the
// generator kinds live in generators.cpp, words.cpp, template.cpp and time_gen.cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/columns.h"
#include "fakedata/fakedata.h"
#include "fakedata/random.h"
#include "fakedata/spec/expr.h"
#include "fakedata/spec/values.h"

namespace superstore::fakedata::spec {

// A spec problem, already worded with its file, position, table and column.
struct SpecError {
  std::string message;
};

// What a generator reads while it fills a batch.
struct GenInput {
  const Params& params;
  std::span<const uint64_t> rows;
  std::span<const Column* const> slots;  // values of the slots it declared, by slot index
  const Stream& stream;                  // the column's own random numbers
  const std::string& table;              // for streams shared by several columns (places, products)
};

class Generator {
 public:
  virtual ~Generator() = default;
  // The type of the values it yields; fill() appends one value (or NULL) per row, stored as
  // storage_of(type()).
  virtual Type type() const = 0;
  virtual void fill(const GenInput& in, Column& out) const = 0;
  // Whether no two rows can get the same value (never by checking: by how the values are made).
  virtual bool unique() const { return false; }
  // For a sequence: whether every value is a non-negative integer (what a template needs to stay
  // unique, see template.cpp).
  virtual bool non_negative_unique_int() const { return false; }
  // Whether its values fit a column of any width of its type (an int generator's range was checked
  // against the column's type); an expression's may not, and are converted with range checks.
  virtual bool fits_any_width() const { return true; }
  // For text: whether no value ever holds a digit (what lets a template's sequence make it unique).
  virtual bool digit_free() const { return false; }
};

// The settings of one `gen:`: its kind, the value written after the kind (a scalar or a list, when it
// is not a map of settings) and its settings (from a map after the kind and the keys beside the kind;
// the same key twice is an error). Every setting must be taken, or finish() names it as unknown.
class Settings {
 public:
  Settings(std::string kind, const YAML::Node& gen, const YAML::Node& main,
           std::vector<std::pair<std::string, YAML::Node>> keys)
      : kind_(std::move(kind)), gen_(gen), main_(main), keys_(std::move(keys)) {}

  const std::string& kind() const { return kind_; }
  const YAML::Node& where() const { return gen_; }
  // The scalar or list written after the kind, or an undefined node.
  const YAML::Node& main() const { return main_; }
  std::optional<YAML::Node> take(std::string_view key);
  // The keys nobody took.
  std::vector<std::pair<std::string, YAML::Node>> leftover() const;

 private:
  std::string kind_;
  YAML::Node gen_, main_;
  std::vector<std::pair<std::string, YAML::Node>> keys_;
  std::vector<std::string> taken_;
};

// What a generator may ask of the column being compiled.
class ColumnScope {
 public:
  virtual ~ColumnScope() = default;
  virtual const std::string& table() const = 0;
  virtual const std::string& column() const = 0;
  virtual ColumnType column_type() const = 0;
  // A name as expressions, templates and `after:` use it: an earlier column, or ref_column.parent_column.
  // Records the read. Throws SpecError (at `at`) for a later column or the column itself.
  virtual std::optional<Slot> resolve(std::string_view name, const YAML::Node& at) = 0;
  // "FILE:LINE:COLUMN: table T, column C: " for a node of this column's spec.
  virtual std::string where(const YAML::Node& at) const = 0;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    throw SpecError{where(at) + message};
  }
  // The resolver expressions use, reporting positions relative to `at`.
  Resolver resolver(const YAML::Node& at);
  // Whether the column is unique (sequence, uuid) by construction; nothing for other columns.
  virtual bool slot_is_non_negative_unique_int(int slot) const = 0;
  // Whether the slot is a column of this table whose text never holds a digit.
  virtual bool slot_is_digit_free(int slot) const = 0;
};

// The generator of a gen: that is not a ref (refs are linked by compile.cpp). Throws SpecError.
std::unique_ptr<Generator> make_generator(Settings& settings, ColumnScope& scope);
std::unique_ptr<Generator> make_words(Settings& settings, ColumnScope& scope);
std::unique_ptr<Generator> make_template(Settings& settings, ColumnScope& scope);
std::unique_ptr<Generator> make_time(Settings& settings, ColumnScope& scope);

// The table name spec columns' random streams are keyed by (it holds kSpecGeneratorVersion).
std::string stream_table(const std::string& table);

// The text of a map key. YAML reads a plain `null:` key (the column setting) as a null node with no
// text, so that one is "null".
std::string key_text(const YAML::Node& key);
// The value of `key` in a map, compared by key_text (so `null` is found however it was written).
YAML::Node find_key(const YAML::Node& map, std::string_view key);

// A node that IsDefined() says is not there. (A default-constructed YAML::Node is a defined null.)
// Never assign to a YAML::Node that came from a tree: yaml-cpp's assignment rewrites the node in the
// tree instead of rebinding the variable.
inline YAML::Node undefined_node() { return YAML::Node(YAML::NodeType::Undefined); }

// Helpers for reading settings, each throwing SpecError at the node.
double number_of(const YAML::Node& node, ColumnScope& scope, std::string_view what);
int64_t integer_of(const YAML::Node& node, ColumnScope& scope, std::string_view what);
std::string text_of(const YAML::Node& node, ColumnScope& scope, std::string_view what);
// A duration such as 180d, 12h, -365d, 2w, 30m, 45s (y = 365 days); nothing if `text` is not one.
std::optional<int64_t> parse_duration_us(std::string_view text);

// Where a ref's parent lives: a built-in table, or another program of the same compilation.
class TableProgram;
struct Parent {
  const FakeTable* builtin = nullptr;
  const TableProgram* program = nullptr;
  uint64_t rows(const Params& params) const;
  // The rows with these numbers, only the visible columns in `columns`.
  ColumnBatch fetch(const Params& params, std::span<const uint64_t> rows, ColumnMask columns) const;
};

struct CompiledColumn {
  std::string name;
  ColumnType type = ColumnType::Int64;
  bool hidden = false;
  uint64_t null_threshold = 0;           // a cell is NULL when its null draw is below this (of 2^64)
  std::unique_ptr<Generator> generator;  // null for refs
  std::vector<int> reads;                // slots read

  // Refs: the parent, the parent's column the value comes from (by visible position), and how parents
  // are picked (uniformly, or Zipf-like with this exponent).
  std::optional<Parent> parent;
  std::string parent_table;
  size_t parent_column = 0;
  double skew = 0;
  std::shared_ptr<class ZipfCache> skew_ranks;  // made by compile.cpp when skew > 0
  // Slots of the parent's columns read through this ref (their positions in the parent): filled by
  // compile.cpp as other columns name them.
  std::vector<std::pair<size_t, int>> parent_slots;  // (parent visible column, slot)
};

// `grows: {per_day, time_column}`: after the default anchor, per_day x scale rows are born a day, evenly
// spaced; a grown row's time column holds its birth time. The generators of a growing table see the anchor
// no later than the default one, so its rows never change as the clock moves on: an advance only adds
// rows, and a table made at a later anchor holds the same rows as one advanced to it.
struct Growth {
  int64_t per_day = 0;
  size_t column = 0;  // internal index of the time column (Timestamp or Date)
};

class TableProgram {
 public:
  std::string name;
  std::vector<CompiledColumn> columns;  // in spec order, hidden ones included
  std::vector<size_t> visible;          // internal index of each visible column
  int slot_count = 0;                   // columns.size() plus one slot per parent column read
  uint64_t base_rows = 0;
  std::optional<Growth> growth;

  // The rows that exist at params.anchor_us: base_rows x scale, and for a growing table the rows born
  // since the default anchor.
  uint64_t rows(const Params& params) const;
  // A growing table's row `row` (at least base_rows x scale): when it is born, in µs.
  int64_t birth_us(const Params& params, uint64_t row) const;

  // The values of the visible columns in `wanted` (a mask over visible positions) for these rows;
  // the other visible columns stay empty. Columns that the wanted ones read are computed too.
  std::vector<Column> run(const Params& params, std::span<const uint64_t> rows, ColumnMask wanted) const;

 private:
  Column with_births(const Params& params, std::span<const uint64_t> rows, Column generated) const;
};

}  // namespace superstore::fakedata::spec
