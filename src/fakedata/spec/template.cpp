// `template:` text built from literal text, the row's columns, word lists, and random digits and
// letters. Placeholders: {column}, {ref_column.parent_column}, {column|slug} (ASCII letters and
// digits only, lower case: for e-mail addresses), {column|lower}, {column|upper}, {column|initial}
// (the first character), {column:06} (an integer zero-padded to 6 digits), {list:city},
// {digits:4}, {letters:2}, {hex:8}; {{ and }} stand for braces.
#include <algorithm>
#include <cctype>

#include "fakedata/spec/program.h"
#include "fakedata/spec/words.h"

namespace superstore::fakedata::spec {
namespace {

struct Part {
  enum Kind { Literal, Column, List, Digits, Letters, Hex } kind = Literal;
  std::string text;  // Literal
  Slot slot;         // Column
  std::string filter;
  int list = 0;             // List
  int count = 0;            // Digits, Letters, Hex; Column: zero-pad integers to this many digits
  bool digit_free = false;  // no value of this part holds a digit
  uint32_t draw = 0;
};

enum class Case { Keep, Lower, Upper, Title };

bool is_digit(char c) { return c >= '0' && c <= '9'; }
// ASCII case and classes without the C library's locale lookups, which cost a call per character.
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool ascii_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

class Template : public Generator {
 public:
  Template(std::vector<Part> parts, Case letter_case, bool unique, std::string place)
      : parts_(std::move(parts)), case_(letter_case), unique_(unique), place_(std::move(place)) {}
  Type type() const override { return Type::String; }
  bool unique() const override { return unique_; }
  bool digit_free() const override {
    return std::all_of(parts_.begin(), parts_.end(), [](const Part& p) { return p.digit_free; });
  }

  void fill(const GenInput& in, Column& out) const override {
    const WordStreams streams(in.params, in.table, in.stream, place_);
    std::string text, value;
    for (size_t i = 0; i < in.rows.size(); ++i) {
      const uint64_t row = in.rows[i];
      text.clear();
      for (const Part& p : parts_) {
        switch (p.kind) {
          case Part::Literal:
            text += p.text;
            break;
          case Part::Column: {
            const Column& c = *in.slots[static_cast<size_t>(p.slot.index)];
            if (c.is_null(i)) break;  // a NULL field leaves its place empty
            if (p.count > 0) {
              value.clear();
              append_text(c, i, p.slot.type, value);
              const bool negative = !value.empty() && value[0] == '-';
              if (negative) text += '-';
              for (size_t k = value.size() - (negative ? 1 : 0); k < static_cast<size_t>(p.count); ++k) text += '0';
              text.append(value, negative ? 1 : 0);
              break;
            }
            if (p.filter.empty()) {
              append_text(c, i, p.slot.type, text);
              break;
            }
            value.clear();
            append_text(c, i, p.slot.type, value);
            for (char ch : value) {
              if (p.filter == "slug") {
                if (ascii_alnum(ch)) text += ascii_lower(ch);
              } else if (p.filter == "initial") {
                text += utf8_substr(value, 0, 1);
                break;
              } else {
                text += p.filter == "lower" ? ascii_lower(ch) : ascii_upper(ch);
              }
            }
            break;
          }
          case Part::List:
            append_word(p.list, streams, row, p.draw, text);
            break;
          case Part::Digits:
          case Part::Letters:
          case Part::Hex: {
            uint64_t bits = in.stream(row, p.draw);
            for (int k = 0; k < p.count; ++k) {
              if (k > 0 && k % 12 == 0) bits = in.stream(row, p.draw + static_cast<uint32_t>(k / 12) * 256);
              if (p.kind == Part::Digits)
                text += static_cast<char>('0' + bits % 10), bits /= 10;
              else if (p.kind == Part::Letters)
                text += static_cast<char>('A' + bits % 26), bits /= 26;
              else
                text += "0123456789abcdef"[bits % 16], bits /= 16;
            }
            break;
          }
        }
      }
      apply_case(text);
      out.push_string(text);
    }
  }

 private:
  void apply_case(std::string& text) const {
    if (case_ == Case::Keep) return;
    bool word_start = true;
    for (char& ch : text) {
      const char was = ch;
      if (case_ == Case::Lower)
        ch = ascii_lower(ch);
      else if (case_ == Case::Upper)
        ch = ascii_upper(ch);
      else
        ch = word_start ? ascii_upper(ch) : ascii_lower(ch);
      word_start = !ascii_alnum(was) && was != '\'';
    }
  }

