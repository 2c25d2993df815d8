// The expression language: a tokenizer, a precedence-climbing parser that type-checks as it builds
// the tree, and an evaluator that runs each node over a whole batch.
#include "fakedata/spec/expr.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "fakedata/spec/det_math.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata::spec {

enum class Op {
  Const, SlotRef, Anchor, Neg, Not, Add, Sub, Mul, Div, Mod, Concat, Eq, Ne, Lt, Le, Gt, Ge, And, Or,
  IsNull, IsNotNull, Case, Call, Random, Normal
};

enum class Fn {
  Round, Floor, Ceil, Abs, Sqrt, Pow, Exp, Ln, Least, Greatest, Coalesce, Lower, Upper, Length, Trim,
  Substr, Replace, ConcatFn, Year, Month, Day, Hour, Minute, Second, Weekday, DateOf, TimestampOf, AddDays,
  AddHours, AddMinutes, AddSeconds, DaysBetween, HoursBetween, MinutesBetween, SecondsBetween, DateTrunc,
  ToText, ToInt, ToFloat
};

struct Expr::Node {
  Op op = Op::Const;
  Type type = Type::Null;
  // Const: the value (by type); Call: a constant argument (round's digits, date_trunc's unit).
  int64_t i = 0;
  double d = 0;
  std::string s;
  int slot = -1;   // SlotRef
  int draw = 0;    // Random, Normal
  Fn fn = Fn::Round;
  std::vector<std::unique_ptr<Node>> kids;  // Case: when, then, when, then, ..., [else]
  bool has_else = false;
};

using Node = Expr::Node;
using NodePtr = std::unique_ptr<Node>;

namespace {

// ---------------------------------------------------------------------------------------------------
// Tokens

enum class Tok { End, Number, String, Name, Symbol };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // names lower-cased only when compared as keywords
  size_t offset = 0;
};

[[noreturn]] void error_at(size_t offset, std::string message) { throw ExprError{offset, std::move(message)}; }

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t p = 0;
  while (p < text.size()) {
    const char c = text[p];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++p;
      continue;
    }
    Token t;
    t.offset = p;
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && p + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[p + 1])))) {
      size_t e = p;
      while (e < text.size() && (std::isdigit(static_cast<unsigned char>(text[e])) || text[e] == '.')) ++e;
      if (e < text.size() && (text[e] == 'e' || text[e] == 'E')) {
        ++e;
        if (e < text.size() && (text[e] == '+' || text[e] == '-')) ++e;
        while (e < text.size() && std::isdigit(static_cast<unsigned char>(text[e]))) ++e;
      }
      if (e < text.size() && name_char(text[e])) error_at(e, "a number runs into a name");
      t.kind = Tok::Number;
      t.text = text.substr(p, e - p);
      p = e;
    } else if (c == '\'') {
      t.kind = Tok::String;
      ++p;
      while (true) {
        if (p >= text.size()) error_at(t.offset, "text literal without its closing quote");
        if (text[p] == '\'') {
          if (p + 1 < text.size() && text[p + 1] == '\'') {
            t.text += '\'';
            p += 2;
            continue;
          }
          ++p;
          break;
        }
        t.text += text[p++];
      }
    } else if (name_start(c) || c == '"') {
      // A name, possibly "ref_column.parent_column"; double quotes allow any column name.
      t.kind = Tok::Name;
      while (true) {
        if (p < text.size() && text[p] == '"') {
          const size_t close = text.find('"', p + 1);
          if (close == std::string_view::npos) error_at(p, "quoted name without its closing quote");
          t.text += text.substr(p + 1, close - p - 1);
          p = close + 1;
        } else {
          if (p >= text.size() || !name_start(text[p])) error_at(p, "expected a name after '.'");
          while (p < text.size() && name_char(text[p])) t.text += text[p++];
        }
        if (p + 1 < text.size() && text[p] == '.' && (name_start(text[p + 1]) || text[p + 1] == '"')) {
          t.text += '.';
          ++p;
          continue;
        }
        break;
      }
    } else {
      static constexpr std::array<std::string_view, 8> kTwo = {"||", "!=", "<>", "<=", ">=", "==", "::", "**"};
      t.kind = Tok::Symbol;
      const std::string_view two = text.substr(p, 2);
      if (std::find(kTwo.begin(), kTwo.end(), two) != kTwo.end()) {
        if (two == "::" || two == "**") error_at(p, "'" + std::string(two) + "' is not supported; use a function");
        t.text = two == "==" ? "=" : std::string(two);
        p += 2;
      } else if (std::strchr("+-*/%=<>(),", c) != nullptr) {
        t.text = std::string(1, c);
        ++p;
      } else {
        error_at(p, std::string("unexpected character '") + c + "'");
      }
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = text.size();
  out.push_back(end);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------------------------------
// Types

bool temporal(Type t) { return t == Type::Timestamp || t == Type::Date; }

// The common type of values that meet in one place (case branches, least, coalesce, comparisons), or
// nothing when they cannot.
std::optional<Type> unify(Type a, Type b) {
  if (a == Type::Null) return b;
  if (b == Type::Null || a == b) return a;
  if (is_numeric(a) && is_numeric(b)) return Type::Float;
  if (temporal(a) && temporal(b)) return Type::Timestamp;
  return std::nullopt;
}

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args, max_args;  // max -1: any number
};

