#include "storage/prune_filters.h"

#include <set>

#include "common/strings.h"
#include "query/sql_tree.h"

namespace superstore::storage {
namespace {

using nlohmann::json;
using Op = PrunePredicate::Op;

std::string text_of(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

// A member of `node` by reference into the tree (json::value would copy it), or null.
const json& member(const json& node, const char* key) {
  static const json kNull;
  if (!node.is_object()) return kNull;
  auto it = node.find(key);
  return it != node.end() ? *it : kNull;
}

bool is_null_member(const json& node, const char* key) {
  auto it = node.find(key);
  return it == node.end() || it->is_null();
}

// A constant of the statement, typed as DuckDB types it.
struct Constant {
  enum class Kind { Null, Integer, Decimal, Text, Date, Timestamp };
  Kind kind = Kind::Null;
  ExactNumber number;  // Integer, Decimal; Date and Timestamp as microseconds
  std::string text;
};

bool integer_type(const std::string& id) {
  static const std::set<std::string> kIds = {"TINYINT",  "SMALLINT",  "INTEGER",  "BIGINT",
                                             "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"};
  return kIds.count(id) > 0;
}

// The range of DuckDB's integer types; a cast out of it is an error we leave to DuckDB.
bool fits_integer(const std::string& id, const ExactNumber& n) {
  static const std::map<std::string, std::pair<__int128, __int128>> kRanges = {
      {"TINYINT", {-128, 127}},           {"SMALLINT", {-32768, 32767}}, {"INTEGER", {INT32_MIN, INT32_MAX}},
      {"BIGINT", {INT64_MIN, INT64_MAX}}, {"UTINYINT", {0, 255}},        {"USMALLINT", {0, 65535}},
      {"UINTEGER", {0, UINT32_MAX}},      {"UBIGINT", {0, INT64_MAX}}};  // above INT64_MAX: not taken
  auto it = kRanges.find(id);
  return n.scale == 0 && it != kRanges.end() && n.mantissa >= it->second.first && n.mantissa <= it->second.second;
}

__int128 ten_to(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// `n` as DECIMAL(width, scale), when that is exact and in range.
std::optional<ExactNumber> as_decimal(const ExactNumber& n, const json& type_info) {
  if (!type_info.is_object()) return std::nullopt;
  const int width = type_info.value("width", 0), scale = type_info.value("scale", 0);
  if (width < 1 || width > 18 || scale < 0 || scale > width || n.scale > scale) return std::nullopt;
  ExactNumber r = rescale(n, scale);
  const __int128 limit = ten_to(width);
  if (r.mantissa <= -limit || r.mantissa >= limit) return std::nullopt;
  return r;
}

// A constant expression DuckDB folds exactly as we do here: literals and casts of literals between the
// types pruning knows. Anything else (functions, arithmetic, doubles, casts that round) is nullopt.
std::optional<Constant> constant_of(const json& node) {
  const std::string cls = text_of(node, "class");
  if (cls == "CONSTANT") {
    const json& value = member(node, "value");
    if (!value.is_object()) return std::nullopt;
    if (value.value("is_null", false)) return Constant{};
    const json& type = member(value, "type");
    if (!type.is_object()) return std::nullopt;
    const std::string id = text_of(type, "id");
    const json v = value.value("value", json());
    if (integer_type(id) && v.is_number_integer()) {
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return Constant{Constant::Kind::Integer, {v.get<int64_t>(), 0}, {}};
    }
    if (id == "DECIMAL" && v.is_number_integer()) {
      const json& info = type.value("type_info", json());
      const int scale = info.is_object() ? info.value("scale", -1) : -1;
      if (scale < 0 || scale > 18 || info.value("width", 99) > 18) return std::nullopt;
      return Constant{Constant::Kind::Decimal, {v.get<int64_t>(), scale}, {}};
    }
    if (id == "VARCHAR" && v.is_string()) return Constant{Constant::Kind::Text, {}, v.get<std::string>()};
    return std::nullopt;
  }
  if (cls != "CAST") return std::nullopt;
  auto child = constant_of(member(node, "child"));
  if (!child) return std::nullopt;
  if (child->kind == Constant::Kind::Null) return child;
  const json& type = member(node, "cast_type");
  if (!type.is_object()) return std::nullopt;
  const std::string id = text_of(type, "id");
  Constant out;
  if (integer_type(id)) {
    std::optional<ExactNumber> n;
    if (child->kind == Constant::Kind::Integer) n = child->number;
    if (child->kind == Constant::Kind::Text) n = parse_exact_number(child->text);
    if (!n || !fits_integer(id, *n)) return std::nullopt;
    return Constant{Constant::Kind::Integer, *n, {}};
  }
  if (id == "DECIMAL") {
    std::optional<ExactNumber> n;
    if (child->kind == Constant::Kind::Integer || child->kind == Constant::Kind::Decimal) n = child->number;
    if (child->kind == Constant::Kind::Text) n = parse_exact_number(child->text);
    if (n) n = as_decimal(*n, type.value("type_info", json()));
    if (!n) return std::nullopt;
    return Constant{Constant::Kind::Decimal, *n, {}};
  }
  if (id == "VARCHAR") {
    if (child->kind != Constant::Kind::Text) return std::nullopt;
    return child;
  }
  if (id == "DATE") {
    if (child->kind == Constant::Kind::Date) return child;
    if (child->kind != Constant::Kind::Text) return std::nullopt;
    auto d = parse_date_micros(child->text);
    if (!d) return std::nullopt;
    return Constant{Constant::Kind::Date, {*d, 0}, {}};
  }
  if (id == "TIMESTAMP" || id == "TIMESTAMP WITH TIME ZONE") {
    if (child->kind == Constant::Kind::Date || child->kind == Constant::Kind::Timestamp) {
      return Constant{Constant::Kind::Timestamp, child->number, {}};
    }
    if (child->kind != Constant::Kind::Text) return std::nullopt;
    // Text without an offset is UTC: the engine's TimeZone is UTC (query/database.cpp).
    auto t = parse_timestamp_micros(child->text, id != "TIMESTAMP");
    if (!t) return std::nullopt;
    return Constant{Constant::Kind::Timestamp, {*t, 0}, {}};
  }
  return std::nullopt;
}

// `c` as DuckDB compares it with a column of `field`'s type; nullopt (outer) when we cannot tell exactly.
// The inner nullopt is SQL NULL.
std::optional<std::optional<PruneValue>> value_for(const Constant& c, const DeltaField& field) {
  using K = Constant::Kind;
  if (c.kind == K::Null) return std::optional<PruneValue>();
  const std::string type = field.type.is_string() ? field.type.get<std::string>() : "";
  switch (prune_domain(field.type)) {
    case PruneDomain::Number: {
      if (c.kind == K::Integer || c.kind == K::Decimal) return std::optional<PruneValue>(c.number);
      // A string compared with an integer column is cast to the column's type.
      static const std::map<std::string, std::string> kIntegerIds = {
          {"byte", "TINYINT"}, {"short", "SMALLINT"}, {"integer", "INTEGER"}, {"long", "BIGINT"}};
      auto id = kIntegerIds.find(type);
      if (c.kind != K::Text || id == kIntegerIds.end()) return std::nullopt;
      auto n = parse_exact_number(c.text);
      if (!n || !fits_integer(id->second, *n)) return std::nullopt;
      return std::optional<PruneValue>(*n);
    }
    case PruneDomain::Text:
      if (c.kind != K::Text) return std::nullopt;
      return std::optional<PruneValue>(c.text);
    case PruneDomain::Date:
    case PruneDomain::Timestamp: {
      if (c.kind == K::Date || c.kind == K::Timestamp) return std::optional<PruneValue>(c.number);
      if (c.kind != K::Text) return std::nullopt;
      const bool date = prune_domain(field.type) == PruneDomain::Date;
      auto t = date ? parse_date_micros(c.text) : parse_timestamp_micros(c.text, type == "timestamp");
      if (!t) return std::nullopt;
      return std::optional<PruneValue>(ExactNumber{*t, 0});
    }
    case PruneDomain::Other:
      return std::nullopt;
  }
  return std::nullopt;
}

// A table (or anything else) in a SELECT's FROM.
struct Leaf {
  std::string binding;  // its alias, else its name (lowercased)
  std::string table;    // lowercased; empty for what is not a superstore table
  const std::vector<DeltaField>* fields = nullptr;
  bool filterable = false;  // the SELECT's WHERE decides which of its rows count
  const json* node = nullptr;
};

class Extractor {
 public:
  Extractor(const std::map<std::string, std::vector<DeltaField>>& tables, std::set<std::string> ctes)
      : tables_(tables), ctes_(std::move(ctes)) {}

  // The predicate of each table read directly in the FROM of `select`.
  void select_node(const json& select, std::map<const json*, std::optional<PrunePredicate>>& found) {
    leaves_.clear();
    conditions_.clear();
    opaque_ = false;
    const bool sampled = !is_null_member(select, "sample");
    collect(member(select, "from_table"), !sampled);
    if (const auto where = select.find("where_clause"); where != select.end() && !where->is_null()) {
      conditions_.push_back(&*where);
    }
    for (const auto& leaf : leaves_) {
      if (!leaf.fields) continue;
      std::optional<PrunePredicate> p;
      if (leaf.filterable) p = all_of(conditions_, leaf);
      found[leaf.node] = std::move(p);
    }
  }

  std::optional<PrunePredicate> all_of(const std::vector<const json*>& parts, const Leaf& leaf) const {
    PrunePredicate p;
    p.op = Op::And;
    for (const json* part : parts) {
      if (auto c = translate(*part, leaf)) p.children.push_back(std::move(*c));
    }
    if (p.children.empty()) return std::nullopt;
    if (p.children.size() == 1) return std::move(p.children.front());
    return p;
  }

 private:
  void collect(const json& ref, bool filterable) {
    const std::string type = text_of(ref, "type");
    if (type == "BASE_TABLE") {
      Leaf leaf;
      leaf.node = &ref;
      const std::string name = lower(text_of(ref, "table_name"));
      const std::string alias = lower(text_of(ref, "alias"));
      leaf.binding = alias.empty() ? name : alias;
      const bool plain = text_of(ref, "schema_name").empty() && text_of(ref, "catalog_name").empty() &&
                         !ctes_.count(name) && member(ref, "column_name_alias").empty();
      auto it = tables_.find(name);
      if (plain && it != tables_.end()) {
        leaf.table = name;
        leaf.fields = &it->second;
        leaf.filterable = filterable && is_null_member(ref, "sample") && is_null_member(ref, "at_clause");
      } else {
        opaque_ = true;
      }
      leaves_.push_back(std::move(leaf));
      return;
    }
    if (type == "JOIN") {
      const std::string join = text_of(ref, "join_type"), kind = text_of(ref, "ref_type");
      const bool regular = kind == "REGULAR" || kind == "CROSS" || kind == "NATURAL";
      const bool inner = regular && join == "INNER";
      const bool left_kept = regular && (inner || join == "LEFT" || join == "SEMI" || join == "ANTI");
      const bool right_kept = regular && (inner || join == "RIGHT");
      collect(member(ref, "left"), filterable && left_kept);
      collect(member(ref, "right"), filterable && right_kept);
      if (inner && !is_null_member(ref, "condition")) conditions_.push_back(&ref["condition"]);
      return;
    }
    if (type != "EMPTY") opaque_ = true;  // a subquery, a table function, ...: columns we do not know
  }

  // The field a COLUMN_REF names when it is a column of `leaf`, as DuckDB binds it in this SELECT.
  const DeltaField* column_of(const json& node, const Leaf& leaf) const {
    if (text_of(node, "class") != "COLUMN_REF") return nullptr;
    const json& names = member(node, "column_names");
    if (names.size() == 2) {
      const std::string binding = lower(names[0].is_string() ? names[0].get<std::string>() : "");
      if (binding != leaf.binding) return nullptr;
      int same = 0;
      for (const auto& l : leaves_) same += l.binding == binding ? 1 : 0;
      if (same != 1) return nullptr;
      return field_named(leaf, names[1]);
    }
    if (names.size() != 1 || opaque_) return nullptr;
    const DeltaField* field = field_named(leaf, names[0]);
    if (!field) return nullptr;
    for (const auto& other : leaves_) {
      if (&other != &leaf && field_named(other, names[0])) return nullptr;  // ambiguous, or another's
    }
    return field;
  }

  static const DeltaField* field_named(const Leaf& leaf, const json& name) {
    if (!leaf.fields || !name.is_string()) return nullptr;
    const std::string wanted = lower(name.get<std::string>());
    const DeltaField* found = nullptr;
    for (const auto& f : *leaf.fields) {
      if (lower(f.name) != wanted) continue;
      if (found) return nullptr;
      found = &f;
    }
    return found;
  }

  std::optional<PrunePredicate> comparison(Op op, const DeltaField& field, const json& constant) const {
    auto c = constant_of(constant);
    if (!c) return std::nullopt;
    auto v = value_for(*c, field);
    if (!v) return std::nullopt;
    PrunePredicate p;
    p.op = op;
    p.column = field.name;
    p.values.push_back(std::move(*v));
    return p;
  }

  std::optional<PrunePredicate> translate(const json& e, const Leaf& leaf) const {
    const std::string cls = text_of(e, "class"), type = text_of(e, "type");
    if (type == "CONJUNCTION_AND" || type == "CONJUNCTION_OR") {
      std::vector<const json*> children;
      for (const auto& c : member(e, "children")) children.push_back(&c);
      if (type == "CONJUNCTION_AND") return all_of(children, leaf);
      PrunePredicate p;
      p.op = Op::Or;
      for (const json* c : children) {
        auto t = translate(*c, leaf);
        if (!t) return std::nullopt;  // a branch that may hold any row
        p.children.push_back(std::move(*t));
      }
      if (p.children.empty()) return std::nullopt;
      return p;
    }
    if (cls == "COMPARISON") {
      static const std::map<std::string, std::pair<Op, Op>> kOps = {// column on the left, on the right
                                                                    {"COMPARE_EQUAL", {Op::Eq, Op::Eq}},
                                                                    {"COMPARE_LESSTHAN", {Op::Lt, Op::Gt}},
                                                                    {"COMPARE_LESSTHANOREQUALTO", {Op::Le, Op::Ge}},
                                                                    {"COMPARE_GREATERTHAN", {Op::Gt, Op::Lt}},
                                                                    {"COMPARE_GREATERTHANOREQUALTO", {Op::Ge, Op::Le}}};
      auto op = kOps.find(type);
      if (op == kOps.end()) return std::nullopt;
      const json& left = member(e, "left");
      const json& right = member(e, "right");
      if (const DeltaField* f = column_of(left, leaf)) return comparison(op->second.first, *f, right);
      if (const DeltaField* f = column_of(right, leaf)) return comparison(op->second.second, *f, left);
      return std::nullopt;
    }
    if (cls == "BETWEEN") {
      const DeltaField* f = column_of(member(e, "input"), leaf);
      if (!f) return std::nullopt;
      PrunePredicate p;
      p.op = Op::And;
      if (auto lo = comparison(Op::Ge, *f, member(e, "lower"))) p.children.push_back(std::move(*lo));
      if (auto hi = comparison(Op::Le, *f, member(e, "upper"))) p.children.push_back(std::move(*hi));
      if (p.children.empty()) return std::nullopt;
      return p;
    }
    if (cls == "OPERATOR" && (type == "COMPARE_IN" || type == "OPERATOR_IS_NULL" || type == "OPERATOR_IS_NOT_NULL")) {
      const json& children = member(e, "children");
      if (children.empty()) return std::nullopt;
      const DeltaField* f = column_of(children[0], leaf);
      if (!f) return std::nullopt;
      PrunePredicate p;
      p.column = f->name;
      if (type != "COMPARE_IN") {
        if (children.size() != 1) return std::nullopt;
        p.op = type == "OPERATOR_IS_NULL" ? Op::IsNull : Op::IsNotNull;
        return p;
      }
      p.op = Op::In;
      for (size_t i = 1; i < children.size(); ++i) {
        auto c = constant_of(children[i]);
        if (!c) return std::nullopt;
        auto v = value_for(*c, *f);
        if (!v) return std::nullopt;
        p.values.push_back(std::move(*v));
      }
      return p;
    }
    return std::nullopt;
  }

  const std::map<std::string, std::vector<DeltaField>>& tables_;
  const std::set<std::string> ctes_;
  std::vector<Leaf> leaves_;
  std::vector<const json*> conditions_;
  bool opaque_ = false;  // the FROM holds something whose columns we do not know
};

}  // namespace

TableReads prune_filters(const json& tree, const std::map<std::string, std::vector<DeltaField>>& tables) {
  TableReads out;
  if (!tree.is_object() || tree.value("error", true)) return out;
  const json& statements = member(tree, "statements");
  if (statements.size() != 1) return out;
  const json& statement = statements[0];

  std::set<std::string> ctes;
  std::vector<const json*> selects, base_tables;
  query::for_each_tree_node(statement, [&](const json& node) {
    if (auto map = node.find("cte_map"); map != node.end() && map->is_object()) {
      for (const auto& entry : map->value("map", json::array())) {
        if (entry.is_object() && entry.contains("key") && entry["key"].is_string()) {
          ctes.insert(lower(entry["key"].get<std::string>()));
        }
      }
    }
    const std::string type = text_of(node, "type");
    if (type == "SELECT_NODE") selects.push_back(&node);
    if (type == "BASE_TABLE") base_tables.push_back(&node);
  });

  Extractor extractor(tables, ctes);
  std::map<const json*, std::optional<PrunePredicate>> found;
  for (const json* s : selects) extractor.select_node(*s, found);
  for (const json* t : base_tables) {
    const std::string name = lower(text_of(*t, "table_name"));
    if (!tables.count(name)) continue;
    auto& reads = out[name];
    // A table a CTE's name shadows somewhere is read unpruned everywhere: which reads are the table's
    // and which the CTE's is the binder's business.
    auto it = found.find(t);
    if (ctes.count(name) || it == found.end()) {
      reads.push_back(std::nullopt);
    } else {
      reads.push_back(it->second);
    }
  }
  return out;
}

}  // namespace superstore::storage
