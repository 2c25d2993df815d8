#include "fakedata/word_lists.h"

#include <charconv>
#include <functional>
#include <map>

#include "common/error.h"
#include "fakedata/embedded_files.h"

namespace superstore::fakedata {
namespace {

using Fields = std::vector<std::string_view>;

[[noreturn]] void malformed(std::string_view file, size_t line, const std::string& why) {
  fail(ErrorCode::Internal,
       "embedded fake-data file " + std::string(file) + ", line " + std::to_string(line) + ": " + why);
}

// Calls `row` for each data line of a TSV file: '#' lines and blank lines are comments, every other
// line must have exactly `columns` tab-separated fields.
void for_each_row(std::string_view file, size_t columns, const std::function<void(const Fields&, size_t line)>& row) {
  const std::string_view text = embedded_file(file);
  Fields fields;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    fields.clear();
    size_t start = 0;
    while (true) {
      const size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (fields.size() != columns) {
      malformed(file, line_no,
                "expected " + std::to_string(columns) + " fields, found " + std::to_string(fields.size()));
    }
    for (auto f : fields) {
      if (f.empty()) malformed(file, line_no, "empty field");
    }
    row(fields, line_no);
  }
}

int64_t number(std::string_view file, size_t line, std::string_view field) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size()) {
    malformed(file, line, "not an integer: '" + std::string(field) + "'");
  }
  return value;
}