constexpr std::array<FnInfo, 40> kFunctions = {{
    {"round", Fn::Round, 1, 2},       {"floor", Fn::Floor, 1, 1},       {"ceil", Fn::Ceil, 1, 1},
    {"abs", Fn::Abs, 1, 1},           {"sqrt", Fn::Sqrt, 1, 1},         {"pow", Fn::Pow, 2, 2},
    {"exp", Fn::Exp, 1, 1},           {"ln", Fn::Ln, 1, 1},             {"least", Fn::Least, 1, -1},
    {"greatest", Fn::Greatest, 1, -1}, {"coalesce", Fn::Coalesce, 1, -1}, {"lower", Fn::Lower, 1, 1},
    {"upper", Fn::Upper, 1, 1},       {"length", Fn::Length, 1, 1},     {"trim", Fn::Trim, 1, 1},
    {"substr", Fn::Substr, 2, 3},     {"replace", Fn::Replace, 3, 3},   {"concat", Fn::ConcatFn, 1, -1},
    {"year", Fn::Year, 1, 1},         {"month", Fn::Month, 1, 1},       {"day", Fn::Day, 1, 1},
    {"hour", Fn::Hour, 1, 1},         {"minute", Fn::Minute, 1, 1},     {"second", Fn::Second, 1, 1},
    {"weekday", Fn::Weekday, 1, 1},   {"date", Fn::DateOf, 1, 1},       {"timestamp", Fn::TimestampOf, 1, 1},
    {"add_days", Fn::AddDays, 2, 2},  {"add_hours", Fn::AddHours, 2, 2}, {"add_minutes", Fn::AddMinutes, 2, 2},
    {"add_seconds", Fn::AddSeconds, 2, 2}, {"days_between", Fn::DaysBetween, 2, 2},
    {"hours_between", Fn::HoursBetween, 2, 2}, {"minutes_between", Fn::MinutesBetween, 2, 2},
    {"seconds_between", Fn::SecondsBetween, 2, 2}, {"date_trunc", Fn::DateTrunc, 2, 2},
    {"to_text", Fn::ToText, 1, 1},    {"to_int", Fn::ToInt, 1, 1},      {"to_float", Fn::ToFloat, 1, 1},
    {"if", Fn::Round, 3, 3},  // rewritten to a case by the parser
}};

const std::array<std::string_view, 6> kTruncUnits = {"year", "month", "week", "day", "hour", "minute"};

// ---------------------------------------------------------------------------------------------------
// Parser

class Parser {
 public:
  Parser(std::string_view text, const Resolver& resolve) : tokens_(tokenize(text)), resolve_(resolve) {}

  NodePtr parse() {
    NodePtr root = expression(0);
    if (peek().kind != Tok::End) error_at(peek().offset, "unexpected '" + peek().text + "'");
    return root;
  }

