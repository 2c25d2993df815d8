// The spec engine's word lists, drawn from the built-in tables' data (src/fakedata/data/).
#include "fakedata/spec/words.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "fakedata/address.h"
#include "fakedata/spec/program.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata::spec {
namespace {

enum List {
  kFirstName,
  kLastName,
  kFullName,
  kEmailDomain,
  kDepartment,
  kCompany,
  kCountry,
  kCountryCode,
  kCity,
  kRegion,
  kPostalCode,
  kStreet,
  kStreetAddress,
  kAddress,
  kDeviceType,
  kBrowser,
  kCategory,
  kBrand,
  kProductKind,
  kProductLine,
  kProductName,
  kPagePath,
  kListCount
};

constexpr std::array<std::string_view, kListCount> kNames = {
    "first_name",     "last_name",    "full_name",    "email_domain", "department",  "company",
    "country",        "country_code", "city",         "region",       "postal_code", "street",
    "street_address", "address",      "device_type",  "browser",      "category",    "brand",
    "product_kind",   "product_line", "product_name", "page_path"};

// Every brand of every category: the companies of the fake world.
const std::vector<std::string_view>& companies() {
  static const std::vector<std::string_view> all = [] {
    std::vector<std::string_view> out;
    for (const Category& c : word_lists().categories) out.insert(out.end(), c.brands.begin(), c.brands.end());
    return out;
  }();
  return all;
}

// Draws of the place stream: write_address uses 0 to 3 (city, street, house number, postal code).
constexpr uint32_t kCountryDraw = 7;

const Country& country_of(const WordStreams& s, uint64_t row) {
  const WordLists& words = word_lists();
  return words.countries[words.country_table.pick(s.place(row, kCountryDraw))];
}

const City& city_of(const Country& country, const WordStreams& s, uint64_t row) {
  return country.cities[country.city_table.pick(s.place(row, 0))];
}

const Category& category_of(const WordStreams& s, uint64_t row) {
  const WordLists& words = word_lists();
  return words.categories[words.category_table.pick(s.product(row, 0))];
}

void append_text(Text& text, std::string& out) { out.append(text.view()); }

}  // namespace

