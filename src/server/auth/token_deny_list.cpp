#include "server/auth/token_deny_list.h"

#include <sodium.h>

#include "server/auth/sodium_setup.h"

namespace superstore::server {
namespace {

// The signature segment identifies a verified token: it is a MAC over the rest, and base64url decoding is
// strict, so no two accepted tokens share it.
std::string_view signature_of(std::string_view token) {
  size_t dot = token.rfind('.');
  return dot == std::string_view::npos ? token : token.substr(dot + 1);
}

}  // namespace

TokenDenyList::TokenDenyList(catalog::Catalog& catalog) : catalog_(catalog) {}

std::string TokenDenyList::token_id(std::string_view token) {
  ensure_sodium();
  const std::string_view signature = signature_of(token);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

void TokenDenyList::deny(std::string_view token, int64_t expires_at, int64_t now) {
  catalog_.revoke_token(token_id(token), expires_at, now);
}

bool TokenDenyList::is_denied(std::string_view token) const { return catalog_.token_revoked(token_id(token)); }

}  // namespace superstore::server
