// The expression language's front: a tokenizer and a precedence-climbing parser that type-checks as it
// builds the tree (expr_eval.cpp runs it).
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "fakedata/spec/expr_node.h"

namespace superstore::fakedata::spec {
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
    {"round", Fn::Round, 1, 2},
    {"floor", Fn::Floor, 1, 1},
    {"ceil", Fn::Ceil, 1, 1},
    {"abs", Fn::Abs, 1, 1},
    {"sqrt", Fn::Sqrt, 1, 1},
    {"pow", Fn::Pow, 2, 2},
    {"exp", Fn::Exp, 1, 1},
    {"ln", Fn::Ln, 1, 1},
    {"least", Fn::Least, 1, -1},
    {"greatest", Fn::Greatest, 1, -1},
    {"coalesce", Fn::Coalesce, 1, -1},
    {"lower", Fn::Lower, 1, 1},
    {"upper", Fn::Upper, 1, 1},
    {"length", Fn::Length, 1, 1},
    {"trim", Fn::Trim, 1, 1},
    {"substr", Fn::Substr, 2, 3},
    {"replace", Fn::Replace, 3, 3},
    {"concat", Fn::ConcatFn, 1, -1},
    {"year", Fn::Year, 1, 1},
    {"month", Fn::Month, 1, 1},
    {"day", Fn::Day, 1, 1},
    {"hour", Fn::Hour, 1, 1},
    {"minute", Fn::Minute, 1, 1},
    {"second", Fn::Second, 1, 1},
    {"weekday", Fn::Weekday, 1, 1},
    {"date", Fn::DateOf, 1, 1},
    {"timestamp", Fn::TimestampOf, 1, 1},
    {"add_days", Fn::AddDays, 2, 2},
    {"add_hours", Fn::AddHours, 2, 2},
    {"add_minutes", Fn::AddMinutes, 2, 2},
    {"add_seconds", Fn::AddSeconds, 2, 2},
    {"days_between", Fn::DaysBetween, 2, 2},
    {"hours_between", Fn::HoursBetween, 2, 2},
    {"minutes_between", Fn::MinutesBetween, 2, 2},
    {"seconds_between", Fn::SecondsBetween, 2, 2},
    {"date_trunc", Fn::DateTrunc, 2, 2},
    {"to_text", Fn::ToText, 1, 1},
    {"to_int", Fn::ToInt, 1, 1},
    {"to_float", Fn::ToFloat, 1, 1},
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
  bool keyword(std::string_view word) const { return peek().kind == Tok::Name && lower(peek().text) == word; }
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
      case 0:
        return logical(level, "or", Op::Or);
      case 1:
        return logical(level, "and", Op::And);
      case 2: {
        if (keyword("not")) {
          const size_t at = next().offset;
          Depth guard(depth_, at);
          NodePtr x = expression(2);
          return unary_not(std::move(x), at);
        }
        return expression(3);
      }
      case 3:
        return comparison();
      case 4:
        return binary_chain(level, {"||"});
      case 5:
        return binary_chain(level, {"+", "-"});
      case 6:
        return binary_chain(level, {"*", "/", "%"});
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
    const Op op = symbol == "+"   ? Op::Add
                  : symbol == "-" ? Op::Sub
                  : symbol == "*" ? Op::Mul
                  : symbol == "/" ? Op::Div
                                  : Op::Mod;
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
        if (is_float)
          n->d = std::stod(t.text);
        else
          n->i = std::stoll(t.text);
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
    const auto info =
        std::find_if(kFunctions.begin(), kFunctions.end(), [&](const FnInfo& f) { return f.name == word; });
    if (info == kFunctions.end()) error_at(name.offset, "unknown function '" + name.text + "'");
    const int count = static_cast<int>(args.size());
    if (count < info->min_args || (info->max_args >= 0 && count > info->max_args)) {
      error_at(name.offset,
               word + "() takes " +
                   (info->min_args == info->max_args ? std::to_string(info->min_args)
                    : info->max_args < 0             ? "at least " + std::to_string(info->min_args)
                                         : std::to_string(info->min_args) + " or " + std::to_string(info->max_args)) +
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
        error_at(at[k],
                 "argument " + std::to_string(k + 1) + " must be " + std::string(what) + ", got " + label(*args[k]));
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
      case Fn::Abs:
        need(0, is_numeric(t0), "a number");
        return t0 == Type::Float ? Type::Float : Type::Int;
      case Fn::Sqrt:
      case Fn::Exp:
      case Fn::Ln:
        need(0, is_numeric(t0), "a number");
        return Type::Float;
      case Fn::Pow:
        need(0, is_numeric(t0), "a number");
        need(1, is_numeric(args[1]->type), "a number");
        return Type::Float;
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
      case Fn::Trim:
        need(0, t0 == Type::String, "text");
        return Type::String;
      case Fn::Length:
        need(0, t0 == Type::String, "text");
        return Type::Int;
      case Fn::Substr:
        need(0, t0 == Type::String, "text");
        for (size_t k = 1; k < args.size(); ++k) need(k, args[k]->type == Type::Int, "a whole number");
        return Type::String;
      case Fn::Replace:
        for (size_t k = 0; k < 3; ++k) need(k, args[k]->type == Type::String, "text");
        return Type::String;
      case Fn::ConcatFn:
      case Fn::ToText:
        return Type::String;
      case Fn::Year:
      case Fn::Month:
      case Fn::Day:
      case Fn::Weekday:
        need(0, temporal(t0), "a Timestamp or Date");
        return Type::Int;
      case Fn::Hour:
      case Fn::Minute:
      case Fn::Second:
        need(0, t0 == Type::Timestamp, "a Timestamp");
        return Type::Int;
      case Fn::DateOf:
        need(0, temporal(t0), "a Timestamp or Date");
        return Type::Date;
      case Fn::TimestampOf:
        need(0, temporal(t0), "a Timestamp or Date");
        return Type::Timestamp;
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

}  // namespace

Expr::Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;
Expr::~Expr() = default;

Expr Expr::compile(std::string_view text, const Resolver& resolve) {
  if (text.size() > kMaxExprChars) {
    throw ExprError{kMaxExprChars,
                    "an expression may be at most " + std::to_string(kMaxExprChars) + " characters long"};
  }
  Parser parser(text, resolve);
  Expr e;
  e.root_ = parser.parse();
  e.reads_ = std::move(parser.reads);
  return e;
}

Type Expr::type() const { return root_->type; }

}  // namespace superstore::fakedata::spec
