// Small text helpers used across layers. ASCII only: identifiers, header names and configuration lists
// are ASCII, and nothing here tries to fold or trim Unicode.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace superstore {

// `text` without leading and trailing white space (space, \t, \n, \r, \f, \v).
std::string_view trim(std::string_view text);
// `text` with A-Z turned into a-z.
std::string lower(std::string_view text);
// Equal when compared without regard to ASCII letter case.
bool iequals(std::string_view a, std::string_view b);
// The items of a `separator`-separated list, each trimmed; empty items are left out ("a, ,b" gives a, b).
std::vector<std::string> split_list(std::string_view text, char separator = ',');
// The items with `separator` between them.
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace superstore
