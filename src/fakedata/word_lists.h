// The parsed word lists of src/fakedata/data/ (internal). Parsed once, on first use, from the copies
// embedded in the binary; every string_view points into that static data and stays valid forever.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fakedata/random.h"

namespace superstore::fakedata {

// Items with a weighted table over them.
struct WeightedWords {
  std::vector<std::string_view> items;
  WeightedTable table;
  std::string_view pick(uint64_t bits) const { return items[table.pick(bits)]; }
};

enum class Device { Desktop, Mobile, Tablet };
inline constexpr std::array<std::string_view, 3> kDeviceNames = {"desktop", "mobile", "tablet"};

enum class HouseNumbers { Wide, Short, Block };

struct City {
  std::string_view name;
  std::string_view region;
  std::string_view postal_pattern;  // '#' digit, '@' letter, anything else literal
};

// One piece of an address format: literal text followed by a field ('n', 's', 'c', 'r', 'p'), or by
// nothing (field 0) at the end. Formats are split once at load time, not per address.
struct AddressPart {
  std::string_view literal;
  char field = 0;
};

struct Country {
  std::string_view code;  // ISO 3166-1 alpha-2
  std::string_view name;
  int32_t utc_offset_minutes = 0;
  WeightedTable devices;  // indexed by Device
  HouseNumbers house_numbers = HouseNumbers::Short;
  std::vector<AddressPart> address_format;
  std::vector<City> cities;
  WeightedTable city_table;
  std::vector<std::string_view> streets;
  std::array<WeightedWords, 3> browsers;  // by Device
};

struct Department {
  std::string_view name;
  int64_t starting_salary = 0;  // US dollars a year at age 22
  int64_t raise_bp = 0;         // per year of experience, in 1/100 percent
};

struct ProductKind {
  std::string_view name;  // "Wireless Earbuds"
  int64_t price_min_cents = 0, price_max_cents = 0;
  int64_t weight_min_g = 0, weight_max_g = 0;
  std::array<int64_t, 3> dimensions_cm{};  // typical length, width, height
  std::vector<std::string_view> features;  // at least two
};

struct Category {
  std::string_view name;  // "Electronics"
  std::string slug;       // "electronics", for URLs
  std::vector<ProductKind> kinds;
  std::vector<std::string_view> brands;
  std::vector<std::string_view> lines;     // product line words
  std::vector<std::string_view> closings;  // description endings, may contain {brand}
};

enum class PageKind { Landing, Browse, Product, Search, Cart, Checkout, Account, Content };

struct Page {
  std::string_view path;  // may contain {category}, {product} or {query}
  PageKind kind = PageKind::Landing;
};

struct WordLists {
  WeightedWords first_names;
  WeightedWords last_names;
  WeightedWords email_domains;
  std::vector<Department> departments;
  WeightedTable department_table;
  std::vector<Country> countries;
  WeightedTable country_table;
  std::vector<uint64_t> country_weights;  // what country_table draws by, in `countries` order
  std::vector<Category> categories;
  WeightedTable category_table;
  std::vector<const ProductKind*> all_kinds;  // for search queries
  std::vector<Page> pages;
  WeightedTable page_table;
};

// The lists, parsed on the first call (thread-safe). Throws Error(Internal) naming file and line if an
// embedded file is malformed, which only a broken build can cause.
const WordLists& word_lists();

// The raw bytes of an embedded data file; throws Error(Internal) when there is none of that name.
std::string_view embedded_file(std::string_view name);

}  // namespace superstore::fakedata
