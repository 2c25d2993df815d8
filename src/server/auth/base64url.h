// Base64url without padding (RFC 4648 §5), the encoding of every JWT segment.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace superstore::server {

std::string base64url_encode(const void* data, size_t size);
inline std::string base64url_encode(std::string_view bytes) { return base64url_encode(bytes.data(), bytes.size()); }

// Decodes strictly: returns nullopt for padding, whitespace, characters outside the URL-safe alphabet,
// an impossible length, or non-zero unused trailing bits — so each byte string has exactly one accepted
// encoding and a token cannot be altered without changing its signed text.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace superstore::server
