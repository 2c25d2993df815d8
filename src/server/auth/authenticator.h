// Who may use the API: password logins against the catalog's users, tokens for the users who logged in,
// and the check of a token on every request. Holds the hasher, the token signer, the login throttle and
// the logout deny-list (kept in the catalog) for the lifetime of the server.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "server/auth/address_throttle.h"
#include "server/auth/login_throttle.h"
#include "server/auth/password.h"
#include "server/auth/secret_key.h"
#include "server/auth/token.h"
#include "server/auth/token_deny_list.h"

namespace superstore::server {

struct AuthOptions {
  PasswordCost password_cost = PasswordCost::interactive();
  std::chrono::seconds token_lifetime = TokenSigner::kDefaultLifetime;
  ThrottlePolicy throttle;
  AddressPolicy address_throttle;
};

struct LoginResult {
  enum class Status {
    Ok,              // access_token is set
    BadCredentials,  // unknown email or wrong password; deliberately not told apart
    Disabled,        // right password, but the account is disabled
    Throttled,       // too many recent failures; retry_after says when to try again
  };
  Status status = Status::BadCredentials;
  bool throttled_by_address = false;  // Throttled: by the client address's budget, not the account's
  std::string access_token;
  std::chrono::seconds retry_after{0};
};

// Thread-safe. Keeps a reference to the catalog, which must outlive it.
class Authenticator {
 public:
  Authenticator(catalog::Catalog& catalog, const SecretKey& key, AuthOptions options = {});

  // Checks an email and password from `client_address`. Unknown emails cost one argon2id verification
  // like known ones, so the answer time does not reveal which accounts exist. Every attempt goes through
  // both throttles: the client address's budget first, then the account's.
  LoginResult login(std::string_view email, std::string_view password, std::string_view client_address = {});

  // The user a bearer token belongs to. Throws Error(Unauthenticated) when the token does not verify (see
  // TokenSigner::verify), was revoked by logout, or names a user who no longer exists or is disabled.
  catalog::UserInfo authenticate(std::string_view token);

  // Revokes a token that authenticate() accepted, until it expires (see TokenDenyList).
  void logout(std::string_view token);

  const PasswordHasher& hasher() const { return hasher_; }
  const TokenSigner& signer() const { return signer_; }

 private:
  catalog::Catalog& catalog_;
  PasswordHasher hasher_;
  TokenSigner signer_;
  AddressThrottle address_throttle_;
  LoginThrottle throttle_;
  TokenDenyList denied_;
};

}  // namespace superstore::server
