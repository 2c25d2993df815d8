// Login, logout and "who am I". The login route speaks the OAuth2 password flow's shape (form fields
// username and password; {"access_token", "token_type": "bearer"}), which generic clients expect.
#include <string>

#include "common/types.h"
#include "server/http_json.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

void login(ServerContext& context, Call& call) {
  std::optional<std::string> email = form_field(call.request, "username");
  std::optional<std::string> password = form_field(call.request, "password");
  if (!email || !password || email->empty() || password->empty()) {
    send_error(call.response, 400,
               "send the form fields username (your email) and password, as application/x-www-form-urlencoded "
               "or multipart/form-data");
    return;
  }
  LoginResult result = context.auth.login(*email, *password, call.request.remote_addr);
  switch (result.status) {
    case LoginResult::Status::Ok:
      send_json(call.response, 200, {{"access_token", result.access_token}, {"token_type", "bearer"}});
      return;
    case LoginResult::Status::BadCredentials:
      send_error(call.response, 401, "incorrect email or password");
      return;
    case LoginResult::Status::Disabled:
      send_error(call.response, 401, "this account is disabled; ask an administrator to enable it");
      return;
    case LoginResult::Status::Throttled:
      call.response.set_header("Retry-After", std::to_string(result.retry_after.count()));
      send_error(call.response, 429,
                 std::string(result.throttled_by_address ? "too many failed logins from your address"
                                                         : "too many failed logins for this account") +
                     "; try again in " + std::to_string(result.retry_after.count()) + " s");
      return;
  }
}

nlohmann::json user_json(const catalog::UserInfo& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"is_active", user.active},
          {"created_at", format_timestamp_us(user.created_at_ms * 1000)}};
}

}  // namespace

void register_auth_routes(Router& router, ServerContext& context) {
  router.post(
      "/auth/jwt/login", [&context](Call& call) { login(context, call); }, Access::Public);

  // Tokens are stateless: the client ends its session by discarding the token. The server also refuses
  // this token from now until it expires, across restarts (the catalog keeps it; see TokenDenyList).
  router.post_without_body("/auth/jwt/logout", [&context](Call& call) {
    context.auth.logout(call.token);
    call.response.status = 204;
  });

  router.get("/auth/me", [](Call& call) { send_json(call.response, 200, user_json(*call.user)); });
}

}  // namespace superstore::server
