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

// The body of a streaming route (Router::post_streaming), read as it arrives instead of held in memory.
class BodyStream {
 public:
  BodyStream(const httplib::Request& request, const httplib::ContentReader& reader, size_t max_bytes);

  // Hands the body to `sink` piece by piece, once: a body of known length and no Content-Encoding in pieces
  // of a MiB (the last one smaller), read from the front's stream directly; others as httplib reads them
  // (4 KiB, decoded). Throws Error(TooLarge) when Content-Length says the body is over the route's limit
  // (before reading any of it) or when a chunked body grows past it, and Error(InvalidArgument) when the
  // body breaks off. Exceptions from `sink` pass through unchanged.
  void read(const std::function<void(const char* data, size_t size)>& sink);
  // Whether the whole body was read: otherwise the connection is closed after the answer, so that the
  // unread bytes are not taken for the next request.
  bool finished() const { return finished_; }
  size_t max_bytes() const { return max_bytes_; }

 private:
  const httplib::Request& request_;
  const httplib::ContentReader& reader_;
  size_t max_bytes_;
  bool started_ = false;
  bool finished_ = false;
};
using StreamingHandler = std::function<void(Call& call, BodyStream& body)>;

class Router {
 public:
  // Registers on `http`, authenticating with `auth`; both must outlive the Router. Bodies of all routes
  // but streaming ones may have at most `max_body_bytes` (see body_limit).
  Router(httplib::Server& http, Authenticator& auth, size_t max_body_bytes);

  // `pattern` is a regular expression over the whole path (httplib's syntax), e.g. R"(/table/(\d+))".
  // Public routes must be literal paths (a dot escaped: "/openapi\.json"). Register everything before the server
  // starts.
  void get(const std::string& pattern, Handler handler, Access access = Access::User);
  void post(const std::string& pattern, Handler handler, Access access = Access::User);
  void put(const std::string& pattern, Handler handler, Access access = Access::User);
  void del(const std::string& pattern, Handler handler, Access access = Access::User);
  // A POST route that takes no body, answered without waiting for one. httplib 0.11 waits for the body
  // of a POST without Content-Length until its read timeout and then answers 400, although such a
  // request has no body (RFC 9112, section 6.3) — and `curl -X POST URL` sends exactly that. A body sent
  // anyway is ignored, and the connection closed after the answer so its bytes are not taken for a request.
  void post_without_body(const std::string& pattern, Handler handler, Access access = Access::User);

  // A POST route whose handler reads the body itself, as it arrives, through BodyStream (uploads), with
  // its own limit `max_body_bytes` in place of the Router's. Authentication and errors as for any route.
  void post_streaming(const std::string& pattern, StreamingHandler handler, size_t max_body_bytes,
                      Access access = Access::User);

  // The largest body a request for `method path` may have: its streaming route's limit, or the Router's.
  // httplib 0.11 has a single limit for all routes (set_payload_max_length), which must then be the
  // largest of them (largest_body_limit); the server's pre-routing hook applies the smaller ones from
  // Content-Length before any byte of the body is read.
  size_t body_limit(const std::string& method, const std::string& path) const;
  // The same for a request, whose Content-Type matters too: httplib refuses a form body
  // (application/x-www-form-urlencoded) over kFormBodyLimit on every route whose body it reads, whatever
  // the limit above, so that is the limit such a request must hear of.
  size_t body_limit(const httplib::Request& request) const;
  size_t largest_body_limit() const;

  // httplib's own limit of form bodies (CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH, 8 KiB).
  static const size_t kFormBodyLimit;

  // For the server's pre-routing hook. Lets public routes and OPTIONS through; otherwise checks the bearer
  // token and either remembers the caller for the handler (returns true) or answers 401 (returns false).
  bool authorize(const httplib::Request& request, httplib::Response& response);

  // The methods registered for patterns that match `path`, sorted; empty for an unknown path. Serves
  // "405 Method Not Allowed" and its Allow header.
  std::vector<std::string> methods_for(const std::string& path) const;
  // Every route registered, as (method, pattern), in the order of registration (for the test that holds
  // docs/openapi.json to the routes).
  std::vector<std::pair<std::string, std::string>> routes() const;

  // Runs `body`, mapping what it throws to an error response as described above. Used by every handler
  // wrapper and by the server's hooks.
  static void guarded(const httplib::Request& request, httplib::Response& response, const std::function<void()>& body);
  // The response for an exception caught outside guarded() (httplib's own exception hook).
  static void answer_exception(const httplib::Request& request, httplib::Response& response,
                               const std::exception_ptr& error);

 private:
  void add(const std::string& method, const std::string& pattern, Handler handler, Access access,
           bool reads_body = true);
  void remember(const std::string& method, const std::string& pattern, Access access);

  httplib::Server& http_;
  Authenticator& auth_;
  std::set<std::pair<std::string, std::string>> public_routes_;  // (method, path)
  std::vector<std::pair<std::string, std::regex>> routes_;       // (method, pattern)
  std::vector<std::pair<std::string, std::string>> patterns_;    // the same, as registered
  size_t max_body_bytes_;
  struct Limit {
    std::string method;
    std::regex pattern;
    size_t max_bytes;
  };
  std::vector<Limit> streaming_limits_;
};

}  // namespace superstore::server
