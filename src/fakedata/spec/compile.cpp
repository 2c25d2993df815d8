// From spec documents to FakeTables: read the YAML, check every rule the language has (keys, types,
// names, refs, cycles, keys of the table, uniqueness), build each table's program and wire refs to
// their parents. Problems are collected per column, so one run reports all of them (up to 20).
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "common/error.h"
#include "fakedata/spec/distributions.h"
#include "fakedata/spec/program.h"
#include "fakedata/spec/spec.h"

namespace superstore::fakedata {

using spec::CompiledColumn;
using spec::Settings;
using spec::Slot;
using spec::SpecError;
using spec::TableProgram;

namespace {

constexpr size_t kMaxProblems = 20;
constexpr size_t kMaxColumns = 256;

std::string position(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

[[noreturn]] void spec_fail(const std::string& file, const std::string& table, const std::string& column,
                            const YAML::Node& at, const std::string& message) {
  std::string where = position(file, at) + ": ";
  if (!table.empty()) where += "table " + table + (column.empty() ? "" : ", column " + column) + ": ";
  throw SpecError{where + message};
}

// A YAML tree as JSON: maps, lists, and every scalar as text (YAML does not say which scalars are
// numbers; the compiler reads them as the setting needs).
nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& entry : node) out[spec::key_text(entry.first)] = to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      return node.Scalar();
    default:
      return nullptr;
  }
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool valid_name(const std::string& name) {
  try {
    validate_identifier(name, "name");
    return true;
  } catch (const Error&) {
    return false;
  }
}

struct DraftColumn {
  bool broken = true;  // its own entry has a problem; cleared once read
  std::string name;
  ColumnType type = ColumnType::Int64;
  bool hidden = false;
  bool unique = false;
  double null_p = 0;
  YAML::Node node, gen, unique_node;
};

struct Draft {
  const SpecSource* source = nullptr;
  YAML::Node node;
  std::string name, database, schema, description;
  uint64_t rows = 0;
  std::vector<std::pair<std::string, YAML::Node>> partition_by, sort_by;
  // grows: {per_day, time_column}
  int64_t grows_per_day = 0;
  std::string grows_column;
  YAML::Node grows_node;
  std::vector<DraftColumn> columns;
  std::shared_ptr<TableProgram> program;
  bool broken = false;  // its header has problems; its columns are not compiled
  // (parent table, parent column) per ref column and per column read through a ref: for cycles.
  std::vector<std::vector<std::pair<std::string, std::string>>> reads_elsewhere;
  std::vector<std::vector<size_t>> reads_here;
  std::set<std::string> parents;  // spec tables it refers to (itself excluded)
  std::string digest;
  nlohmann::json canonical;
};

// The tables a ref may name: the built-in ones and every draft.
class Tables {
 public:
  explicit Tables(std::vector<Draft>& drafts) : drafts_(drafts) {}

  Draft* draft(const std::string& name) {
    for (Draft& d : drafts_) {
      if (d.name == name) return &d;
    }
    return nullptr;
  }
  const FakeTable* builtin(const std::string& name) const {
    for (const FakeTable& t : tables()) {
      if (t.spec.name == name) return &t;
    }
    return nullptr;
  }
  // The visible columns of a table, in order.
  std::vector<ColumnDef> visible_columns(const std::string& name) {
    if (const FakeTable* b = builtin(name)) return b->spec.columns;
    std::vector<ColumnDef> out;
    if (Draft* d = draft(name)) {
      for (const auto& c : d->columns) {
        if (!c.hidden) out.push_back({c.name, c.type});
      }
    }
    return out;
  }
  std::string known() const {
    std::string out;
    for (const FakeTable& t : tables()) out += (out.empty() ? "" : ", ") + t.spec.name;
    for (const Draft& d : drafts_) out += ", " + d.name;
    return out;
  }

 private:
  std::vector<Draft>& drafts_;
};

// The scope of one column while it compiles: which names it may read.
class Scope : public spec::ColumnScope {
 public:
  Scope(Draft& draft, size_t column, Tables& tables) : draft_(draft), column_(column), tables_(tables) {}

  const std::string& table() const override { return draft_.name; }
  const std::string& column() const override { return draft_.columns[column_].name; }
  ColumnType column_type() const override { return draft_.columns[column_].type; }

