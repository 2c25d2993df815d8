#include "common/parse_int.h"

#include <charconv>
#include <system_error>
#include <utility>

#include "common/error.h"

namespace superstore {

std::optional<int64_t> parse_int64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || stop != end) return std::nullopt;
  return value;
}

int64_t parse_int64_in(std::string_view text, int64_t min, int64_t max, const std::string& what) {
  std::optional<int64_t> value = parse_int64(text);
  if (!value || *value < min || *value > max) {
    fail(ErrorCode::InvalidArgument, what + " must be a whole number from " + std::to_string(min) + " to " +
                                         std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return *value;
}

int64_t parse_duration_ms(std::string_view text, const std::string& what) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  constexpr int64_t kMaxMs = 100LL * 365 * 86'400'000;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string_view unit = text.substr(digits);
  int64_t scale = unit.empty() ? 1'000 : 0;
  for (const auto& [name, ms] : kUnits) {
    if (unit == name) scale = ms;
  }
  const std::optional<int64_t> n = digits > 0 ? parse_int64(text.substr(0, digits)) : std::nullopt;
  if (scale == 0 || !n || *n > kMaxMs / scale) {
    fail(ErrorCode::InvalidArgument,
         what + " must be a duration such as 168h, 30m, 90s or 7d (units ms, s, m, h, d), not '" + std::string(text) +
             "'");
  }
  return *n * scale;
}

}  // namespace superstore
