#include "server/router.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "common/error.h"
#include "common/log.h"
#include "common/parse_int.h"
#include "common/strings.h"
#include "server/auth/authenticator.h"
#include "server/front.h"
#include "server/http_json.h"
#include "server/request_log.h"

namespace superstore::server {
namespace {

// httplib runs the pre-routing hook and then the handler of one request on the same worker thread, with
// nothing in between, and its Request is const to both; a thread-local slot is how the hook hands the
// authenticated caller to the handler. authorize() resets it first, so no caller outlives its request.
struct Caller {
  std::optional<catalog::UserInfo> user;
  std::string token;
};
thread_local Caller t_caller;

// The token of "Authorization: Bearer <token>" (scheme in any case, as RFC 7235 says); empty if absent.
std::string_view bearer_token(const httplib::Request& request) {
  auto it = request.headers.find("Authorization");
  if (it == request.headers.end()) return {};
  std::string_view value = trim(it->second);
  size_t space = value.find(' ');
  if (space == std::string_view::npos || !iequals(value.substr(0, space), "Bearer")) return {};
  return trim(value.substr(space + 1));
}

bool has_body(const httplib::Request& request) {
  return request.has_header("Transfer-Encoding") ||
         (request.has_header("Content-Length") && request.get_header_value("Content-Length") != "0");
}

// What every route's wrapper does: takes the caller the pre-routing hook authenticated and runs `handler`
// for it inside guarded().
void run_for_caller(const httplib::Request& request, httplib::Response& response, Access access,
                    const std::function<void(Call&)>& handler) {
  Caller caller = std::exchange(t_caller, Caller{});
  Router::guarded(request, response, [&] {
    if (access == Access::User && !caller.user) {
      // Unreachable while the pre-routing hook is installed; refuse rather than run unauthenticated.
      fail(ErrorCode::Unauthenticated, "missing bearer token");
    }
    Call call{request, response, caller.user ? &*caller.user : nullptr, caller.token};
    handler(call);
  });
}

// httplib hands a body to its ContentReader 4 KiB at a time, each piece a read of the connection and a call
// through three std::functions. A body of known length, not content-coded, is instead read straight from
// the front's stream (serving_stream()) into a buffer of this size, and handed over a buffer at a time.
constexpr size_t kDirectPieceBytes = 1 << 20;

std::string too_large_message(size_t max_bytes) {
  return "request body too large: the limit is " + std::to_string(max_bytes) + " bytes";
}

}  // namespace

BodyStream::BodyStream(const httplib::Request& request, const httplib::ContentReader& reader, size_t max_bytes)
    : request_(request), reader_(reader), max_bytes_(max_bytes) {}

void BodyStream::read(const std::function<void(const char* data, size_t size)>& sink) {
  if (started_) fail(ErrorCode::Internal, "the request body can be read only once");
  started_ = true;
  if (request_.has_header("Content-Length")) {
    std::optional<int64_t> declared = parse_int64(request_.get_header_value("Content-Length"));
    if (declared && *declared >= 0 && static_cast<uint64_t>(*declared) > max_bytes_) {
      fail(ErrorCode::TooLarge, too_large_message(max_bytes_));
    }
  }
  // httplib would wait for a body that has neither length nor chunks until its read timeout.
  if (!has_body(request_)) {
    finished_ = true;
    return;
  }
  // A Content-Length the front let through is well formed; a coded body is left to httplib, which decodes it.
  httplib::Stream* raw = serving_stream();
  const std::optional<int64_t> length = parse_int64(request_.get_header_value("Content-Length"));
  if (raw != nullptr && length && *length > 0 && !request_.has_header("Transfer-Encoding") &&
      !request_.has_header("Content-Encoding")) {
    const size_t size = static_cast<size_t>(*length);  // at most max_bytes_, checked above
    auto piece = std::make_unique_for_overwrite<char[]>(std::min(size, kDirectPieceBytes));
    for (size_t left = size; left > 0;) {
      const size_t want = std::min(left, kDirectPieceBytes);
      for (size_t filled = 0; filled < want;) {
        const ssize_t n = raw->read(piece.get() + filled, want - filled);
        if (n <= 0) fail(ErrorCode::InvalidArgument, "the request body broke off or is malformed");
        filled += static_cast<size_t>(n);
      }
      sink(piece.get(), want);
      left -= want;
    }
    finished_ = true;
    return;
  }
  size_t total = 0;
  bool too_large = false;
  std::exception_ptr sink_error;
  const bool complete = reader_([&](const char* data, size_t size) {
    total += size;
    if (total > max_bytes_) {
      too_large = true;
      return false;
    }
    try {
      sink(data, size);
    } catch (...) {
      sink_error = std::current_exception();
      return false;
    }
    return true;
  });
  if (sink_error) std::rethrow_exception(sink_error);
  if (too_large) fail(ErrorCode::TooLarge, too_large_message(max_bytes_));
  if (!complete) fail(ErrorCode::InvalidArgument, "the request body broke off or is malformed");
  finished_ = true;
}

Router::Router(httplib::Server& http, Authenticator& auth, size_t max_body_bytes)
    : http_(http), auth_(auth), max_body_bytes_(max_body_bytes) {}

void Router::get(const std::string& pattern, Handler handler, Access access) {
  add("GET", pattern, std::move(handler), access);
}
void Router::post(const std::string& pattern, Handler handler, Access access) {
  add("POST", pattern, std::move(handler), access);
}
void Router::put(const std::string& pattern, Handler handler, Access access) {
  add("PUT", pattern, std::move(handler), access);
}
void Router::del(const std::string& pattern, Handler handler, Access access) {
  add("DELETE", pattern, std::move(handler), access);
}

void Router::post_without_body(const std::string& pattern, Handler handler, Access access) {
  add("POST", pattern, std::move(handler), access, false);
}

void Router::post_streaming(const std::string& pattern, StreamingHandler handler, size_t max_body_bytes,
                            Access access) {
  remember("POST", pattern, access);
  streaming_limits_.push_back({"POST", std::regex(pattern), max_body_bytes});
  http_.Post(pattern,
             [handler = std::move(handler), access, max_body_bytes](
                 const httplib::Request& request, httplib::Response& response, const httplib::ContentReader& reader) {
               BodyStream body(request, reader, max_body_bytes);
               run_for_caller(request, response, access, [&](Call& call) { handler(call, body); });
               if (!body.finished() && has_body(request)) response.set_header("Connection", "close");
             });
}

size_t Router::body_limit(const std::string& method, const std::string& path) const {
  for (const auto& limit : streaming_limits_) {
    if (limit.method == method && std::regex_match(path, limit.pattern)) return limit.max_bytes;
  }
  return max_body_bytes_;
}

const size_t Router::kFormBodyLimit = CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH;

size_t Router::body_limit(const httplib::Request& request) const {
  for (const auto& limit : streaming_limits_) {
    // A streaming route reads its body itself, so httplib's form limit never applies there.
    if (limit.method == request.method && std::regex_match(request.path, limit.pattern)) return limit.max_bytes;
  }
  // httplib tests the Content-Type the same way: the header starts with the form's media type.
  const bool form = request.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
  return form ? std::min(max_body_bytes_, kFormBodyLimit) : max_body_bytes_;
}

size_t Router::largest_body_limit() const {
  size_t largest = max_body_bytes_;
  for (const auto& limit : streaming_limits_) largest = std::max(largest, limit.max_bytes);
  return largest;
}

void Router::remember(const std::string& method, const std::string& pattern, Access access) {
  if (access == Access::Public) {
    // The hook compares public paths literally, while httplib matches the pattern as a regex; the two
    // agree only when the pattern has no regex syntax but an escaped dot ("/openapi\.json").
    std::string path;
    bool literal = true;
    for (size_t i = 0; i < pattern.size() && literal; ++i) {
      const char c = pattern[i];
      if (c == '\\' && i + 1 < pattern.size() && pattern[i + 1] == '.') {
        path += pattern[++i];
      } else {
        literal = std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-';
        path += c;
      }
    }
    if (!literal) fail(ErrorCode::Internal, "public route " + pattern + " must be a literal path");
    public_routes_.emplace(method, path);
  }
  routes_.emplace_back(method, std::regex(pattern));
  patterns_.emplace_back(method, pattern);
}

std::vector<std::pair<std::string, std::string>> Router::routes() const { return patterns_; }

void Router::add(const std::string& method, const std::string& pattern, Handler handler, Access access,
                 bool reads_body) {
  remember(method, pattern, access);
  httplib::Server::Handler wrapped = [handler = std::move(handler), access](const httplib::Request& request,
                                                                            httplib::Response& response) {
    run_for_caller(request, response, access, handler);
  };
  if (method == "POST" && !reads_body) {
    // httplib calls content-reader handlers before it reads the body, and this one never asks for it.
    http_.Post(pattern, [wrapped = std::move(wrapped)](const httplib::Request& request, httplib::Response& response,
                                                       const httplib::ContentReader&) {
      wrapped(request, response);
      if (has_body(request)) response.set_header("Connection", "close");
    });
  } else if (method == "GET")
    http_.Get(pattern, std::move(wrapped));
  else if (method == "POST")
    http_.Post(pattern, std::move(wrapped));
  else if (method == "PUT")
    http_.Put(pattern, std::move(wrapped));
  else if (method == "DELETE")
    http_.Delete(pattern, std::move(wrapped));
  else
    fail(ErrorCode::Internal, "unsupported method " + method);
}

bool Router::authorize(const httplib::Request& request, httplib::Response& response) {
  t_caller = Caller{};
  if (request.method == "OPTIONS") return true;
  std::string method = request.method == "HEAD" ? "GET" : request.method;
  if (public_routes_.contains({method, request.path})) return true;

  std::string_view token = bearer_token(request);
  if (token.empty()) {
    send_error(response, 401,
               "missing bearer token: log in with POST /auth/jwt/login and send \"Authorization: Bearer <token>\"");
    return false;
  }
  try {
    t_caller.user = auth_.authenticate(token);
    // No handler needs the hash, and one that serialised the whole user must not be able to leak it.
    t_caller.user->password_hash.clear();
    t_caller.token = std::string(token);
    return true;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Unauthenticated) throw;
    send_error(response, 401, e.what());
    return false;
  }
}