uint64_t weight(std::string_view file, size_t line, std::string_view field) {
  const int64_t w = number(file, line, field);
  if (w <= 0) malformed(file, line, "weights must be positive");
  return static_cast<uint64_t>(w);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

WeightedWords weighted_words(std::string_view file, size_t columns, size_t weight_column) {
  WeightedWords words;
  std::vector<uint64_t> weights;
  for_each_row(file, columns, [&](const Fields& f, size_t line) {
    words.items.push_back(f[0]);
    weights.push_back(weight(file, line, f[weight_column]));
  });
  words.table = WeightedTable(weights);
  return words;
}

void load_people(WordLists& w) {
  w.first_names = weighted_words("first_names.tsv", 3, 2);
  w.last_names = weighted_words("last_names.tsv", 2, 1);
  w.email_domains = weighted_words("email_domains.tsv", 2, 1);

  std::vector<uint64_t> weights;
  for_each_row("departments.tsv", 4, [&](const Fields& f, size_t line) {
    w.departments.push_back({f[0], number("departments.tsv", line, f[2]), number("departments.tsv", line, f[3])});
    weights.push_back(weight("departments.tsv", line, f[1]));
  });
  w.department_table = WeightedTable(weights);
}

// "{n} {s}, {c}" -> ("", n) (" ", s) (", ", c). Unknown fields are an error, so a typo in a format
// cannot silently print "{x}" into every address.
std::vector<AddressPart> address_format(size_t line, std::string_view format) {
  std::vector<AddressPart> parts;
  while (true) {
    const size_t open = format.find('{');
    if (open == std::string_view::npos) {
      if (!format.empty()) parts.push_back({format, 0});
      return parts;
    }
    if (open + 2 >= format.size() || format[open + 2] != '}' ||
        std::string_view("nscrp").find(format[open + 1]) == std::string_view::npos) {
      malformed("countries.tsv", line, "bad field in address format");
    }
    parts.push_back({format.substr(0, open), format[open + 1]});
    format.remove_prefix(open + 3);
  }
}

HouseNumbers house_numbers(std::string_view file, size_t line, std::string_view name) {
  if (name == "wide") return HouseNumbers::Wide;
  if (name == "short") return HouseNumbers::Short;
  if (name == "block") return HouseNumbers::Block;
  malformed(file, line, "unknown house number style '" + std::string(name) + "'");
}

void load_places(WordLists& w) {
  std::map<std::string_view, size_t> by_code;
  std::vector<std::string_view> street_groups;
  std::vector<uint64_t> weights;
  for_each_row("countries.tsv", 10, [&](const Fields& f, size_t line) {
    const auto n = [&](size_t i) { return number("countries.tsv", line, f[i]); };
    Country c;
    c.code = f[0];
    c.name = f[1];
    c.utc_offset_minutes = static_cast<int32_t>(n(3));
    c.devices = WeightedTable({weight("countries.tsv", line, f[4]), weight("countries.tsv", line, f[5]),
                               weight("countries.tsv", line, f[6])});
    c.house_numbers = house_numbers("countries.tsv", line, f[7]);
    c.address_format = address_format(line, f[9]);
    if (c.code.size() != 2) malformed("countries.tsv", line, "country codes have two letters");
    by_code[c.code] = w.countries.size();
    street_groups.push_back(f[8]);
    weights.push_back(weight("countries.tsv", line, f[2]));
    w.countries.push_back(std::move(c));
  });
  w.country_table = WeightedTable(weights);
  w.country_weights = weights;

  const auto country_of = [&](std::string_view file, size_t line, std::string_view code) -> Country& {
    const auto it = by_code.find(code);
    if (it == by_code.end()) malformed(file, line, "unknown country '" + std::string(code) + "'");
    return w.countries[it->second];
  };

  std::vector<std::vector<uint64_t>> city_weights(w.countries.size());
  for_each_row("cities.tsv", 5, [&](const Fields& f, size_t line) {
    Country& c = country_of("cities.tsv", line, f[0]);
    c.cities.push_back({f[1], f[2], f[3]});
    city_weights[static_cast<size_t>(&c - w.countries.data())].push_back(weight("cities.tsv", line, f[4]));
  });

  for_each_row("streets.tsv", 2, [&](const Fields& f, size_t) {
    for (size_t i = 0; i < w.countries.size(); ++i) {
      if (street_groups[i] == f[0]) w.countries[i].streets.push_back(f[1]);
    }
  });

  // Browser rows for one country replace the "*" rows for that device type.
  std::vector<std::array<std::vector<uint64_t>, 3>> browser_weights(w.countries.size());
  std::array<WeightedWords, 3> fallback;
  std::array<std::vector<uint64_t>, 3> fallback_weights;
  for_each_row("browsers.tsv", 4, [&](const Fields& f, size_t line) {
    size_t device = kDeviceNames.size();
    for (size_t d = 0; d < kDeviceNames.size(); ++d) {
      if (kDeviceNames[d] == f[1]) device = d;
    }
    if (device == kDeviceNames.size()) malformed("browsers.tsv", line, "unknown device type");
    const uint64_t wt = weight("browsers.tsv", line, f[3]);
    if (f[0] == "*") {
      fallback[device].items.push_back(f[2]);
      fallback_weights[device].push_back(wt);
      return;
    }
    Country& c = country_of("browsers.tsv", line, f[0]);
    const auto i = static_cast<size_t>(&c - w.countries.data());
    c.browsers[device].items.push_back(f[2]);
    browser_weights[i][device].push_back(wt);
  });
  for (size_t d = 0; d < 3; ++d) fallback[d].table = WeightedTable(fallback_weights[d]);

  for (size_t i = 0; i < w.countries.size(); ++i) {
    Country& c = w.countries[i];
    if (c.cities.empty()) malformed("cities.tsv", 0, "no city for " + std::string(c.code));
    if (c.streets.empty()) malformed("streets.tsv", 0, "no street for " + std::string(c.code));
    c.city_table = WeightedTable(city_weights[i]);
    for (size_t d = 0; d < 3; ++d) {
      if (c.browsers[d].items.empty()) {
        c.browsers[d] = fallback[d];
      } else {
        c.browsers[d].table = WeightedTable(browser_weights[i][d]);
      }
    }
  }
}

void load_products(WordLists& w) {
  std::map<std::string_view, size_t> by_name;
  std::vector<uint64_t> weights;
  for_each_row("categories.tsv", 2, [&](const Fields& f, size_t line) {
    Category c;
    c.name = f[0];
    for (char ch : f[0]) c.slug += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    by_name[c.name] = w.categories.size();
    weights.push_back(weight("categories.tsv", line, f[1]));
    w.categories.push_back(std::move(c));
  });
  w.category_table = WeightedTable(weights);

  const auto category_of = [&](std::string_view file, size_t line, std::string_view name) -> Category& {
    const auto it = by_name.find(name);
    if (it == by_name.end()) malformed(file, line, "unknown category '" + std::string(name) + "'");
    return w.categories[it->second];
  };

  for_each_row("product_types.tsv", 10, [&](const Fields& f, size_t line) {
    const auto n = [&](size_t i) { return number("product_types.tsv", line, f[i]); };
    ProductKind k;
    k.name = f[1];
    k.price_min_cents = n(2) * 100;
    k.price_max_cents = n(3) * 100;
    k.weight_min_g = n(4);
    k.weight_max_g = n(5);
    k.dimensions_cm = {n(6), n(7), n(8)};
    k.features = split(f[9], '|');
    if (k.features.size() < 2) malformed("product_types.tsv", line, "a kind needs two features or more");
    if (k.price_min_cents < 100 || k.price_max_cents < k.price_min_cents || k.weight_min_g <= 0 ||
        k.weight_max_g < k.weight_min_g) {
      malformed("product_types.tsv", line, "price or weight range out of order");
    }
    category_of("product_types.tsv", line, f[0]).kinds.push_back(std::move(k));
  });
  for_each_row("brands.tsv", 2,
               [&](const Fields& f, size_t line) { category_of("brands.tsv", line, f[0]).brands.push_back(f[1]); });
  std::vector<std::string_view> generic_lines;
  for_each_row("product_lines.tsv", 2, [&](const Fields& f, size_t line) {
    if (f[0] == "*") {
      generic_lines.push_back(f[1]);
    } else {
      category_of("product_lines.tsv", line, f[0]).lines.push_back(f[1]);
    }
  });
  for_each_row("product_closings.tsv", 2, [&](const Fields& f, size_t line) {
    category_of("product_closings.tsv", line, f[0]).closings.push_back(f[1]);
  });
  for (Category& c : w.categories) {
    if (c.lines.empty()) c.lines = generic_lines;
    if (c.kinds.empty() || c.brands.empty() || c.lines.empty() || c.closings.empty()) {
      malformed("categories.tsv", 0, "category " + std::string(c.name) + " lacks kinds, brands, lines or closings");
    }
  }
  for (const Category& c : w.categories) {
    for (const ProductKind& k : c.kinds) w.all_kinds.push_back(&k);
  }
}

PageKind page_kind(size_t line, std::string_view name) {
  static constexpr std::pair<std::string_view, PageKind> kKinds[] = {
      {"landing", PageKind::Landing}, {"browse", PageKind::Browse},  {"product", PageKind::Product},
      {"search", PageKind::Search},   {"cart", PageKind::Cart},      {"checkout", PageKind::Checkout},
      {"account", PageKind::Account}, {"content", PageKind::Content}};
  for (const auto& [n, kind] : kKinds) {
    if (n == name) return kind;
  }
  malformed("pages.tsv", line, "unknown page kind '" + std::string(name) + "'");
}

void load_pages(WordLists& w) {
  std::vector<uint64_t> weights;
  for_each_row("pages.tsv", 3, [&](const Fields& f, size_t line) {
    w.pages.push_back({f[0], page_kind(line, f[1])});
    weights.push_back(weight("pages.tsv", line, f[2]));
  });
  w.page_table = WeightedTable(weights);
}

WordLists load() {
  WordLists w;
  load_people(w);
  load_places(w);
  load_products(w);
  load_pages(w);
  return w;
}

}  // namespace

std::string_view embedded_file(std::string_view name) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (name == kEmbeddedFiles[i].name) {
      return {reinterpret_cast<const char*>(kEmbeddedFiles[i].data), kEmbeddedFiles[i].size};
    }
  }
  fail(ErrorCode::Internal, "no embedded fake-data file " + std::string(name));
}

const WordLists& word_lists() {
  static const WordLists lists = load();
  return lists;
}

}  // namespace superstore::fakedata