  std::string where(const YAML::Node& at) const override {
    return position(draft_.source->name, at) + ": table " + draft_.name + ", column " + column() + ": ";
  }

  std::optional<Slot> resolve(std::string_view name, const YAML::Node& at) override {
    TableProgram& program = *draft_.program;
    const std::string text(name);
    const size_t dot = text.find('.');
    const std::string head = text.substr(0, dot);
    const auto found = std::find_if(draft_.columns.begin(), draft_.columns.end(),
                                    [&](const DraftColumn& c) { return c.name == head; });
    if (found == draft_.columns.end()) return std::nullopt;
    const auto index = static_cast<size_t>(found - draft_.columns.begin());
    if (index == column_) fail(at, "the column reads itself");
    if (index > column_) {
      fail(at, "reads column " + head + ", which comes later in the table; a column reads only the columns above it");
    }
    CompiledColumn& source = program.columns[index];
    if (dot == std::string::npos) {
      note_read(static_cast<int>(index));
      draft_.reads_here[column_].push_back(index);
      return Slot{static_cast<int>(index), spec::type_of(found->type)};
    }
    if (!source.parent) fail(at, "'" + text + "': " + head + " is not a ref, so it has no columns of its own");
    const std::string parent_column = text.substr(dot + 1);
    const std::string& parent_table = source.parent_table;
    const std::vector<ColumnDef> columns = tables_.visible_columns(parent_table);
    const auto pc =
        std::find_if(columns.begin(), columns.end(), [&](const ColumnDef& c) { return c.name == parent_column; });
    if (pc == columns.end()) fail(at, "'" + text + "': " + parent_table + " has no column '" + parent_column + "'");
    const auto position_in_parent = static_cast<size_t>(pc - columns.begin());
    int slot = -1;
    for (const auto& [p, s] : source.parent_slots) {
      if (p == position_in_parent) slot = s;
    }
    if (slot < 0) {
      slot = program.slot_count++;
      source.parent_slots.emplace_back(position_in_parent, slot);
    }
    note_read(slot);
    draft_.reads_here[column_].push_back(index);
    draft_.reads_elsewhere[column_].emplace_back(parent_table, parent_column);
    return Slot{slot, spec::type_of(pc->type)};
  }

  bool slot_is_digit_free(int slot) const override {
    if (slot < 0 || static_cast<size_t>(slot) >= draft_.columns.size()) return false;
    const CompiledColumn& c = draft_.program->columns[static_cast<size_t>(slot)];
    return c.generator && c.generator->digit_free();
  }

  bool slot_is_non_negative_unique_int(int slot) const override {
    if (slot < 0 || static_cast<size_t>(slot) >= draft_.columns.size()) return false;
    const CompiledColumn& c = draft_.program->columns[static_cast<size_t>(slot)];
    return c.generator && c.generator->non_negative_unique_int();
  }

 private:
  void note_read(int slot) {
    std::vector<int>& reads = draft_.program->columns[column_].reads;
    if (std::find(reads.begin(), reads.end(), slot) == reads.end()) reads.push_back(slot);
  }

  Draft& draft_;
  size_t column_;
  Tables& tables_;
};

class Compiler {
 public:
  explicit Compiler(const std::vector<SpecSource>& sources) : sources_(sources), tables_(drafts_) {}

  std::vector<FakeTable> run() {
    for (const SpecSource& source : sources_) guard([&] { load(source); });
    check_names();
    for (Draft& d : drafts_) {
      if (!d.broken) compile_table(d);
    }
    if (problems_.empty()) check_cycles();
    if (!problems_.empty()) {
      std::string message = problems_.size() == 1
                                ? "the fake-data spec has a problem:\n"
                                : "the fake-data spec has " + std::to_string(problems_.size()) +
                                      (problems_.size() >= kMaxProblems ? " or more" : "") + " problems:\n";
      for (const auto& p : problems_) message += p + "\n";
      message.pop_back();
      fail(ErrorCode::InvalidArgument, message);
    }
    return finish();
  }

 private:
  void problem(std::string message) {
    if (problems_.size() < kMaxProblems) problems_.push_back(std::move(message));
  }
  void guard(const std::function<void()>& step) {
    try {
      step();
    } catch (const SpecError& e) {
      problem(e.message);
    }
  }

  // --------------------------------------------------------------------------------------------------
  // Reading

