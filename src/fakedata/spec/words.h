// The word lists a spec can name (internal): `words: city`, `{list:city}` in templates. Lists about a
// place (country, city, region, postal_code, street, street_address, address, device_type, browser)
// read the row's place, and lists about a product (category, brand, product_kind, product_name) the
// row's product, so that the city lies in the country and the brand makes that kind of product, in
// every column and template of the row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fakedata/fakedata.h"
#include "fakedata/random.h"

namespace superstore::fakedata::spec {

// A list's number, or nothing for an unknown name.
std::optional<int> word_list_id(std::string_view name);
// "first_name, last_name, ..." for error messages and the docs.
std::string word_list_names();

// Whether no word of the list holds a digit (checked on the data itself).
bool word_list_digit_free(int list);

// The random streams a row's words come from, made once per batch.
class WordStreams {
 public:
  // `place` names the place (empty: the row's one place); two columns with the same place agree.
  WordStreams(const Params& params, const std::string& table_key, const Stream& own, const std::string& place);

  const Stream& own;
  Stream place, product, device;
};

// Appends list `list`'s word for `row` to `out`; `draw` tells apart several independent words of one
// column (template placeholders).
void append_word(int list, const WordStreams& streams, uint64_t row, uint32_t draw, std::string& out);

}  // namespace superstore::fakedata::spec