  std::vector<int> reads;

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_++]; }
  bool keyword(std::string_view word) const {
    return peek().kind == Tok::Name && lower(peek().text) == word;
  }
  bool symbol(std::string_view s) const { return peek().kind == Tok::Symbol && peek().text == s; }
  void expect_symbol(std::string_view s) {
    if (!symbol(s)) error_at(peek().offset, "expected '" + std::string(s) + "'");
    ++pos_;
  }
  void expect_keyword(std::string_view word) {
    if (!keyword(word)) error_at(peek().offset, "expected '" + std::string(word) + "'");
    ++pos_;
  }

  struct Depth {
    explicit Depth(int& d, size_t offset) : depth(d) {
      if (++depth > kMaxExprDepth) error_at(offset, "expression nested too deeply");
    }
    ~Depth() { --depth; }
    int& depth;
  };

  static NodePtr make(Op op, Type type) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->type = type;
    return n;
  }

  // Precedence levels: 0 or, 1 and, 2 not, 3 comparison / is / in / between, 4 ||, 5 + -, 6 * / %,
  // 7 unary minus.
  NodePtr expression(int level) {
    switch (level) {
      case 0: return logical(level, "or", Op::Or);
      case 1: return logical(level, "and", Op::And);
      case 2: {
        if (keyword("not")) {
          const size_t at = next().offset;
          Depth guard(depth_, at);
          NodePtr x = expression(2);
          return unary_not(std::move(x), at);
        }
        return expression(3);
      }
      case 3: return comparison();
      case 4: return binary_chain(level, {"||"});
      case 5: return binary_chain(level, {"+", "-"});
      case 6: return binary_chain(level, {"*", "/", "%"});
      default: {
        if (symbol("-")) {
          const size_t at = next().offset;
          Depth guard(depth_, at);
          NodePtr x = expression(7);
          if (!is_numeric(x->type) && x->type != Type::Null) error_at(at, "'-' needs a number, got " + label(*x));
          auto n = make(Op::Neg, x->type);
          n->kids.push_back(std::move(x));
          return n;
        }
        return primary();
      }
    }
  }

  static std::string label(const Node& n) { return std::string(type_label(n.type)); }

  NodePtr unary_not(NodePtr x, size_t at) {
    if (x->type != Type::Bool && x->type != Type::Null) error_at(at, "'not' needs a Boolean, got " + label(*x));
    auto n = make(Op::Not, Type::Bool);
    n->kids.push_back(std::move(x));
    return n;
  }

  NodePtr logical(int level, std::string_view word, Op op) {
    NodePtr left = expression(level + 1);
    while (keyword(word)) {
      const size_t at = next().offset;
      NodePtr right = expression(level + 1);
      for (const Node* side : {left.get(), right.get()}) {
        if (side->type != Type::Bool && side->type != Type::Null) {
          error_at(at, "'" + std::string(word) + "' needs Booleans, got " + label(*side));
        }
      }
      auto n = make(op, Type::Bool);
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      left = std::move(n);
    }
    return left;
  }

  static NodePtr compare(Op op, NodePtr a, NodePtr b, size_t at) {
    if (!unify(a->type, b->type)) {
      error_at(at, "cannot compare " + label(*a) + " with " + label(*b));
    }
    auto n = make(op, Type::Bool);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }

  static NodePtr both(Op op, NodePtr a, NodePtr b) {
    auto n = make(op, Type::Bool);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }

  // Nodes are not copyable; `x between a and b` and `x in (...)` read x more than once, so x is
  // re-parsed from its tokens for each use.
  // random() inside x keeps the draw it got the first time.
  NodePtr reparse(size_t from, size_t to, int draws_at, int level) {
    const size_t saved_pos = pos_;
    const int saved_draws = draws_;
    pos_ = from;
    draws_ = draws_at;
    NodePtr x = expression(level);
    if (pos_ != to) error_at(tokens_[pos_].offset, "internal: re-parse mismatch");
    pos_ = saved_pos;
    draws_ = saved_draws;
    return x;
  }

  NodePtr comparison() {
    const size_t start = pos_;
    const int draws_at = draws_;
    NodePtr left = expression(4);
    const size_t end = pos_;
    static const std::array<std::pair<std::string_view, Op>, 7> kOps = {
        {{"=", Op::Eq}, {"!=", Op::Ne}, {"<>", Op::Ne}, {"<", Op::Lt}, {"<=", Op::Le}, {">", Op::Gt}, {">=", Op::Ge}}};
    for (const auto& [text, op] : kOps) {
      if (symbol(text)) {
        const size_t at = next().offset;
        return compare(op, std::move(left), expression(4), at);
      }
    }
    if (keyword("is")) {
      const size_t at = next().offset;
      const bool negated = keyword("not");
      if (negated) ++pos_;
      if (!keyword("null")) error_at(peek().offset, "expected 'null' after 'is'");
      (void)at;
      ++pos_;
      auto n = make(negated ? Op::IsNotNull : Op::IsNull, Type::Bool);
      n->kids.push_back(std::move(left));
      return n;
    }
    bool negated = false;
    if (keyword("not")) {
      negated = true;
      ++pos_;
      if (!keyword("in") && !keyword("between")) error_at(peek().offset, "expected 'in' or 'between' after 'not'");
    }
    if (keyword("between")) {
      const size_t at = next().offset;
      NodePtr lo = expression(4);
      expect_keyword("and");
      NodePtr hi = expression(4);
      NodePtr x2 = reparse(start, end, draws_at, 4);
      NodePtr n = both(Op::And, compare(Op::Ge, std::move(left), std::move(lo), at),
                       compare(Op::Le, std::move(x2), std::move(hi), at));
      return negated ? unary_not(std::move(n), at) : std::move(n);
    }
    if (keyword("in")) {
      const size_t at = next().offset;
      expect_symbol("(");
      NodePtr any;
      bool first = true;
      while (true) {
        NodePtr x = first ? std::move(left) : reparse(start, end, draws_at, 4);
        first = false;
        NodePtr eq = compare(Op::Eq, std::move(x), expression(0), at);
        any = any ? both(Op::Or, std::move(any), std::move(eq)) : std::move(eq);
        if (symbol(",")) {
          ++pos_;
          continue;
        }
        expect_symbol(")");
        break;
      }
      return negated ? unary_not(std::move(any), at) : std::move(any);
    }
    return left;
  }

  NodePtr binary_chain(int level, std::initializer_list<std::string_view> ops) {
    NodePtr left = expression(level + 1);
    while (peek().kind == Tok::Symbol && std::find(ops.begin(), ops.end(), peek().text) != ops.end()) {
      const Token& t = next();
      NodePtr right = expression(level + 1);
      left = arithmetic(t.text, std::move(left), std::move(right), t.offset);
    }
    return left;
  }

  static NodePtr arithmetic(std::string_view symbol, NodePtr a, NodePtr b, size_t at) {
    if (symbol == "||") {
      auto n = make(Op::Concat, Type::String);
      n->kids.push_back(std::move(a));
      n->kids.push_back(std::move(b));
      return n;
    }
    for (const Node* side : {a.get(), b.get()}) {
      if (!is_numeric(side->type) && side->type != Type::Null) {
        std::string hint = temporal(side->type) ? " (use add_days, days_between and the like for time)" : "";
        if (side->type == Type::String && symbol == "+") hint = " (use || to join text)";
        error_at(at, "'" + std::string(symbol) + "' needs numbers, got " + label(*side) + hint);
      }
    }
    const Op op = symbol == "+" ? Op::Add : symbol == "-" ? Op::Sub : symbol == "*" ? Op::Mul
                : symbol == "/" ? Op::Div : Op::Mod;
    // Division of integers is exact division, as a reader of "price / quantity" expects; `%` stays
    // integral.
    Type t = (a->type == Type::Float || b->type == Type::Float || op == Op::Div) ? Type::Float : Type::Int;
    if (op == Op::Mod && t == Type::Float) error_at(at, "'%' needs integers");
    auto n = make(op, t);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }

  NodePtr primary() {
    const Token& t = peek();
    if (t.kind == Tok::Number) {
      ++pos_;
      const bool is_float = t.text.find_first_of(".eE") != std::string::npos;
      auto n = make(Op::Const, is_float ? Type::Float : Type::Int);
      try {
        if (is_float) n->d = std::stod(t.text);
        else n->i = std::stoll(t.text);
      } catch (const std::exception&) {
        error_at(t.offset, "number '" + t.text + "' is out of range");
      }
      return n;
    }
    if (t.kind == Tok::String) {
      ++pos_;
      auto n = make(Op::Const, Type::String);
      n->s = t.text;
      return n;
    }
    if (symbol("(")) {
      Depth guard(depth_, next().offset);
      NodePtr x = expression(0);
      expect_symbol(")");
      return x;
    }
    if (t.kind != Tok::Name) {
      error_at(t.offset, t.kind == Tok::End ? "the expression ends too early" : "unexpected '" + t.text + "'");
    }
    const std::string word = lower(t.text);
    Depth guard(depth_, t.offset);
    if (word == "case") return case_expression();
    if (word == "true" || word == "false") {
      ++pos_;
      auto n = make(Op::Const, Type::Bool);
      n->i = word == "true";
      return n;
    }
    if (word == "null") {
      ++pos_;
      return make(Op::Const, Type::Null);
    }
    ++pos_;
    if (symbol("(")) return call(t);
    if (word == "anchor") return make(Op::Anchor, Type::Timestamp);
    std::optional<Slot> slot = resolve_(t.text);
    if (!slot) error_at(t.offset, "unknown name '" + t.text + "'");
    auto n = make(Op::SlotRef, slot->type);
    n->slot = slot->index;
    if (std::find(reads.begin(), reads.end(), slot->index) == reads.end()) reads.push_back(slot->index);
    return n;
  }

  NodePtr case_expression() {
    const size_t at = next().offset;
    // `case x when v then ...` compares x with each v; x is re-parsed for every comparison.
    std::optional<std::pair<size_t, size_t>> subject;
    const int draws_at = draws_;
    if (!keyword("when")) {
      const size_t from = pos_;
      expression(0);
      subject = std::make_pair(from, pos_);
    }
    auto n = make(Op::Case, Type::Null);
    std::optional<Type> type = Type::Null;
    while (keyword("when")) {
      const size_t when_at = next().offset;
      NodePtr cond;
      if (subject) {
        NodePtr x = reparse(subject->first, subject->second, draws_at, 0);
        cond = compare(Op::Eq, std::move(x), expression(0), when_at);
      } else {
        cond = expression(0);
        if (cond->type != Type::Bool && cond->type != Type::Null) {
          error_at(when_at, "'when' needs a Boolean condition, got " + label(*cond));
        }
      }
      expect_keyword("then");
      const size_t then_at = peek().offset;
      NodePtr value = expression(0);
      type = unify(*type, value->type);
      if (!type) error_at(then_at, "the branches of this case give different types");
      n->kids.push_back(std::move(cond));
      n->kids.push_back(std::move(value));
    }
    if (n->kids.empty()) error_at(peek().offset, "'case' needs at least one 'when'");
    if (keyword("else")) {
      const size_t else_at = next().offset;
      NodePtr value = expression(0);
      type = unify(*type, value->type);
      if (!type) error_at(else_at, "the else branch gives another type than the others");
      n->kids.push_back(std::move(value));
      n->has_else = true;
    }
    expect_keyword("end");
    (void)at;
    n->type = *type;
    return n;
  }

  NodePtr call(const Token& name) {
    const std::string word = lower(name.text);
    ++pos_;  // '('
    std::vector<NodePtr> args;
    std::vector<size_t> offsets;
    if (!symbol(")")) {
      while (true) {
        offsets.push_back(peek().offset);
        args.push_back(expression(0));
        if (symbol(",")) {
          ++pos_;
          continue;
        }
        break;
      }
    }
    expect_symbol(")");
    if (word == "random" || word == "normal") {
      if (!args.empty()) error_at(name.offset, word + "() takes no arguments");
      auto n = make(word == "random" ? Op::Random : Op::Normal, Type::Float);
      n->draw = draws_++;
      return n;
    }
    const auto info = std::find_if(kFunctions.begin(), kFunctions.end(), [&](const FnInfo& f) { return f.name == word; });
    if (info == kFunctions.end()) error_at(name.offset, "unknown function '" + name.text + "'");
    const int count = static_cast<int>(args.size());
    if (count < info->min_args || (info->max_args >= 0 && count > info->max_args)) {
      error_at(name.offset, word + "() takes " +
                                (info->min_args == info->max_args ? std::to_string(info->min_args)
                                 : info->max_args < 0 ? "at least " + std::to_string(info->min_args)
                                                      : std::to_string(info->min_args) + " or " +
                                                            std::to_string(info->max_args)) +
                                " arguments, got " + std::to_string(count));
    }
    if (word == "if") {
      if (args[0]->type != Type::Bool && args[0]->type != Type::Null) {
        error_at(offsets[0], "if() needs a Boolean condition, got " + label(*args[0]));
      }
      const std::optional<Type> type = unify(args[1]->type, args[2]->type);
      if (!type) error_at(offsets[2], "if()'s two values have different types");
      auto n = make(Op::Case, *type);
      for (auto& a : args) n->kids.push_back(std::move(a));
      n->has_else = true;
      return n;
    }
    auto n = make(Op::Call, Type::Null);
    n->fn = info->fn;
    n->type = function_type(*n, args, offsets, name.offset);
    for (auto& a : args) n->kids.push_back(std::move(a));
    return n;
  }

  Type function_type(Node& n, std::vector<NodePtr>& args, const std::vector<size_t>& at, size_t name_at) {
    const auto need = [&](size_t k, bool ok, std::string_view what) {
      if (!ok && args[k]->type != Type::Null) {
        error_at(at[k], "argument " + std::to_string(k + 1) + " must be " + std::string(what) + ", got " + label(*args[k]));
      }
    };
    const auto constant_int = [&](size_t k) -> int64_t {
      const Node& a = *args[k];
      if (a.op == Op::Const && a.type == Type::Int) return a.i;
      if (a.op == Op::Neg && a.kids[0]->op == Op::Const && a.kids[0]->type == Type::Int) return -a.kids[0]->i;
      error_at(at[k], "argument " + std::to_string(k + 1) + " must be a whole number written out");
    };
    const Type t0 = args[0]->type;
    switch (n.fn) {
      case Fn::Round:
        need(0, is_numeric(t0), "a number");
        if (args.size() == 2) {
          n.i = constant_int(1);
          if (n.i < -15 || n.i > 15) error_at(at[1], "round() keeps between -15 and 15 digits");
          args.pop_back();
        }
        return t0 == Type::Float ? Type::Float : Type::Int;
      case Fn::Floor:
      case Fn::Ceil:
      case Fn::Abs: need(0, is_numeric(t0), "a number"); return t0 == Type::Float ? Type::Float : Type::Int;
      case Fn::Sqrt:
      case Fn::Exp:
      case Fn::Ln: need(0, is_numeric(t0), "a number"); return Type::Float;
      case Fn::Pow: need(0, is_numeric(t0), "a number"); need(1, is_numeric(args[1]->type), "a number"); return Type::Float;
      case Fn::Least:
      case Fn::Greatest:
      case Fn::Coalesce: {
        std::optional<Type> t = Type::Null;
        for (size_t k = 0; k < args.size(); ++k) {
          t = unify(*t, args[k]->type);
          if (!t) error_at(at[k], "argument " + std::to_string(k + 1) + " has another type than the ones before it");
        }
        return *t;
      }
      case Fn::Lower:
      case Fn::Upper:
      case Fn::Trim: need(0, t0 == Type::String, "text"); return Type::String;
      case Fn::Length: need(0, t0 == Type::String, "text"); return Type::Int;
      case Fn::Substr:
        need(0, t0 == Type::String, "text");
        for (size_t k = 1; k < args.size(); ++k) need(k, args[k]->type == Type::Int, "a whole number");
        return Type::String;
      case Fn::Replace:
        for (size_t k = 0; k < 3; ++k) need(k, args[k]->type == Type::String, "text");
        return Type::String;
      case Fn::ConcatFn:
      case Fn::ToText: return Type::String;
      case Fn::Year:
      case Fn::Month:
      case Fn::Day:
      case Fn::Weekday: need(0, temporal(t0), "a Timestamp or Date"); return Type::Int;
      case Fn::Hour:
      case Fn::Minute:
      case Fn::Second: need(0, t0 == Type::Timestamp, "a Timestamp"); return Type::Int;
      case Fn::DateOf: need(0, temporal(t0), "a Timestamp or Date"); return Type::Date;
      case Fn::TimestampOf: need(0, temporal(t0), "a Timestamp or Date"); return Type::Timestamp;
      case Fn::AddDays:
        need(0, temporal(t0), "a Timestamp or Date");
        need(1, args[1]->type == Type::Int, "a whole number of days");
        return t0 == Type::Date ? Type::Date : Type::Timestamp;
      case Fn::AddHours:
      case Fn::AddMinutes:
      case Fn::AddSeconds:
        need(0, temporal(t0), "a Timestamp or Date");
        need(1, args[1]->type == Type::Int, "a whole number");
        return Type::Timestamp;
      case Fn::DaysBetween:
      case Fn::HoursBetween:
      case Fn::MinutesBetween:
      case Fn::SecondsBetween:
        need(0, temporal(t0), "a Timestamp or Date");
        need(1, temporal(args[1]->type), "a Timestamp or Date");
        return Type::Int;
      case Fn::DateTrunc: {
        if (args[0]->op != Op::Const || t0 != Type::String ||
            std::find(kTruncUnits.begin(), kTruncUnits.end(), args[0]->s) == kTruncUnits.end()) {
          error_at(at[0], "date_trunc's first argument is one of 'year', 'month', 'week', 'day', 'hour', 'minute'");
        }
        n.s = args[0]->s;
        need(1, temporal(args[1]->type), "a Timestamp or Date");
        args.erase(args.begin());
        return Type::Timestamp;
      }
      case Fn::ToInt:
        need(0, is_numeric(t0) || t0 == Type::Bool || t0 == Type::String, "a number, Boolean or text");
        return Type::Int;
      case Fn::ToFloat:
        need(0, is_numeric(t0) || t0 == Type::String, "a number or text");
        return Type::Float;
    }
    error_at(name_at, "internal: function without a type");
  }

  std::vector<Token> tokens_;
  const Resolver& resolve_;
  size_t pos_ = 0;
  int depth_ = 0;
  int draws_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Evaluation