  std::vector<Part> parts_;
  Case case_;
  bool unique_;
  std::string place_;
};

// Whether the parts make every row's text different, by one of two proofs around a placeholder of a
// non-negative unique integer column (a sequence), zero-padded or not:
//  - every other part is digit-free (literals, word lists and columns without digits): the text's
//    digits are then exactly that integer's, so different integers give different texts;
//  - only literal text on one side of it, and on the other side nothing or a literal ending (starting)
//    in a non-digit: reading the text from the literal side finds the integer's digits exactly,
//    whatever the other placeholders hold.
// Anything else is not proven unique and is refused.
bool proven_unique(const std::vector<Part>& parts, ColumnScope& scope) {
  const auto literal = [&](size_t k) { return parts[k].kind == Part::Literal; };
  for (size_t p = 0; p < parts.size(); ++p) {
    if (parts[p].kind != Part::Column || !scope.slot_is_non_negative_unique_int(parts[p].slot.index)) continue;
    bool others_digit_free = true;
    for (size_t k = 0; k < parts.size(); ++k) others_digit_free = others_digit_free && (k == p || parts[k].digit_free);
    if (others_digit_free) return true;
    bool after_literal = true, before_literal = true;
    for (size_t k = p + 1; k < parts.size(); ++k) after_literal = after_literal && literal(k);
    for (size_t k = 0; k < p; ++k) before_literal = before_literal && literal(k);
    const bool left_edge = p == 0 || (literal(p - 1) && !is_digit(parts[p - 1].text.back()));
    const bool right_edge = p + 1 == parts.size() || (literal(p + 1) && !is_digit(parts[p + 1].text.front()));
    if ((after_literal && left_edge) || (before_literal && right_edge)) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<Generator> make_template(Settings& s, ColumnScope& scope) {
  if (scope.column_type() != ColumnType::String) {
    scope.fail(s.where(), "template makes text, but the column is " + std::string(type_name(scope.column_type())));
  }
  const YAML::Node node = s.main().IsDefined() ? s.main() : s.take("pattern").value_or(undefined_node());
  if (!node.IsDefined() || !node.IsScalar())
    scope.fail(s.where(), "template needs its text, e.g. {template: \"{first_name}.{last_name}@example.com\"}");
  const std::string& pattern = node.Scalar();
  std::vector<Part> parts;
  uint32_t draws = 0;
  const auto literal = [&](char c) {
    if (parts.empty() || parts.back().kind != Part::Literal) {
      parts.push_back({});
      parts.back().digit_free = true;
    }
    parts.back().text += c;
    if (is_digit(c)) parts.back().digit_free = false;
  };
  for (size_t p = 0; p < pattern.size(); ++p) {
    const char c = pattern[p];
    if (c == '}') {
      if (p + 1 < pattern.size() && pattern[p + 1] == '}')
        ++p;
      else
        scope.fail(node, "a lone '}' in the template (write }} for a brace)");
      literal('}');
      continue;
    }
    if (c != '{') {
      literal(c);
      continue;
    }
    if (p + 1 < pattern.size() && pattern[p + 1] == '{') {
      literal('{');
      ++p;
      continue;
    }
    const size_t close = pattern.find('}', p);
    if (close == std::string::npos) scope.fail(node, "a '{' in the template is not closed (write {{ for a brace)");
    const std::string field = pattern.substr(p + 1, close - p - 1);
    p = close;
    Part part;
    const size_t colon = field.find(':');
    if (colon != std::string::npos) {
      const std::string kind = field.substr(0, colon), arg = field.substr(colon + 1);
      part.draw = draws++;
      if (kind == "list") {
        const std::optional<int> id = word_list_id(arg);
        if (!id) scope.fail(node, "unknown word list '" + arg + "' in {list:...} (" + word_list_names() + ")");
        part.kind = Part::List;
        part.list = *id;
      } else if (kind == "digits" || kind == "letters" || kind == "hex") {
        part.kind = kind == "digits" ? Part::Digits : kind == "letters" ? Part::Letters : Part::Hex;
        part.count = 0;
        for (char d : arg) part.count = is_digit(d) && part.count < 100 ? part.count * 10 + (d - '0') : 1000;
        if (arg.empty() || part.count < 1 || part.count > 64)
          scope.fail(node, "{" + field + "}: give a count from 1 to 64");
      } else if (arg.size() >= 2 && arg[0] == '0' && std::all_of(arg.begin(), arg.end(), is_digit)) {
        const std::optional<Slot> slot = scope.resolve(kind, node);
        if (!slot) scope.fail(node, "the template names an unknown column '" + kind + "'");
        if (slot->type != Type::Int)
          scope.fail(node, "{" + field + "} pads integers, and " + kind + " is " + std::string(type_label(slot->type)));
        part.kind = Part::Column;
        part.slot = *slot;
        part.count = std::stoi(arg.substr(1));
        if (part.count < 1 || part.count > 20) scope.fail(node, "{" + field + "}: pad to 1 to 20 digits");
        --draws;
      } else {
        scope.fail(
            node, "unknown placeholder {" + field + "} (a column, column:0N, list:NAME, digits:N, letters:N or hex:N)");
      }
    } else {
      std::string name = field;
      if (const size_t bar = field.find('|'); bar != std::string::npos) {
        name = field.substr(0, bar);
        part.filter = field.substr(bar + 1);
        if (part.filter != "slug" && part.filter != "lower" && part.filter != "upper" && part.filter != "initial") {
          scope.fail(node, "unknown filter '" + part.filter + "' in {" + field + "} (slug, lower, upper, initial)");
        }
      }
      const std::optional<Slot> slot = scope.resolve(name, node);
      if (!slot) scope.fail(node, "the template names an unknown column '" + name + "'");
      part.kind = Part::Column;
      part.slot = *slot;
      part.digit_free = scope.slot_is_digit_free(slot->index);
    }
    if (part.kind == Part::List) part.digit_free = word_list_digit_free(part.list);
    if (part.kind == Part::Letters) part.digit_free = true;
    parts.push_back(std::move(part));
  }
  Case letter_case = Case::Keep;
  if (const auto c = s.take("case")) {
    const std::string v = text_of(*c, scope, "case");
    if (v == "lower")
      letter_case = Case::Lower;
    else if (v == "upper")
      letter_case = Case::Upper;
    else if (v == "title")
      letter_case = Case::Title;
    else if (v != "keep")
      scope.fail(*c, "case is lower, upper, title or keep");
  }
  std::string place;
  if (const auto node_place = s.take("place")) place = text_of(*node_place, scope, "place");
  const bool unique = proven_unique(parts, scope);
  return std::make_unique<Template>(std::move(parts), letter_case, unique, place);
}

}  // namespace superstore::fakedata::spec
