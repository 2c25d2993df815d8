// The one parser of whole numbers typed by people or sent by clients (CLI options, environment variables,
// query parameters, tags): decimal digits with an optional leading '-', nothing else (no spaces, no '+',
// no fraction), and overflow is an error, never a wrapped or clamped value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace superstore {

// The value of `text`, or nullopt when it is not exactly one int64 in decimal.
std::optional<int64_t> parse_int64(std::string_view text);

// The value of `text` when it lies in [min, max]; otherwise Error(InvalidArgument) saying
// "<what> must be a whole number from <min> to <max>, not '<text>'".
int64_t parse_int64_in(std::string_view text, int64_t min, int64_t max, const std::string& what);

// A span of time as people type it, in milliseconds: a whole number and a unit, one of ms, s, m, h, d
// ("168h", "30m", "7d"; a bare number is seconds). Error(InvalidArgument) naming `what` otherwise,
// negative or past a hundred years included.
int64_t parse_duration_ms(std::string_view text, const std::string& what);

}  // namespace superstore
