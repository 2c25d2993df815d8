#include "server/auth/authenticator.h"

#include <optional>

#include "common/error.h"

namespace superstore::server {

Authenticator::Authenticator(catalog::Catalog& catalog, const SecretKey& key, AuthOptions options)
    : catalog_(catalog),
      hasher_(options.password_cost),
      signer_(key, options.token_lifetime),
      address_throttle_(options.address_throttle),
      throttle_(options.throttle),
      denied_(catalog) {}

LoginResult Authenticator::login(std::string_view email, std::string_view password, std::string_view client_address) {
  LoginResult result;
  std::chrono::seconds wait = address_throttle_.begin(client_address);
  if (wait.count() > 0) {
    result.status = LoginResult::Status::Throttled;
    result.throttled_by_address = true;
    result.retry_after = wait;
    return result;
  }
  wait = throttle_.begin(email);
  if (wait.count() > 0) {
    address_throttle_.finish(client_address, false);
    result.status = LoginResult::Status::Throttled;
    result.retry_after = wait;
    return result;
  }
  // Whatever happens below, both throttles must hear the end of this attempt, or the account and the
  // address would stay "in flight" and refuse later logins.
  LoginThrottle::Outcome outcome = LoginThrottle::Outcome::Abandoned;
  struct Finish {
    AddressThrottle& address_throttle;
    LoginThrottle& throttle;
    std::string_view address;
    std::string_view email;
    LoginThrottle::Outcome& outcome;
    ~Finish() {
      throttle.finish(email, outcome);
      address_throttle.finish(address, outcome == LoginThrottle::Outcome::Failure);
    }
  } finish{address_throttle_, throttle_, client_address, email, outcome};

  std::optional<catalog::UserInfo> user = catalog_.find_user(std::string(email));
  if (!user) {
    hasher_.verify_dummy(password);
    outcome = LoginThrottle::Outcome::Failure;
    return result;
  }
  if (!hasher_.verify(user->password_hash, password)) {
    outcome = LoginThrottle::Outcome::Failure;
    return result;
  }
  if (!user->active) {
    // The password was right, so this is no guess to count; the throttle just forgets the attempt.
    result.status = LoginResult::Status::Disabled;
    return result;
  }
  outcome = LoginThrottle::Outcome::Success;
  result.status = LoginResult::Status::Ok;
  result.access_token = signer_.issue(user->id, user->email);
  return result;
}

catalog::UserInfo Authenticator::authenticate(std::string_view token) {
  TokenClaims claims = signer_.verify(token);
  if (denied_.is_denied(token)) fail(ErrorCode::Unauthenticated, "token was revoked by logout; log in again");
  std::optional<catalog::UserInfo> user = catalog_.get_user(claims.user_id);
  if (!user) fail(ErrorCode::Unauthenticated, "the token's user no longer exists");
  if (!user->active) fail(ErrorCode::Unauthenticated, "this account is disabled");
  return *user;
}

void Authenticator::logout(std::string_view token) {
  TokenClaims claims = signer_.verify(token);
  denied_.deny(token, claims.expires_at, unix_now());
}

}  // namespace superstore::server