  static void allow_keys(const std::string& file, const std::string& table, const std::string& column,
                         const YAML::Node& map, std::initializer_list<std::string_view> keys) {
    for (const auto& entry : map) {
      const std::string key = spec::key_text(entry.first);
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      std::string list;
      for (auto k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
      spec_fail(file, table, column, entry.first, "unknown key '" + key + "' (" + list + ")");
    }
  }

  // Checks what yaml-cpp lets through. It decodes the escapes \N and \_ of double-quoted scalars into the
  // single bytes 0x85 and 0xA0, which are not UTF-8; and it keeps both entries of a key given twice in one
  // map, of which lookups find the first and the recorded spec (to_json) kept the last, so a table made
  // again from its record differed. Both found by fuzz/fake_spec_fuzz.cpp.
  static void check_nodes(const std::string& file, const YAML::Node& node) {
    if (node.IsScalar() && spec::invalid_utf8_at(node.Scalar()) != std::string::npos) {
      spec_fail(file, "", "", node, "the value is not UTF-8 text; write the characters instead of \\N or \\_");
    }
    if (node.IsSequence()) {
      for (const auto& item : node) check_nodes(file, item);
    } else if (node.IsMap()) {
      std::set<std::string> keys;
      for (const auto& entry : node) {
        check_nodes(file, entry.first);
        if (!keys.insert(spec::key_text(entry.first)).second) {
          spec_fail(file, "", "", entry.first, "key '" + spec::key_text(entry.first) + "' appears twice in one map");
        }
        check_nodes(file, entry.second);
      }
    }
  }

  void load(const SpecSource& source) {
    const std::string& file = source.name;
    // yaml-cpp takes any bytes, but a spec is kept and answered as JSON text, which must be UTF-8; bytes
    // that are not made the recording of the table fail as an internal error (found by
    // fuzz/fake_spec_fuzz.cpp).
    if (const size_t bad = spec::invalid_utf8_at(source.text); bad != std::string_view::npos) {
      const std::string_view before = std::string_view(source.text).substr(0, bad);
      const size_t line = static_cast<size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
      const size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
      throw SpecError{file + ":" + std::to_string(line) + ":" + std::to_string(bad - line_start + 1) +
                      ": not UTF-8 text (a spec must be UTF-8)"};
    }
    YAML::Node root;
    try {
      root = YAML::Load(source.text);
    } catch (const YAML::Exception& e) {
      throw SpecError{file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                      ": not valid YAML or JSON: " + e.msg};
    }
    check_nodes(file, root);
    if (!root.IsMap() || !root["tables"]) spec_fail(file, "", "", root, "a spec holds 'tables:', a list of tables");
    allow_keys(file, "", "", root, {"tables"});
    const YAML::Node list = root["tables"];
    if (!list.IsSequence() || list.size() == 0)
      spec_fail(file, "", "", list, "'tables' must be a list of at least one table");
    for (const auto& node : list) {
      Draft d;
      d.source = &source;
      d.node = static_cast<const YAML::Node&>(node);
      guard([&] { read_table(d); });
      drafts_.push_back(std::move(d));
    }
  }

  void read_table(Draft& d) {
    const std::string& file = d.source->name;
    d.broken = true;
    if (!d.node.IsMap()) spec_fail(file, "", "", d.node, "a table is a map with name, rows and columns");
    if (!std::as_const(d.node)["name"] || !std::as_const(d.node)["name"].IsScalar())
      spec_fail(file, "", "", d.node, "a table needs a name");
    d.name = std::as_const(d.node)["name"].Scalar();
    if (!valid_name(d.name)) {
      spec_fail(file, "", "", std::as_const(d.node)["name"],
                "'" + d.name + "' is not a valid table name (a letter or _, then letters, digits or _)");
    }
    allow_keys(file, d.name, "", d.node,
               {"name", "database", "schema", "description", "rows", "partition_by", "sort_by", "grows", "columns"});
    const auto text = [&](const char* key, std::string fallback) {
      const YAML::Node n = std::as_const(d.node)[key];
      if (!n) return fallback;
      if (!n.IsScalar()) spec_fail(file, d.name, "", n, std::string(key) + " must be text");
      return n.Scalar();
    };
    d.database = text("database", std::string(kDatabase));
    d.schema = text("schema", std::string(kSchema));
    d.description = text("description", "");
    for (const auto& [key, value] : {std::pair{"database", d.database}, std::pair{"schema", d.schema}}) {
      if (!valid_name(value))
        spec_fail(file, d.name, "", std::as_const(d.node)[key], "'" + value + "' is not a valid " + key + " name");
    }
    const YAML::Node rows = std::as_const(d.node)["rows"];
    if (!rows) spec_fail(file, d.name, "", d.node, "a table needs rows (its row count at scale 1)");
    uint64_t count = 0;
    const std::string rows_text = rows.IsScalar() ? rows.Scalar() : "";
    const auto r = std::from_chars(rows_text.data(), rows_text.data() + rows_text.size(), count);
    if (rows_text.empty() || r.ec != std::errc() || r.ptr != rows_text.data() + rows_text.size() || count < 1 ||
        count > kMaxSpecRows) {
      spec_fail(file, d.name, "", rows,
                "rows must be a whole number from 1 to " + std::to_string(kMaxSpecRows) + ", got '" + rows_text + "'");
    }
    d.rows = count;
    for (const auto& [key, out] : {std::pair{"partition_by", &d.partition_by}, std::pair{"sort_by", &d.sort_by}}) {
      const YAML::Node n = std::as_const(d.node)[key];
      if (!n) continue;
      if (n.IsScalar()) {
        out->emplace_back(n.Scalar(), n);
        continue;
      }
      if (!n.IsSequence()) spec_fail(file, d.name, "", n, std::string(key) + " is a list of column names");
      for (const auto& item : n) {
        if (!item.IsScalar()) spec_fail(file, d.name, "", item, std::string(key) + " is a list of column names");
        out->emplace_back(item.Scalar(), item);
      }
    }
    if (const YAML::Node grows = std::as_const(d.node)["grows"]) read_grows(d, grows);
    const YAML::Node columns = std::as_const(d.node)["columns"];
    if (!columns || !columns.IsSequence() || columns.size() == 0) {
      spec_fail(file, d.name, "", columns ? columns : d.node, "a table needs columns, a list of at least one column");
    }
    if (columns.size() > kMaxColumns) spec_fail(file, d.name, "", columns, "a table has at most 256 columns");
    std::set<std::string> seen;
    for (const auto& c : columns) {
      DraftColumn col;
      col.node = static_cast<const YAML::Node&>(c);
      guard([&] {
        read_column(d, col);
        if (!seen.insert(col.name).second) spec_fail(file, d.name, col.name, c, "a second column called " + col.name);
        col.broken = false;
      });
      d.columns.push_back(std::move(col));
    }
    size_t visible = 0;
    for (const auto& c : d.columns) visible += c.hidden ? 0 : 1;
    if (visible > 64) spec_fail(file, d.name, "", columns, "a table has at most 64 columns that are not hidden");
    if (visible == 0)
      spec_fail(file, d.name, "", columns, "every column is hidden; a table needs at least one to show");
    d.broken = false;  // columns with problems of their own are skipped; the others are still checked
  }

  void read_column(const Draft& d, DraftColumn& col) {
    const std::string& file = d.source->name;
    const YAML::Node& c = col.node;
    if (!c.IsMap()) spec_fail(file, d.name, "", c, "a column is a map with name, type and gen");
    if (!c["name"] || !c["name"].IsScalar()) spec_fail(file, d.name, "", c, "a column needs a name");
    col.name = c["name"].Scalar();
    if (!valid_name(col.name)) spec_fail(file, d.name, "", c["name"], "'" + col.name + "' is not a valid column name");
    allow_keys(file, d.name, col.name, c, {"name", "type", "gen", "null", "unique", "hidden", "description"});
    if (!c["type"] || !c["type"].IsScalar()) {
      spec_fail(file, d.name, col.name, c,
                "a column needs a type (Int16, Int32, Int64, Float64, String, Boolean, Timestamp, Date)");
    }
    try {
      col.type = parse_column_type(c["type"].Scalar());
    } catch (const Error& e) {
      spec_fail(file, d.name, col.name, c["type"], e.what());
    }
    if (!c["gen"]) spec_fail(file, d.name, col.name, c, "a column needs gen, the generator of its values");
    col.gen = c["gen"];
    const auto flag = [&](const char* key) {
      const YAML::Node n = c[key];
      if (!n) return false;
      const std::string v = n.IsScalar() ? n.Scalar() : "";
      if (v == "true" || v == "yes") return true;
      if (v == "false" || v == "no") return false;
      spec_fail(file, d.name, col.name, n, std::string(key) + " is true or false");
    };
    col.hidden = flag("hidden");
    col.unique = flag("unique");
    if (c["unique"]) col.unique_node = c["unique"];
    if (const YAML::Node n = spec::find_key(c, "null")) {
      const std::string v = n.IsScalar() ? n.Scalar() : "";
      double p = -1;
      const auto r = std::from_chars(v.data(), v.data() + v.size(), p);
      if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || !(p >= 0 && p <= 1)) {
        spec_fail(file, d.name, col.name, n, "null is the share of NULL cells, from 0 to 1");
      }
      col.null_p = p;
    }
  }

