// A fixed-capacity text builder on the stack (internal). Generated strings are assembled here and then
// copied once into a Column's shared buffer, so building a million names allocates nothing per value.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/error.h"

namespace superstore::fakedata {

class Text {
 public:
  static constexpr size_t kCapacity = 512;

  void clear() { size_ = 0; }
  std::string_view view() const { return {buffer_.data(), size_}; }

  Text& operator<<(std::string_view s) {
    reserve(s.size());
    std::memcpy(buffer_.data() + size_, s.data(), s.size());
    size_ += s.size();
    return *this;
  }
  Text& operator<<(char c) {
    reserve(1);
    buffer_[size_++] = c;
    return *this;
  }
  Text& operator<<(uint64_t v) { return number(v, 0); }

  // Decimal, left-padded with zeros to at least `width` digits.
  Text& number(uint64_t v, int width) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    for (auto n = end - digits; n < width; ++n) *this << '0';
    return *this << std::string_view(digits, static_cast<size_t>(end - digits));
  }

  // Only the ASCII letters and digits of `s`, lower-cased: "O'Brien" -> "obrien", for email addresses.
  Text& lower_alnum(std::string_view s) {
    reserve(s.size());
    for (char c : s) {
      if (c >= 'A' && c <= 'Z')
        buffer_[size_++] = static_cast<char>(c - 'A' + 'a');
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        buffer_[size_++] = c;
    }
    return *this;
  }

 private:
  // Every generated string is far below the capacity; reaching it means a word list or a template grew
  // out of bounds, which must fail loudly rather than truncate a unique name.
  void reserve(size_t n) {
    if (size_ + n > kCapacity) fail(ErrorCode::Internal, "fake data text longer than 512 bytes");
  }

  std::array<char, kCapacity> buffer_;
  size_t size_ = 0;
};

}  // namespace superstore::fakedata
