// Street addresses in the local format of a country (internal).
#pragma once

#include <cstdint>

#include "fakedata/random.h"
#include "fakedata/text.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {

// Appends an address in `country` (a real city, a street name of that country, a house number and a
// postal code matching the city's real range) to `out`. Uses draws 0..3 of `stream` for `row`.
void write_address(const Country& country, const Stream& stream, uint64_t row, Text& out);

// The pieces write_address uses, for generators that write them alone: a house number in the
// country's style, and a postal code from a city's pattern ('#' a digit, '@' a letter).
void write_house_number(HouseNumbers style, uint64_t bits, Text& out);
void write_postal_code(std::string_view pattern, uint64_t bits, Text& out);

}  // namespace superstore::fakedata