  void check_names() {
    std::map<std::string, const Draft*> names;
    for (Draft& d : drafts_) {
      if (d.name.empty()) continue;
      if (tables_.builtin(d.name)) {
        problem(position(d.source->name, std::as_const(d.node)["name"]) + ": table " + d.name +
                ": is the name of a built-in fake table; choose another name");
        d.broken = true;
      }
      const auto [it, fresh] = names.emplace(d.name, &d);
      if (!fresh) {
        problem(position(d.source->name, std::as_const(d.node)["name"]) + ": table " + d.name +
                ": defined twice (also at " +
                position(it->second->source->name, std::as_const(it->second->node)["name"]) + ")");
        d.broken = true;
      }
    }
    // Programs exist for every draft before any compiles, so that refs can point at them.
    for (Draft& d : drafts_) d.program = std::make_shared<TableProgram>();
  }

  // --------------------------------------------------------------------------------------------------
  // Columns

  static Settings settings_of(const YAML::Node& gen, const std::string& file, const Draft& d, const DraftColumn& col) {
    if (gen.IsScalar()) return Settings(gen.Scalar(), gen, spec::undefined_node(), {});
    if (!gen.IsMap() || gen.size() == 0) {
      spec_fail(file, d.name, col.name, gen,
                "gen is a generator name (sequence, uuid) or a map such as {int: {min: 1, max: 9}}");
    }
    // One key names the kind; the rest are its settings. (Recorded specs come back as JSON with sorted
    // keys, so the kind is found by name, not by place.)
    static const std::set<std::string> kKinds = {"sequence", "int",       "float", "decimal", "choice", "bool", "words",
                                                 "template", "timestamp", "date",  "expr",    "ref",    "uuid"};
    auto it = gen.begin();
    for (auto k = gen.begin(); k != gen.end(); ++k) {
      if (!kKinds.count(spec::key_text(k->first))) continue;
      if (kKinds.count(spec::key_text(it->first)) && k != it) {
        spec_fail(file, d.name, col.name, k->first,
                  "gen names two generators, " + spec::key_text(it->first) + " and " + spec::key_text(k->first));
      }
      it = k;
    }
    const std::string kind = spec::key_text(it->first);
    const YAML::Node value = it->second;
    const auto kind_it = it;
    std::vector<std::pair<std::string, YAML::Node>> keys;
    // A choice's map is its values, unless it holds 'by' (weights by another column).
    const bool data_map = kind == "choice" && value.IsMap() && !value["by"];
    if (value.IsMap() && !data_map) {
      for (const auto& entry : value) keys.emplace_back(spec::key_text(entry.first), entry.second);
    }
    const YAML::Node main = (value.IsMap() && !data_map) || value.IsNull() ? spec::undefined_node() : value;
    for (it = gen.begin(); it != gen.end(); ++it) {
      if (it == kind_it) continue;
      const std::string key = spec::key_text(it->first);
      for (const auto& [k, node] : keys) {
        if (k == key) spec_fail(file, d.name, col.name, it->first, "'" + key + "' is given twice");
      }
      keys.emplace_back(key, it->second);
    }
    return Settings(kind, gen, main, std::move(keys));
  }

