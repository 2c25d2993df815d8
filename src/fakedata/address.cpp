#include "fakedata/address.h"

namespace superstore::fakedata {

void write_house_number(HouseNumbers style, uint64_t bits, Text& out) {
  switch (style) {
    case HouseNumbers::Wide:
      out << 1 + low_biased(bits, 9999);
      break;
    case HouseNumbers::Short:
      out << 1 + low_biased(bits, 199);
      break;
    case HouseNumbers::Block: {  // Japanese chome-ban-go: district block, block, building
      const uint64_t chome = 1 + bits % 5;
      const uint64_t ban = 1 + (bits / 5) % 30;
      const uint64_t go = 1 + (bits / 150) % 20;
      out << chome << '-' << ban << '-' << go;
      break;
    }
  }
}

// '#' becomes a digit and '@' a letter; letters come from the set valid in every position of UK and
// Canadian postcodes, so both look right.
void write_postal_code(std::string_view pattern, uint64_t bits, Text& out) {
  static constexpr std::string_view kLetters = "ABEGHJLNPRSTWXYZ";
  for (char c : pattern) {
    if (c == '#') {
      out << static_cast<char>('0' + bits % 10);
      bits /= 10;
    } else if (c == '@') {
      out << kLetters[bits % kLetters.size()];
      bits /= kLetters.size();
    } else {
      out << c;
    }
  }
}

void write_address(const Country& country, const Stream& stream, uint64_t row, Text& out) {
  const City& city = country.cities[country.city_table.pick(stream(row, 0))];
  const std::string_view street = country.streets[below(stream(row, 1), country.streets.size())];
  for (const AddressPart& part : country.address_format) {
    out << part.literal;
    switch (part.field) {
      case 'n':
        write_house_number(country.house_numbers, stream(row, 2), out);
        break;
      case 's':
        out << street;
        break;
      case 'c':
        out << city.name;
        break;
      case 'r':
        out << city.region;
        break;
      case 'p':
        write_postal_code(city.postal_pattern, stream(row, 3), out);
        break;
      default:
        break;
    }
  }
}

}  // namespace superstore::fakedata
