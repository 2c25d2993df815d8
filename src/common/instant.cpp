#include "common/instant.h"

#include <chrono>

namespace superstore {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

// Reads exactly `digits` decimal digits at `p`.
bool read_digits(std::string_view text, size_t& p, size_t digits, int& out) {
  if (p + digits > text.size()) return false;
  out = 0;
  for (size_t k = 0; k < digits; ++k) {
    const char c = text[p + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  p += digits;
  return true;
}

}  // namespace

std::optional<int64_t> parse_instant_us(std::string_view text) {
  size_t p = 0;
  int year, month, day;
  if (!read_digits(text, p, 4, year) || p >= text.size() || text[p++] != '-' || !read_digits(text, p, 2, month) ||
      p >= text.size() || text[p++] != '-' || !read_digits(text, p, 2, day)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  int64_t us = std::chrono::sys_days{ymd}.time_since_epoch().count() * kDay;
  if (p == text.size()) return us;
  if (text[p] != 'T' && text[p] != ' ') return std::nullopt;
  ++p;
  int hour, minute, second = 0;
  if (!read_digits(text, p, 2, hour) || p >= text.size() || text[p++] != ':' || !read_digits(text, p, 2, minute)) {
    return std::nullopt;
  }
  if (p < text.size() && text[p] == ':') {
    ++p;
    if (!read_digits(text, p, 2, second)) return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  us += hour * kHour + minute * kMinute + second * kSecond;
  if (p < text.size() && text[p] == '.') {
    ++p;
    int64_t fraction = 0, scale = 100'000;
    const size_t start = p;
    while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
      if (scale > 0) fraction += (text[p] - '0') * scale;
      scale /= 10;
      ++p;
    }
    if (p == start) return std::nullopt;
    us += fraction;
  }
  if (p == text.size()) return us;
  if (text[p] == 'Z' && p + 1 == text.size()) return us;
  if (text[p] == '+' || text[p] == '-') {
    const int sign = text[p++] == '+' ? 1 : -1;
    int oh, om = 0;
    if (!read_digits(text, p, 2, oh)) return std::nullopt;
    if (p < text.size() && text[p] == ':') ++p;
    if (p < text.size() && !read_digits(text, p, 2, om)) return std::nullopt;
    if (p != text.size() || oh > 23 || om > 59) return std::nullopt;
    return us - sign * (oh * kHour + om * kMinute);
  }
  return std::nullopt;
}

}  // namespace superstore