std::vector<std::string> Router::methods_for(const std::string& path) const {
  std::vector<std::string> methods;
  for (const auto& [method, pattern] : routes_) {
    if (std::regex_match(path, pattern)) methods.push_back(method);
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  return methods;
}

void Router::guarded(const httplib::Request& request, httplib::Response& response, const std::function<void()>& body) {
  try {
    body();
  } catch (...) {
    answer_exception(request, response, std::current_exception());
  }
}

void Router::answer_exception(const httplib::Request& request, httplib::Response& response,
                              const std::exception_ptr& error) {
  std::string where = loggable_path(request.method) + " " + loggable_path(request.path);
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    int status = http_status(e.code());
    if (e.code() == ErrorCode::InsufficientStorage) {
      // The operator must free space, and the client may try again later; the message names what was
      // being written and why it failed, nothing more.
      log::warn(where + ": " + e.what());
      send_error(response, status, e.what());
      return;
    }
    if (status < 500) {
      send_error(response, status, e.what());
      return;
    }
    log::error("internal error in " + where + ": " + e.what());
  } catch (const std::exception& e) {
    log::error("unexpected exception in " + where + ": " + e.what());
  } catch (...) {
    log::error("unexpected non-standard exception in " + where);
  }
  send_error(response, 500, "internal error");
}

}  // namespace superstore::server