  // grows: {per_day: N, time_column: NAME}; the column itself is checked with the others (compile_table).
  static void read_grows(Draft& d, const YAML::Node& grows) {
    const std::string& file = d.source->name;
    const std::string usage =
        "grows takes {per_day: N, time_column: COLUMN}, e.g. {per_day: 40, time_column: created_at}";
    if (!grows.IsMap()) spec_fail(file, d.name, "", grows, usage);
    allow_keys(file, d.name, "", grows, {"per_day", "time_column"});
    const YAML::Node per_day = grows["per_day"], column = grows["time_column"];
    if (!per_day || !column) spec_fail(file, d.name, "", grows, usage);
    const std::string text = per_day.IsScalar() ? per_day.Scalar() : "";
    int64_t n = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || n < 1 ||
        n > static_cast<int64_t>(kMaxSpecRows)) {
      spec_fail(file, d.name, "", per_day,
                "per_day must be a whole number from 1 to " + std::to_string(kMaxSpecRows) + ", got '" + text + "'");
    }
    if (!column.IsScalar()) spec_fail(file, d.name, "", column, "time_column names a Timestamp or Date column");
    d.grows_per_day = n;
    d.grows_column = column.Scalar();
    d.grows_node = column;
  }

  void compile_table(Draft& d) {
    const std::string& file = d.source->name;
    TableProgram& program = *d.program;
    program.name = d.name;
    program.base_rows = d.rows;
    program.columns.resize(d.columns.size());
    program.slot_count = static_cast<int>(d.columns.size());
    d.reads_here.resize(d.columns.size());
    d.reads_elsewhere.resize(d.columns.size());
    for (size_t i = 0; i < d.columns.size(); ++i) {
      const DraftColumn& col = d.columns[i];
      CompiledColumn& out = program.columns[i];
      out.name = col.name;
      out.type = col.type;
      out.hidden = col.hidden;
      out.null_threshold = col.null_p >= 1 ? ~uint64_t{0} : static_cast<uint64_t>(col.null_p * 0x1.0p64);
      if (!col.hidden) program.visible.push_back(i);
      if (col.broken) continue;
      guard([&] {
        Scope scope(d, i, tables_);
        Settings s = settings_of(col.gen, file, d, col);
        if (s.kind() == "ref") {
          link_ref(d, i, s, scope);
        } else {
          out.generator = spec::make_generator(s, scope);
        }
        if (const auto left = s.leftover(); !left.empty()) {
          scope.fail(left.front().second.IsDefined() ? left.front().second : col.gen,
                     "'" + left.front().first + "' is not a setting of " + s.kind());
        }
        if (col.unique && !(out.generator && out.generator->unique())) {
          scope.fail(col.unique_node, "unique cannot be guaranteed for a " + s.kind() +
                                          " column: only sequence, uuid, and a template whose only digits are a "
                                          "sequence column's, or that holds one at an end beside a non-digit (e.g. "
                                          "\"ORD-{id}\"), are unique by construction");
        }
      });
    }
    const auto key_check = [&](const std::vector<std::pair<std::string, YAML::Node>>& keys, const char* what) {
      std::set<std::string> seen;
      for (const auto& key : keys) {
        // Named references, not structured bindings: a lambda may not capture those before C++20's fix
        // reached every compiler (clang before 16).
        const std::string& name = key.first;
        const YAML::Node& node = key.second;
        guard([&] {
          const auto c =
              std::find_if(d.columns.begin(), d.columns.end(), [&](const DraftColumn& x) { return x.name == name; });
          if (c == d.columns.end())
            spec_fail(file, d.name, "", node, std::string(what) + " names '" + name + "', which is not a column");
          if (c->hidden) spec_fail(file, d.name, "", node, std::string(what) + " names hidden column " + name);
          if (!seen.insert(name).second)
            spec_fail(file, d.name, "", node, std::string(what) + " names " + name + " twice");
          if (std::string(what) == "partition_by" && !can_partition_by(c->type)) {
            spec_fail(file, d.name, "", node,
                      "partition key " + name + " is " + std::string(type_name(c->type)) +
                          "; partition keys are String, integers, Boolean or Date");
          }
        });
      }
    };
    key_check(d.partition_by, "partition_by");
    key_check(d.sort_by, "sort_by");
    if (d.grows_per_day > 0) {
      guard([&] {
        const auto c = std::find_if(d.columns.begin(), d.columns.end(),
                                    [&](const DraftColumn& x) { return x.name == d.grows_column; });
        if (c == d.columns.end() || c->hidden) {
          spec_fail(file, d.name, "", d.grows_node,
                    "grows: time_column names '" + d.grows_column + "', which is not a visible column");
        }
        if (c->type != ColumnType::Timestamp && c->type != ColumnType::Date) {
          spec_fail(file, d.name, "", d.grows_node,
                    "grows: time_column " + c->name + " is " + std::string(type_name(c->type)) +
                        "; it must be a Timestamp or Date column, which holds when each row was born");
        }
        program.growth = spec::Growth{d.grows_per_day, static_cast<size_t>(c - d.columns.begin())};
      });
    }
  }

