#include "fakedata/word_lists.h"

#include <gtest/gtest.h>

#include <set>

#include "common/error.h"

namespace superstore::fakedata {
namespace {

TEST(FakeWordLists, AreEmbeddedAndSizeable) {
  const WordLists& w = word_lists();
  EXPECT_EQ(&w, &word_lists());  // parsed once
  EXPECT_GE(w.first_names.items.size(), 400u);
  EXPECT_GE(w.last_names.items.size(), 500u);
  EXPECT_FALSE(embedded_file("first_names.tsv").empty());
  EXPECT_THROW(embedded_file("missing.tsv"), Error);
}

TEST(FakeWordLists, NamesAreAsciiLettersOnly) {
  // Emails are built from names; a digit in a name would break their uniqueness argument.
  for (const auto* list : {&word_lists().first_names, &word_lists().last_names}) {
    for (std::string_view name : list->items) {
      for (char c : name) {
        EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '\'' || c == '-') << name;
      }
    }
  }
}

TEST(FakeWordLists, CountriesAreCompleteAndDistinct) {
  std::set<std::string_view> codes;
  for (const Country& c : word_lists().countries) {
    EXPECT_EQ(c.code.size(), 2u);
    EXPECT_TRUE(c.code[0] >= 'A' && c.code[0] <= 'Z' && c.code[1] >= 'A' && c.code[1] <= 'Z') << c.code;
    EXPECT_TRUE(codes.insert(c.code).second) << c.code;
    EXPECT_FALSE(c.cities.empty()) << c.code;
    EXPECT_FALSE(c.streets.empty()) << c.code;
    EXPECT_EQ(c.devices.size(), 3u);
    for (const auto& browsers : c.browsers) EXPECT_FALSE(browsers.items.empty()) << c.code;
    bool has_postal_code = false;
    for (const AddressPart& part : c.address_format) has_postal_code |= part.field == 'p';
    EXPECT_TRUE(has_postal_code) << c.code;
  }
  EXPECT_GE(codes.size(), 15u);
  EXPECT_LE(codes.size(), 25u);
}

TEST(FakeWordLists, CategoriesHaveEverythingAProductNeeds) {
  EXPECT_GE(word_lists().categories.size(), 8u);
  for (const Category& c : word_lists().categories) {
    EXPECT_GE(c.kinds.size(), 5u) << c.name;
    EXPECT_GE(c.brands.size(), 3u) << c.name;
    EXPECT_FALSE(c.lines.empty()) << c.name;
    EXPECT_FALSE(c.closings.empty()) << c.name;
    for (std::string_view brand : c.brands) EXPECT_TRUE(brand[0] >= 'A' && brand[0] <= 'Z') << brand;
  }
  EXPECT_EQ(word_lists().departments.size(), 5u);
}

}  // namespace
}  // namespace superstore::fakedata
