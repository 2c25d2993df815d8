// Route registration for the HTTP API. Each resource has one routes_<resource>.cpp that registers its
// handlers on a Router (see routes.h); the Router wraps every handler so that authentication and error
// mapping happen in exactly one place:
//
//  - Authentication: unless a route is registered as Access::Public, the server's pre-routing hook has
//    already required a valid bearer token of an existing, active user before the handler runs, and the
//    handler receives that user in Call::user. Unknown paths are not public either, so a forgotten route
//    can never be reached anonymously.
//  - Errors: a handler reports failure by throwing superstore::Error; the wrapper answers
//    {"error": message} with http_status(code). Error(Internal) and any other exception are bugs or
//    environment failures: they are logged and answered 500 {"error": "internal error"}, without details.
#pragma once

#include <httplib.h>

#include <functional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"

namespace superstore::server {

class Authenticator;

enum class Access {
  User,    // needs "Authorization: Bearer <token>" of an active user (the default)
  Public,  // anybody; only for /health and the login route
};

// One request as a handler sees it.
struct Call {
  const httplib::Request& request;  // request.matches holds the pattern's capture groups
  httplib::Response& response;
  const catalog::UserInfo* user;  // the caller, password_hash emptied; null only on Public routes
  std::string_view token;         // the caller's bearer token; empty on Public routes
};
using Handler = std::function<void(Call& call)>;

class Router {
 public:
  // Registers on `http`, authenticating with `auth`; both must outlive the Router.
  Router(httplib::Server& http, Authenticator& auth);

  // `pattern` is a regular expression over the whole path (httplib's syntax), e.g. R"(/table/(\d+))".
  // Public routes must be literal paths. Register everything before the server starts.
  void get(const std::string& pattern, Handler handler, Access access = Access::User);
  void post(const std::string& pattern, Handler handler, Access access = Access::User);
  void put(const std::string& pattern, Handler handler, Access access = Access::User);
  void del(const std::string& pattern, Handler handler, Access access = Access::User);
  // A POST route that takes no body, answered without waiting for one. httplib 0.11 waits for the body
  // of a POST without Content-Length until its read timeout and then answers 400, although such a
  // request has no body (RFC 9112, section 6.3) — and `curl -X POST URL` sends exactly that. A body sent
  // anyway is ignored, and the connection closed after the answer so its bytes are not taken for a request.
  void post_without_body(const std::string& pattern, Handler handler, Access access = Access::User);

  // For the server's pre-routing hook. Lets public routes and OPTIONS through; otherwise checks the bearer
  // token and either remembers the caller for the handler (returns true) or answers 401 (returns false).
  bool authorize(const httplib::Request& request, httplib::Response& response);

  // The methods registered for patterns that match `path`, sorted; empty for an unknown path. Serves
  // "405 Method Not Allowed" and its Allow header.
  std::vector<std::string> methods_for(const std::string& path) const;

  // Runs `body`, mapping what it throws to an error response as described above. Used by every handler
  // wrapper and by the server's hooks.
  static void guarded(const httplib::Request& request, httplib::Response& response, const std::function<void()>& body);
  // The response for an exception caught outside guarded() (httplib's own exception hook).
  static void answer_exception(const httplib::Request& request, httplib::Response& response,
                               const std::exception_ptr& error);

 private:
  void add(const std::string& method, const std::string& pattern, Handler handler, Access access,
           bool reads_body = true);

  httplib::Server& http_;
  Authenticator& auth_;
  std::set<std::pair<std::string, std::string>> public_routes_;  // (method, path)
  std::vector<std::pair<std::string, std::regex>> routes_;       // (method, pattern)
};

}  // namespace superstore::server