std::optional<int> word_list_id(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string word_list_names() {
  std::string out;
  for (const auto name : kNames) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

bool word_list_digit_free(int list) {
  const WordLists& w = word_lists();
  const auto clean = [](std::string_view s) { return s.find_first_of("0123456789") == std::string_view::npos; };
  const auto all = [&](const auto& items, const auto& text) {
    return std::all_of(items.begin(), items.end(), [&](const auto& item) { return clean(text(item)); });
  };
  const auto same = [](std::string_view s) { return s; };
  const auto countries = [&](const auto& text) { return all(w.countries, text); };
  switch (static_cast<List>(list)) {
    case kFirstName:
      return all(w.first_names.items, same);
    case kLastName:
      return all(w.last_names.items, same);
    case kFullName:
      return all(w.first_names.items, same) && all(w.last_names.items, same);
    case kEmailDomain:
      return all(w.email_domains.items, same);
    case kDepartment:
      return all(w.departments, [](const Department& d) { return d.name; });
    case kCompany:
      return all(companies(), same);
    case kCountry:
      return countries([](const Country& c) { return c.name; });
    case kCountryCode:
      return countries([](const Country& c) { return c.code; });
    case kCity:
      return countries(
          [&](const Country& c) { return all(c.cities, [](const City& x) { return x.name; }) ? "" : "0"; });
    case kRegion:
      return countries(
          [&](const Country& c) { return all(c.cities, [](const City& x) { return x.region; }) ? "" : "0"; });
    case kStreet:
      return countries([&](const Country& c) { return all(c.streets, same) ? "" : "0"; });
    case kDeviceType:
      return all(kDeviceNames, same);
    case kBrowser:
      return countries([&](const Country& c) {
        for (const auto& b : c.browsers) {
          if (!all(b.items, same)) return "0";
        }
        return "";
      });
    case kCategory:
      return all(w.categories, [](const Category& c) { return std::string_view(c.name); });
    case kBrand:
      return all(companies(), same);
    case kProductKind:
    case kProductLine:
    case kProductName:
      return all(w.categories, [&](const Category& c) {
        const bool kinds = all(c.kinds, [](const ProductKind& k) { return k.name; });
        const bool lines = all(c.lines, same);
        const bool brands = all(c.brands, same);
        const bool ok = list == kProductKind ? kinds : list == kProductLine ? lines : kinds && lines && brands;
        return std::string_view(ok ? "" : "0");
      });
    default:
      return false;  // postal codes, house numbers, product ids in paths
  }
}

WordStreams::WordStreams(const Params& params, const std::string& table_key, const Stream& own_stream,
                         const std::string& place_name)
    : own(own_stream),
      place(params, table_key, place_name.empty() ? "(place)" : "(place:" + place_name + ")"),
      product(params, table_key, "(product)"),
      device(params, table_key, place_name.empty() ? "(device)" : "(device:" + place_name + ")") {}

void append_word(int list, const WordStreams& s, uint64_t row, uint32_t draw, std::string& out) {
  const WordLists& words = word_lists();
  Text text;
  switch (static_cast<List>(list)) {
    case kFirstName:
      out.append(words.first_names.pick(s.own(row, draw)));
      return;
    case kLastName:
      out.append(words.last_names.pick(s.own(row, draw)));
      return;
    case kFullName:
      out.append(words.first_names.pick(s.own(row, draw)))
          .append(" ")
          .append(words.last_names.pick(s.own(row, draw + 64)));
      return;
    case kEmailDomain:
      out.append(words.email_domains.pick(s.own(row, draw)));
      return;
    case kDepartment:
      out.append(words.departments[words.department_table.pick(s.own(row, draw))].name);
      return;
    case kCompany:
      out.append(companies()[below(s.own(row, draw), companies().size())]);
      return;
    case kCountry:
      out.append(country_of(s, row).name);
      return;
    case kCountryCode:
      out.append(country_of(s, row).code);
      return;
    case kCity: {
      const Country& country = country_of(s, row);
      out.append(city_of(country, s, row).name);
      return;
    }
    case kRegion: {
      const Country& country = country_of(s, row);
      out.append(city_of(country, s, row).region);
      return;
    }
    case kPostalCode: {
      const Country& country = country_of(s, row);
      write_postal_code(city_of(country, s, row).postal_pattern, s.place(row, 3), text);
      return append_text(text, out);
    }
    case kStreet: {
      const Country& country = country_of(s, row);
      out.append(country.streets[below(s.place(row, 1), country.streets.size())]);
      return;
    }
    case kStreetAddress: {
      const Country& country = country_of(s, row);
      const std::string_view street = country.streets[below(s.place(row, 1), country.streets.size())];
      write_house_number(country.house_numbers, s.place(row, 2), text);
      // Japanese block numbers follow the district; elsewhere in the fake world the number leads.
      if (country.house_numbers == HouseNumbers::Block)
        out.append(street).append(" ").append(text.view());
      else
        out.append(text.view()).append(" ").append(street);
      return;
    }
    case kAddress:
      write_address(country_of(s, row), s.place, row, text);
      return append_text(text, out);
    case kDeviceType:
      out.append(kDeviceNames[country_of(s, row).devices.pick(s.device(row, 0))]);
      return;
    case kBrowser: {
      const Country& country = country_of(s, row);
      out.append(country.browsers[country.devices.pick(s.device(row, 0))].pick(s.device(row, 1)));
      return;
    }
    case kCategory:
      out.append(category_of(s, row).name);
      return;
    case kBrand: {
      const Category& c = category_of(s, row);
      out.append(c.brands[below(s.product(row, 2), c.brands.size())]);
      return;
    }
    case kProductKind: {
      const Category& c = category_of(s, row);
      out.append(c.kinds[below(s.product(row, 1), c.kinds.size())].name);
      return;
    }
    case kProductLine: {
      const Category& c = category_of(s, row);
      out.append(c.lines[below(s.product(row, 3), c.lines.size())]);
      return;
    }
    case kProductName: {
      const Category& c = category_of(s, row);
      out.append(c.brands[below(s.product(row, 2), c.brands.size())])
          .append(" ")
          .append(c.lines[below(s.product(row, 3), c.lines.size())])
          .append(" ")
          .append(c.kinds[below(s.product(row, 1), c.kinds.size())].name);
      return;
    }
    case kPagePath: {
      const Page& page = words.pages[words.page_table.pick(s.own(row, draw))];
      std::string_view path = page.path;
      while (!path.empty()) {
        const size_t open = path.find('{');
        out.append(path.substr(0, open));
        if (open == std::string_view::npos) break;
        const size_t close = path.find('}', open);
        const std::string_view field = path.substr(open + 1, close - open - 1);
        const uint64_t bits = s.own(row, draw + 32);
        if (field == "category") {
          out.append(words.categories[words.category_table.pick(bits)].slug);
        } else if (field == "product") {
          out.append(std::to_string(1 + below(bits, 500)));
        } else {  // query: a kind of product, as a search box sends it
          for (char c : words.all_kinds[below(bits, words.all_kinds.size())]->name) {
            out.push_back(c == ' ' ? '+' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
          }
        }
        path.remove_prefix(close + 1);
      }
      return;
    }
    case kListCount:
      return;
  }
}

namespace {

class Words : public Generator {
 public:
  Words(int list, std::string place) : list_(list), place_(std::move(place)), digit_free_(word_list_digit_free(list)) {}
  Type type() const override { return Type::String; }
  bool digit_free() const override { return digit_free_; }
  void fill(const GenInput& in, Column& out) const override {
    const WordStreams streams(in.params, in.table, in.stream, place_);
    std::string text;
    for (const uint64_t row : in.rows) {
      text.clear();
      append_word(list_, streams, row, 0, text);
      out.push_string(text);
    }
  }

 private:
  int list_;
  std::string place_;
  bool digit_free_;
};

class InlineWords : public Generator {
 public:
  explicit InlineWords(std::vector<std::string> items) : items_(std::move(items)) {}
  Type type() const override { return Type::String; }
  bool digit_free() const override {
    return std::all_of(items_.begin(), items_.end(),
                       [](const std::string& s) { return s.find_first_of("0123456789") == std::string::npos; });
  }
  void fill(const GenInput& in, Column& out) const override {
    for (const uint64_t row : in.rows) out.push_string(items_[below(in.stream(row), items_.size())]);
  }

 private:
  std::vector<std::string> items_;
};

}  // namespace

std::unique_ptr<Generator> make_words(Settings& s, ColumnScope& scope) {
  if (scope.column_type() != ColumnType::String) {
    scope.fail(s.where(), "words makes text, but the column is " + std::string(type_name(scope.column_type())));
  }
  const YAML::Node list = s.main().IsDefined() ? s.main() : s.take("list").value_or(undefined_node());
  if (!list.IsDefined())
    scope.fail(s.where(), "words needs a list name (" + word_list_names() + ") or a list of words");
  std::string place;
  if (const auto node = s.take("place")) {
    place = text_of(*node, scope, "place");
    for (char c : place) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
        scope.fail(*node, "a place name holds only letters, digits and _");
    }
  }
  if (list.IsSequence()) {
    std::vector<std::string> items;
    for (const auto& item : list) items.push_back(text_of(item, scope, "a word"));
    if (items.empty()) scope.fail(list, "the list of words is empty");
    return std::make_unique<InlineWords>(std::move(items));
  }
  const std::string name = text_of(list, scope, "words");
  const std::optional<int> id = word_list_id(name);
  if (!id) scope.fail(list, "unknown word list '" + name + "' (" + word_list_names() + ")");
  return std::make_unique<Words>(*id, place);
}

}  // namespace superstore::fakedata::spec