  void link_ref(Draft& d, size_t i, Settings& s, Scope& scope) {
    const YAML::Node target = s.main().IsDefined() ? s.main() : s.take("column").value_or(spec::undefined_node());
    if (!target.IsDefined() || !target.IsScalar())
      scope.fail(s.where(), "ref names a table's column, e.g. {ref: fake_users.id}");
    const std::string& text = target.Scalar();
    const size_t dot = text.find('.');
    if (dot == std::string::npos) scope.fail(target, "ref names table.column, e.g. fake_users.id; got '" + text + "'");
    const std::string table = text.substr(0, dot), column = text.substr(dot + 1);
    CompiledColumn& out = d.program->columns[i];
    if (const FakeTable* b = tables_.builtin(table)) {
      out.parent = spec::Parent{b, nullptr};
    } else if (Draft* p = tables_.draft(table)) {
      if (p->broken) scope.fail(target, "refers to table " + table + ", which has problems of its own");
      out.parent = spec::Parent{nullptr, p->program.get()};
      if (p != &d) d.parents.insert(table);
    } else {
      scope.fail(target, "ref to an unknown table '" + table + "' (fake tables: " + tables_.known() + ")");
    }
    const std::vector<ColumnDef> columns = tables_.visible_columns(table);
    const auto pc = std::find_if(columns.begin(), columns.end(), [&](const ColumnDef& c) { return c.name == column; });
    if (pc == columns.end()) scope.fail(target, "ref to an unknown column '" + column + "' of " + table);
    if (spec::type_of(pc->type) != spec::type_of(d.columns[i].type)) {
      scope.fail(target, table + "." + column + " is " + std::string(type_name(pc->type)) + ", but the column is " +
                             std::string(type_name(d.columns[i].type)));
    }
    out.parent_column = static_cast<size_t>(pc - columns.begin());
    out.parent_table = table;
    d.reads_elsewhere[i].emplace_back(table, column);
    if (const auto skew = s.take("skew")) {
      out.skew = spec::number_of(*skew, scope, "skew");
      if (out.skew <= 0 || out.skew > 10)
        scope.fail(*skew, "skew lies between 0 and 10 (1 is Zipf's law; larger means fewer, busier parents)");
      out.skew_ranks = std::make_shared<spec::ZipfCache>(out.skew);
    }
  }

