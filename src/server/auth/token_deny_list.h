// Tokens revoked by logout before they expire. Tokens are stateless, so logout cannot destroy them; the
// client is expected to discard its token, and this list additionally makes the server refuse it until its
// expiry. The list lives in the catalog (table revoked_tokens), so a restart, or a second server on the
// same DATA_DIR, refuses a logged-out token too; each logout prunes the revocations that have expired.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/catalog.h"

namespace superstore::server {

// Thread-safe (the catalog serialises its calls). Keeps a reference to the catalog.
class TokenDenyList {
 public:
  explicit TokenDenyList(catalog::Catalog& catalog);

  // Refuses `token` until `expires_at` (seconds since the epoch); revocations expired at `now` are
  // dropped on the way, so the list never outgrows the tokens still alive.
  void deny(std::string_view token, int64_t expires_at, int64_t now);
  // Whether `token` was denied. Only meaningful for tokens that passed verification.
  bool is_denied(std::string_view token) const;

  // What the catalog stores for a token: the SHA-256 of its signature, in hex. Not the token itself, so
  // that reading the catalog file yields nothing to present as a token.
  static std::string token_id(std::string_view token);

 private:
  catalog::Catalog& catalog_;
};

}  // namespace superstore::server