// Values longer than this become NULL, so that no expression can build an unbounded string.
constexpr size_t kMaxTextBytes = 64 * 1024;

double num(const Column& c, Type t, size_t i) { return t == Type::Float ? c.double_at(i) : static_cast<double>(c.int_at(i)); }
int64_t micros(const Column& c, Type t, size_t i) { return t == Type::Date ? c.int_at(i) * kDayUs : c.int_at(i); }

// Pushes a double unless it is not a finite number.
void push_finite(Column& out, double v) {
  if (std::isfinite(v)) out.push_double(v);
  else out.push_null();
}

void push_checked_int(Column& out, bool overflow, int64_t v) {
  if (overflow) out.push_null();
  else out.push_int(v);
}

std::chrono::year_month_day civil(int64_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

int64_t days_of(const std::chrono::year_month_day& ymd) {
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

// Three-way comparison of row i of a and b, which unify() accepted.
int compare_at(const Column& a, Type ta, const Column& b, Type tb, size_t i) {
  if (ta == Type::String) return a.string_at(i).compare(b.string_at(i)) < 0 ? -1 : a.string_at(i) == b.string_at(i) ? 0 : 1;
  if (temporal(ta) || temporal(tb)) {
    const int64_t x = micros(a, ta, i), y = micros(b, tb, i);
    return x < y ? -1 : x > y;
  }
  if (ta == Type::Float || tb == Type::Float) {
    const double x = num(a, ta, i), y = num(b, tb, i);
    return x < y ? -1 : x > y;
  }
  const int64_t x = a.int_at(i), y = b.int_at(i);
  return x < y ? -1 : x > y;
}

Column constant(const Node& n, size_t rows, int64_t anchor_us) {
  Column out(storage_of(n.type));
  out.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    switch (n.type) {
      case Type::Null: out.push_null(); break;
      case Type::Float: out.push_double(n.d); break;
      case Type::String: out.push_string(n.s); break;
      default: out.push_int(n.op == Op::Anchor ? anchor_us : n.i); break;
    }
  }
  return out;
}

Column eval_node(const Node& n, const EvalInput& in);

Column eval_call(const Node& n, const EvalInput& in, const std::vector<const Column*>& args) {
  const size_t rows = in.rows.size();
  Column out(storage_of(n.type));
  out.reserve(rows);
  const Type t0 = n.kids.empty() ? Type::Null : n.kids[0]->type;
  const auto any_null = [&](size_t i) {
    for (const Column* a : args) {
      if (a->is_null(i)) return true;
    }
    return false;
  };
  std::string text;
  for (size_t i = 0; i < rows; ++i) {
    const bool nulls_pass = n.fn == Fn::Least || n.fn == Fn::Greatest || n.fn == Fn::Coalesce || n.fn == Fn::ConcatFn;
    if (!nulls_pass && any_null(i)) {
      out.push_null();
      continue;
    }
    switch (n.fn) {
      case Fn::Round:
        if (t0 == Type::Float) {
          static constexpr std::array<double, 34> kPow10 = {1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10,
                                                            1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1,
                                                            1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                                            1e12, 1e13, 1e14, 1e15};
          const double scale = kPow10[static_cast<size_t>(n.i + 18)];
          const double x = args[0]->double_at(i);
          push_finite(out, n.i >= 0 ? std::round(x * scale) / scale : std::round(x / kPow10[static_cast<size_t>(18 - n.i)]) * kPow10[static_cast<size_t>(18 - n.i)]);
        } else if (n.i >= 0) {
          out.push_int(args[0]->int_at(i));
        } else {
          int64_t unit = 1;
          for (int64_t k = 0; k < -n.i; ++k) unit *= 10;
          const int64_t x = args[0]->int_at(i);
          const int64_t half = unit / 2;
          const int64_t r = x >= 0 ? (x / unit + (x % unit >= half)) : -((-x) / unit + ((-x) % unit >= half));
          int64_t v = 0;
          push_checked_int(out, __builtin_mul_overflow(r, unit, &v), v);
        }
        break;
      case Fn::Floor:
      case Fn::Ceil:
        if (t0 == Type::Float) push_finite(out, n.fn == Fn::Floor ? std::floor(args[0]->double_at(i)) : std::ceil(args[0]->double_at(i)));
        else out.push_int(args[0]->int_at(i));
        break;
      case Fn::Abs:
        if (t0 == Type::Float) out.push_double(std::fabs(args[0]->double_at(i)));
        else push_checked_int(out, args[0]->int_at(i) == std::numeric_limits<int64_t>::min(), std::abs(args[0]->int_at(i) == std::numeric_limits<int64_t>::min() ? 0 : args[0]->int_at(i)));
        break;
      case Fn::Sqrt: {
        const double x = num(*args[0], t0, i);
        if (x < 0) out.push_null();
        else out.push_double(std::sqrt(x));
        break;
      }
      case Fn::Pow: {
        const double b = num(*args[0], t0, i), p = num(*args[1], n.kids[1]->type, i);
        if (b < 0 || (b == 0 && p <= 0)) out.push_null();
        else push_finite(out, b == 0 ? 0.0 : det_pow(b, p));
        break;
      }
      case Fn::Exp: push_finite(out, det_exp(num(*args[0], t0, i))); break;
      case Fn::Ln: {
        const double x = num(*args[0], t0, i);
        if (x <= 0) out.push_null();
        else out.push_double(det_log(x));
        break;
      }
      case Fn::Least:
      case Fn::Greatest:
      case Fn::Coalesce: {
        int best = -1;
        for (size_t k = 0; k < args.size(); ++k) {
          if (args[k]->is_null(i)) continue;
          if (best < 0) {
            best = static_cast<int>(k);
            if (n.fn == Fn::Coalesce) break;
            continue;
          }
          const int c = compare_at(*args[k], n.kids[k]->type, *args[static_cast<size_t>(best)],
                                   n.kids[static_cast<size_t>(best)]->type, i);
          if ((n.fn == Fn::Least && c < 0) || (n.fn == Fn::Greatest && c > 0)) best = static_cast<int>(k);
        }
        if (best < 0) out.push_null();
        else push_converted(*args[static_cast<size_t>(best)], i, n.type, out, storage_of(n.type));
        break;
      }
      case Fn::Lower:
      case Fn::Upper: {
        text.assign(args[0]->string_at(i));
        for (char& c : text) c = static_cast<char>(n.fn == Fn::Lower ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c)));
        out.push_string(text);
        break;
      }
      case Fn::Length: out.push_int(static_cast<int64_t>(utf8_length(args[0]->string_at(i)))); break;
      case Fn::Trim: {
        std::string_view s = args[0]->string_at(i);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
        out.push_string(s);
        break;
      }
      case Fn::Substr: {
        // By characters, as SQL counts them; a start before 1 eats into the length, as in DuckDB.
        const std::string_view s = args[0]->string_at(i);
        const int64_t start = args[1]->int_at(i);
        int64_t length = args.size() > 2 ? args[2]->int_at(i) : INT64_MAX / 2;
        if (length < 0) length = 0;
        const int64_t first = std::max<int64_t>(start, 1);
        const int64_t end = start > INT64_MAX / 2 ? start : start + length;
        out.push_string(end <= first ? std::string_view() : utf8_substr(s, static_cast<size_t>(first - 1), static_cast<size_t>(end - first)));
        break;
      }
      case Fn::Replace: {
        const std::string_view s = args[0]->string_at(i), from = args[1]->string_at(i), to = args[2]->string_at(i);
        text.clear();
        if (from.empty()) {
          text.assign(s);
        } else {
          size_t p = 0;
          while (true) {
            const size_t hit = s.find(from, p);
            text.append(s.substr(p, hit == std::string_view::npos ? std::string_view::npos : hit - p));
            if (hit == std::string_view::npos || text.size() > kMaxTextBytes) break;
            text.append(to);
            p = hit + from.size();
          }
        }
        if (text.size() > kMaxTextBytes) out.push_null();
        else out.push_string(text);
        break;
      }
      case Fn::ConcatFn:
      case Fn::ToText: {
        text.clear();
        for (size_t k = 0; k < args.size(); ++k) {
          if (!args[k]->is_null(i)) append_text(*args[k], i, n.kids[k]->type, text);
        }
        if (n.fn == Fn::ToText && args[0]->is_null(i)) out.push_null();
        else if (text.size() > kMaxTextBytes) out.push_null();
        else out.push_string(text);
        break;
      }
      case Fn::Year:
      case Fn::Month:
      case Fn::Day:
      case Fn::Weekday: {
        const int64_t day = floor_div(micros(*args[0], t0, i), kDayUs);
        if (n.fn == Fn::Weekday) {
          out.push_int(weekday(day));
          break;
        }
        const auto ymd = civil(day);
        out.push_int(n.fn == Fn::Year ? static_cast<int>(ymd.year())
                     : n.fn == Fn::Month ? static_cast<unsigned>(ymd.month())
                                         : static_cast<unsigned>(ymd.day()));
        break;
      }
      case Fn::Hour: out.push_int(floor_div(args[0]->int_at(i), kHourUs) - floor_div(args[0]->int_at(i), kDayUs) * 24); break;
      case Fn::Minute: out.push_int(floor_div(args[0]->int_at(i), kMinuteUs) - floor_div(args[0]->int_at(i), kHourUs) * 60); break;
      case Fn::Second: out.push_int(floor_div(args[0]->int_at(i), kSecondUs) - floor_div(args[0]->int_at(i), kMinuteUs) * 60); break;
      case Fn::DateOf: out.push_int(floor_div(micros(*args[0], t0, i), kDayUs)); break;
      case Fn::TimestampOf: out.push_int(micros(*args[0], t0, i)); break;
      case Fn::AddDays:
      case Fn::AddHours:
      case Fn::AddMinutes:
      case Fn::AddSeconds: {
        const int64_t unit = n.fn == Fn::AddDays ? (n.type == Type::Date ? 1 : kDayUs)
                             : n.fn == Fn::AddHours ? kHourUs : n.fn == Fn::AddMinutes ? kMinuteUs : kSecondUs;
        const int64_t base = n.type == Type::Date ? args[0]->int_at(i) : micros(*args[0], t0, i);
        int64_t delta = 0, v = 0;
        const bool overflow = __builtin_mul_overflow(args[1]->int_at(i), unit, &delta) || __builtin_add_overflow(base, delta, &v);
        push_checked_int(out, overflow, v);
        break;
      }
      case Fn::DaysBetween:
      case Fn::HoursBetween:
      case Fn::MinutesBetween:
      case Fn::SecondsBetween: {
        const int64_t unit = n.fn == Fn::DaysBetween ? kDayUs : n.fn == Fn::HoursBetween ? kHourUs
                             : n.fn == Fn::MinutesBetween ? kMinuteUs : kSecondUs;
        int64_t diff = 0;
        const bool overflow = __builtin_sub_overflow(micros(*args[1], n.kids[1]->type, i), micros(*args[0], t0, i), &diff);
        push_checked_int(out, overflow, overflow ? 0 : floor_div(diff, unit));
        break;
      }
      case Fn::DateTrunc: {
        const int64_t t = micros(*args[0], t0, i);
        const int64_t day = floor_div(t, kDayUs);
        int64_t v;
        if (n.s == "hour") v = floor_div(t, kHourUs) * kHourUs;
        else if (n.s == "minute") v = floor_div(t, kMinuteUs) * kMinuteUs;
        else if (n.s == "day") v = day * kDayUs;
        else if (n.s == "week") v = (day - weekday(day)) * kDayUs;
        else {
          const auto ymd = civil(day);
          const auto first = n.s == "year" ? std::chrono::year_month_day{ymd.year(), std::chrono::January, std::chrono::day{1}}
                                           : std::chrono::year_month_day{ymd.year(), ymd.month(), std::chrono::day{1}};
          v = days_of(first) * kDayUs;
        }
        out.push_int(v);
        break;
      }
      case Fn::ToInt: {
        if (t0 == Type::String) {
          const std::string_view s = args[0]->string_at(i);
          int64_t v = 0;
          const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
          if (r.ec != std::errc() || r.ptr != s.data() + s.size()) out.push_null();
          else out.push_int(v);
        } else {
          push_converted(*args[0], i, t0 == Type::Bool ? Type::Int : t0, out, ColumnType::Int64);
        }
        break;
      }
      case Fn::ToFloat: {
        if (t0 == Type::String) {
          const std::string_view s = args[0]->string_at(i);
          double v = 0;
          const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
          if (r.ec != std::errc() || r.ptr != s.data() + s.size()) out.push_null();
          else push_finite(out, v);
        } else {
          out.push_double(num(*args[0], t0, i));
        }
        break;
      }
    }
  }
  return out;
}

