#include "server/auth/base64url.h"

#include <sodium.h>

#include "server/auth/sodium_setup.h"

namespace superstore::server {

std::string base64url_encode(const void* data, size_t size) {
  ensure_sodium();
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(size, kVariant), '\0');  // includes the trailing NUL
  sodium_bin2base64(out.data(), out.size(), static_cast<const unsigned char*>(data), size, kVariant);
  out.pop_back();
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  ensure_sodium();
  // libsodium 1.0.18 reads every byte from 0x80 up as '_', so "A\xff" would decode like "A_" and a token
  // would have more than one spelling (found by fuzz/token_fuzz.cpp). Only the alphabet itself is allowed.
  for (char c : text) {
    const bool in_alphabet =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!in_alphabet) return std::nullopt;
  }
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t written = 0;
  const char* end = nullptr;
  // No ignore set and a required end pointer check: sodium stops at the first foreign character, which we
  // treat as an error rather than a terminator. sodium itself rejects non-zero trailing bits.
  int rc = sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                             nullptr, &written, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (rc != 0 || end != text.data() + text.size()) return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace superstore::server
