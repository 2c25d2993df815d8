#include "server/auth/authenticator.h"

#include <optional>

#include "common/error.h"

namespace superstore::server {

Authenticator::Authenticator(catalog::Catalog& catalog, const SecretKey& key, AuthOptions options)
    : catalog_(catalog),
      hasher_(options.password_cost),
      signer_(key, options.token_lifetime),
      throttle_(options.throttle) {}

LoginResult Authenticator::login(std::string_view email, std::string_view password) {
  LoginResult result;
  std::chrono::seconds wait = throttle_.begin(email);
  if (wait.count() > 0) {
    result.status = LoginResult::Status::Throttled;
    result.retry_after = wait;
    return result;
  }
  // Whatever happens below, the throttle must hear the end of this attempt, or the account would stay
  // "in flight" and refuse every later login.
  LoginThrottle::Outcome outcome = LoginThrottle::Outcome::Abandoned;
  struct Finish {
    LoginThrottle& throttle;
    std::string_view email;
    LoginThrottle::Outcome& outcome;
    ~Finish() { throttle.finish(email, outcome); }
  } finish{throttle_, email, outcome};

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
