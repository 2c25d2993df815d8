// Instants written in ISO 8601, as users type them: in fake-data specs, in a query's "as_of".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace superstore {

// "2024-06-01", "2024-06-01T09:30:00Z", "2024-06-01 09:30:00.25+02:00" -> microseconds since the epoch
// (UTC; a time without an offset is UTC); nothing when the text is not such a date or time or names no
// real day.
std::optional<int64_t> parse_instant_us(std::string_view text);

}  // namespace superstore
