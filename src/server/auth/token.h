// Access tokens: HS256 JSON Web Tokens (RFC 7519) signed with the server's secret key.
// Header {"alg":"HS256","typ":"JWT"}; claims "sub" (the user id, as a string), "email", "iat" and "exp"
// (seconds since the Unix epoch), and "jti" (random, so no two tokens are equal). Tokens are stateless:
// the server keeps no list of issued tokens.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/auth/secret_key.h"

namespace superstore::server {

struct TokenClaims {
  int64_t user_id = 0;
  std::string email;
  int64_t issued_at = 0;   // seconds since the epoch
  int64_t expires_at = 0;  // seconds since the epoch
};

// Thread-safe (immutable after construction).
class TokenSigner {
 public:
  static constexpr std::chrono::seconds kDefaultLifetime{3600};
  // How far in the future "iat" may lie before a token is refused, to tolerate clocks slightly apart.
  static constexpr std::chrono::seconds kAllowedClockSkew{60};
  // Longer tokens are refused unread, so a huge header cannot make the server parse megabytes of JSON.
  static constexpr size_t kMaxTokenLength = 4096;

  explicit TokenSigner(const SecretKey& key, std::chrono::seconds lifetime = kDefaultLifetime);

  // A token for the user, valid from `now` (seconds since the epoch; the system clock by default) for the
  // signer's lifetime.
  std::string issue(int64_t user_id, const std::string& email) const;
  std::string issue(int64_t user_id, const std::string& email, int64_t now) const;

  // The claims of a token this signer issued and that is still valid at `now`. Throws
  // Error(Unauthenticated) with a short reason when the token is malformed (not three base64url segments,
  // not JSON objects, claims missing or of the wrong type), names an algorithm other than HS256 (including
  // "none"), carries a signature that does not match (checked in constant time), has expired
  // (exp <= now), or was issued more than kAllowedClockSkew in the future.
  TokenClaims verify(std::string_view token) const;
  TokenClaims verify(std::string_view token, int64_t now) const;

  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  SecretKey key_;
  std::chrono::seconds lifetime_;
};

// Seconds since the Unix epoch by the system clock.
int64_t unix_now();

}  // namespace superstore::server