  // --------------------------------------------------------------------------------------------------
  // Whole-spec checks

  // Columns read columns: within a table only upwards, but refs can close a loop through other tables
  // (or the same table read again as a parent). Depth-first search over (table, column).
  void check_cycles() {
    std::map<std::pair<std::string, std::string>, int> state;  // 1 on the path, 2 done
    std::vector<std::string> path;
    std::function<void(const std::string&, const std::string&)> visit = [&](const std::string& t,
                                                                            const std::string& c) {
      const auto key = std::make_pair(t, c);
      if (state[key] == 2) return;
      if (state[key] == 1) {
        std::string loop;
        const std::string node = t + "." + c;
        const auto start = std::find(path.begin(), path.end(), node);
        for (auto it = start; it != path.end(); ++it) loop += *it + " -> ";
        Draft* d = tables_.draft(t);
        throw SpecError{position(d->source->name, std::as_const(d->node)["name"]) + ": table " + t +
                        ": a cycle of refs and reads: " + loop + node};
      }
      Draft* d = tables_.draft(t);
      if (!d) return;  // built-in tables read nothing of ours
      const auto col =
          std::find_if(d->columns.begin(), d->columns.end(), [&](const DraftColumn& x) { return x.name == c; });
      if (col == d->columns.end()) return;
      const auto i = static_cast<size_t>(col - d->columns.begin());
      state[key] = 1;
      path.push_back(t + "." + c);
      for (size_t here : d->reads_here[i]) visit(t, d->columns[here].name);
      for (const auto& [pt, pc] : d->reads_elsewhere[i]) visit(pt, pc);
      path.pop_back();
      state[key] = 2;
    };
    for (Draft& d : drafts_) {
      for (const auto& c : d.columns) guard([&] { visit(d.name, c.name); });
    }
  }

