#include "common/parse_int.h"

#include <charconv>
#include <system_error>

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

}  // namespace superstore