Column eval_node(const Node& n, const EvalInput& in) {
  const size_t rows = in.rows.size();
  switch (n.op) {
    case Op::Const:
    case Op::Anchor: return constant(n, rows, in.anchor_us);
    case Op::SlotRef: {
      const Column* c = in.slots[static_cast<size_t>(n.slot)];
      Column out(c->type());
      out.append(*c);
      return out;
    }
    case Op::Random:
    case Op::Normal: {
      Column out(ColumnType::Float64);
      out.reserve(rows);
      for (const uint64_t row : in.rows) {
        const uint64_t bits = (*in.stream)(row, static_cast<uint32_t>(16 + n.draw));
        out.push_double(n.op == Op::Random ? unit_interval(bits) : standard_normal(bits));
      }
      return out;
    }
    default: break;
  }
  // Children that name a slot are read in place; the others are evaluated into `owned`.
  std::vector<Column> owned;
  owned.reserve(n.kids.size());
  std::vector<const Column*> kids;
  kids.reserve(n.kids.size());
  for (const auto& k : n.kids) {
    if (k->op == Op::SlotRef) {
      kids.push_back(in.slots[static_cast<size_t>(k->slot)]);
    } else {
      owned.push_back(eval_node(*k, in));
      kids.push_back(&owned.back());
    }
  }
  if (n.op == Op::Call) return eval_call(n, in, kids);

  Column out(storage_of(n.type));
  out.reserve(rows);
  const Type ta = n.kids.empty() ? Type::Null : n.kids[0]->type;
  const Type tb = n.kids.size() < 2 ? Type::Null : n.kids[1]->type;
  std::string text;
  for (size_t i = 0; i < rows; ++i) {
    switch (n.op) {
      case Op::Neg:
        if (kids[0]->is_null(i)) out.push_null();
        else if (n.type == Type::Float) out.push_double(-kids[0]->double_at(i));
        else push_checked_int(out, kids[0]->int_at(i) == std::numeric_limits<int64_t>::min(), kids[0]->int_at(i) == std::numeric_limits<int64_t>::min() ? 0 : -kids[0]->int_at(i));
        break;
      case Op::Not:
        if (kids[0]->is_null(i)) out.push_null();
        else out.push_bool(kids[0]->int_at(i) == 0);
        break;
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
      case Op::Mod: {
        if (kids[0]->is_null(i) || kids[1]->is_null(i) || n.type == Type::Null) {
          out.push_null();
          break;
        }
        if (n.type == Type::Float) {
          const double a = num(*kids[0], ta, i), b = num(*kids[1], tb, i);
          if (n.op == Op::Div && b == 0) out.push_null();
          else push_finite(out, n.op == Op::Add ? a + b : n.op == Op::Sub ? a - b : n.op == Op::Mul ? a * b : a / b);
          break;
        }
        const int64_t a = kids[0]->int_at(i), b = kids[1]->int_at(i);
        int64_t v = 0;
        bool overflow = false;
        if (n.op == Op::Add) overflow = __builtin_add_overflow(a, b, &v);
        else if (n.op == Op::Sub) overflow = __builtin_sub_overflow(a, b, &v);
        else if (n.op == Op::Mul) overflow = __builtin_mul_overflow(a, b, &v);
        else if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1)) overflow = true;
        else v = a % b;
        push_checked_int(out, overflow, v);
        break;
      }
      case Op::Concat:
        if (kids[0]->is_null(i) || kids[1]->is_null(i)) {
          out.push_null();
          break;
        }
        text.clear();
        append_text(*kids[0], i, ta, text);
        append_text(*kids[1], i, tb, text);
        if (text.size() > kMaxTextBytes) out.push_null();
        else out.push_string(text);
        break;
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        if (kids[0]->is_null(i) || kids[1]->is_null(i) || ta == Type::Null || tb == Type::Null) {
          out.push_null();
          break;
        }
        const int c = compare_at(*kids[0], ta, *kids[1], tb, i);
        out.push_bool(n.op == Op::Eq ? c == 0 : n.op == Op::Ne ? c != 0 : n.op == Op::Lt ? c < 0
                      : n.op == Op::Le ? c <= 0 : n.op == Op::Gt ? c > 0 : c >= 0);
        break;
      }
      case Op::And:
      case Op::Or: {
        // SQL's three-valued logic: false and null is false, true or null is true.
        const bool an = kids[0]->is_null(i) || ta == Type::Null, bn = kids[1]->is_null(i) || tb == Type::Null;
        const bool a = !an && kids[0]->int_at(i) != 0, b = !bn && kids[1]->int_at(i) != 0;
        if (n.op == Op::And) {
          if ((!an && !a) || (!bn && !b)) out.push_bool(false);
          else if (an || bn) out.push_null();
          else out.push_bool(true);
        } else {
          if (a || b) out.push_bool(true);
          else if (an || bn) out.push_null();
          else out.push_bool(false);
        }
        break;
      }
      case Op::IsNull:
      case Op::IsNotNull: {
        const bool null = ta == Type::Null || kids[0]->is_null(i);
        out.push_bool(n.op == Op::IsNull ? null : !null);
        break;
      }
      case Op::Case: {
        const size_t pairs = (kids.size() - (n.has_else ? 1 : 0)) / 2;
        size_t chosen = kids.size();  // none
        for (size_t k = 0; k < pairs; ++k) {
          const Type tc = n.kids[2 * k]->type;
          if (tc != Type::Null && !kids[2 * k]->is_null(i) && kids[2 * k]->int_at(i) != 0) {
            chosen = 2 * k + 1;
            break;
          }
        }
        if (chosen == kids.size() && n.has_else) chosen = kids.size() - 1;
        if (chosen == kids.size()) out.push_null();
        else push_converted(*kids[chosen], i, n.kids[chosen]->type, out, storage_of(n.type));
        break;
      }
      default: out.push_null(); break;
    }
  }
  return out;
}

}  // namespace

Expr::Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;
Expr::~Expr() = default;

Expr Expr::compile(std::string_view text, const Resolver& resolve) {
  if (text.size() > kMaxExprChars) {
    throw ExprError{kMaxExprChars, "an expression may be at most " + std::to_string(kMaxExprChars) + " characters long"};
  }
  Parser parser(text, resolve);
  Expr e;
  e.root_ = parser.parse();
  e.reads_ = std::move(parser.reads);
  return e;
}

Type Expr::type() const { return root_->type; }

Column Expr::eval(const EvalInput& input) const {
  return eval_node(*root_, input);
}

}  // namespace superstore::fakedata::spec