  std::vector<FakeTable> finish() {
    // Parents first: a table comes after every spec table it refers to.
    std::vector<Draft*> order;
    std::set<std::string> placed;
    while (order.size() < drafts_.size()) {
      bool progress = false;
      for (Draft& d : drafts_) {
        if (placed.count(d.name)) continue;
        if (!std::all_of(d.parents.begin(), d.parents.end(), [&](const std::string& p) { return placed.count(p) > 0; }))
          continue;
        // Digest: the canonical definition and the digests of its spec parents, whose data it reads.
        d.canonical = to_json(d.node);
        d.canonical["database"] = d.database;
        d.canonical["schema"] = d.schema;
        std::string material = d.canonical.dump();
        for (const std::string& p : d.parents) material += "|" + p + ":" + tables_.draft(p)->digest;
        d.digest = sha256_hex(material);
        order.push_back(&d);
        placed.insert(d.name);
        progress = true;
      }
      if (!progress) fail(ErrorCode::Internal, "fake-data spec tables could not be ordered");
    }
    // One owner keeps every program alive for as long as any returned table is.
    auto owner = std::make_shared<std::vector<std::shared_ptr<TableProgram>>>();
    for (Draft& d : drafts_) owner->push_back(d.program);
    std::vector<FakeTable> out;
    for (Draft* d : order) {
      FakeTable t;
      t.spec.name = d->name;
      t.spec.database = d->database;
      t.spec.schema = d->schema;
      t.spec.description = d->description;
      t.spec.base_rows = d->rows;
      for (const auto& c : d->columns) {
        if (!c.hidden) t.spec.columns.push_back({c.name, c.type});
      }
      for (const auto& [name, node] : d->partition_by) t.spec.partition_keys.push_back(name);
      for (const auto& [name, node] : d->sort_by) t.spec.sort_keys.push_back(name);
      const TableProgram* program = d->program.get();
      if (program->growth) {
        t.spec.born = [owner, program](const Params& params) { return program->rows(params); };
      }
      t.fill = [owner, program](const Params& params, std::span<const uint64_t> rows, ColumnMask columns,
                                ColumnBatch& batch) {
        std::vector<Column> values = program->run(params, rows, columns);
        for (size_t v = 0; v < values.size(); ++v) {
          if (!wants(columns, v)) continue;
          if (batch[v].size() == 0)
            batch[v] = std::move(values[v]);
          else
            batch[v].append(values[v]);
        }
      };
      t.properties = {{"spec_digest", d->digest},
                      {"spec", d->canonical},
                      {"spec_source", d->source->name},
                      {"spec_generator_version", kSpecGeneratorVersion}};
      out.push_back(std::move(t));
    }
    return out;
  }

  const std::vector<SpecSource>& sources_;
  std::vector<Draft> drafts_;
  Tables tables_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<FakeTable> compile_specs(const std::vector<SpecSource>& sources) {
  if (sodium_init() < 0) fail(ErrorCode::Internal, "libsodium failed to initialise");
  return Compiler(sources).run();
}

std::vector<SpecSource> read_spec_sources(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorCode::NotFound, "no fake-data spec at " + path.string());
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  std::vector<SpecSource> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) fail(ErrorCode::NotFound, "cannot read fake-data spec " + f.string());
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back({f.string(), text.str()});
  }
  return out;
}

std::vector<std::string> spec_table_names(const SpecSource& source) {
  std::vector<std::string> out;
  try {
    const YAML::Node root = YAML::Load(source.text);
    if (!root.IsMap() || !root["tables"] || !root["tables"].IsSequence()) return out;
    for (const auto& t : root["tables"]) {
      if (t.IsMap() && t["name"] && t["name"].IsScalar()) out.push_back(t["name"].Scalar());
    }
  } catch (const YAML::Exception&) {
  }
  return out;
}

SpecSource recorded_spec_source(const std::string& label, const nlohmann::json& spec) {
  return {label, nlohmann::json{{"tables", nlohmann::json::array({spec})}}.dump()};
}

}  // namespace superstore::fakedata
