#include "server/server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "common/error.h"
#include "common/log.h"
#include "common/parse_int.h"
#include "common/strings.h"
#include "server/http_json.h"
#include "server/request_log.h"
#include "server/router.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// Set by the pre-routing hook and read by the logger, both on the worker thread that handles the request.
// The logger clears it, so a request that never reached the hook (unparsable) logs "-" instead of a
// duration measured from some earlier request.
thread_local std::optional<std::chrono::steady_clock::time_point> t_request_start;

void register_all_routes(Router& router, ServerContext& context) {
  register_health_routes(router, context);
  register_auth_routes(router, context);
  register_database_routes(router, context);
  register_table_routes(router, context);
  register_table_rows_routes(router, context);
  register_table_history_routes(router, context);
  register_execute_routes(router, context);
  register_dev_routes(router, context);
  register_console_routes(router, context);
  register_openapi_routes(router, context);
}

bool has_body(const Request& request) {
  return request.has_header("Transfer-Encoding") ||
         (request.has_header("Content-Length") && request.get_header_value("Content-Length") != "0");
}

// Answers 413 when Content-Length is over the route's limit, before any of the body is read (httplib's
// own check uses the largest limit of all routes). A chunked body is limited by httplib only when read
// whole; streaming routes count it themselves (BodyStream).
bool refuse_large_body(const Request& request, Response& response, size_t limit) {
  if (!request.has_header("Content-Length")) return false;
  const std::optional<int64_t> declared = parse_int64(request.get_header_value("Content-Length"));
  if (!declared || *declared < 0 || static_cast<uint64_t>(*declared) <= limit) return false;
  send_error(response, 413, "request body too large: the limit is " + std::to_string(limit) + " bytes");
  return true;
}

// Adds the CORS answer for an allowed Origin. Browsers enforce CORS from these headers: without them a page
// from another origin may send a request but not read the answer. Returns whether the origin is allowed.
bool apply_cors(const Request& request, Response& response, const std::vector<std::string>& allowed_origins) {
  auto origin = request.headers.find("Origin");
  if (origin == request.headers.end()) return false;
  // Caches must not serve one origin's answer to another.
  response.set_header("Vary", "Origin");
  if (std::find(allowed_origins.begin(), allowed_origins.end(), origin->second) == allowed_origins.end()) return false;
  response.set_header("Access-Control-Allow-Origin", origin->second);
  response.set_header("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate");
  return true;
}

void answer_preflight(const Request& request, Response& response, bool origin_allowed) {
  response.status = 204;
  if (origin_allowed && request.has_header("Access-Control-Request-Method")) {
    response.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    response.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
    response.set_header("Access-Control-Max-Age", "600");
  }
}

std::string generic_error_message(int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request";
    case 414:
      return "request URI too long";
    case 416:
      return "requested range not satisfiable";
    default:
      return "request failed with HTTP status " + std::to_string(status);
  }
}

}  // namespace

Server::Server(ServerContext& context, ServerOptions options)
    : context_(context),
      options_(options),
      http_(std::make_unique<httplib::Server>()),
      router_(std::make_unique<Router>(*http_, context.auth, options.max_body_bytes)) {
  unsigned workers = options_.worker_threads;
  if (workers == 0) workers = std::max(32u, 4 * std::thread::hardware_concurrency());
  http_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and silently share
  // its traffic; SO_REUSEADDR alone still allows a quick restart while old connections linger in TIME_WAIT.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Without TCP_NODELAY a keep-alive client waits out its delayed ACK (40 ms on Linux) on every answer
  // that leaves in more than one write, the headers and then the body.
  http_->set_tcp_nodelay(true);
  // httplib closes a keep-alive connection after 5 requests by default, so a busy client reconnected (a
  // TCP handshake, and a request handed to another worker thread with cold caches) on every fifth; that
  // cost a quarter of the requests/s of `SELECT 1` from one client (1,810 against 2,420 with 1,000). 100
  // is nginx's and Apache's long-standing figure: a client that keeps sending still yields its worker
  // thread to waiting connections now and then.
  http_->set_keep_alive_max_count(100);
  // no-store: answers carry tokens and private data that no cache should keep.
  http_->set_default_headers({{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}});
  install_hooks();
  register_all_routes(*router_, context_);
  // httplib applies one limit to every route; the pre-routing hook keeps the smaller ones (body_limit).
  http_->set_payload_max_length(router_->largest_body_limit());
}

Server::~Server() { stop(); }

std::vector<std::pair<std::string, std::string>> Server::routes() const { return router_->routes(); }

void Server::install_hooks() {
  http_->set_pre_routing_handler([this](const Request& request, Response& response) {
    t_request_start = std::chrono::steady_clock::now();
    bool answered = true;  // stays true if the checks below throw: guarded() has then written the error
    Router::guarded(request, response, [&] {
      bool origin_allowed = apply_cors(request, response, context_.config.cors_origins);
      if (request.method == "OPTIONS") {
        answer_preflight(request, response, origin_allowed);
        return;
      }
      answered = !router_->authorize(request, response);
      if (!answered) answered = refuse_large_body(request, response, router_->body_limit(request));
    });
    if (!answered) return HandlerResponse::Unhandled;
    // The body of a request answered here was never read; closing the connection keeps those bytes from
    // being taken for the next request on it.
    if (has_body(request)) response.set_header("Connection", "close");
    return HandlerResponse::Handled;
  });

  // Fills in the JSON body of errors that httplib itself produced (no route, body too large, malformed
  // request); errors from handlers already carry one and pass unchanged.
  http_->set_error_handler(httplib::Server::HandlerWithResponse([this](const Request& request, Response& response) {
    if (!response.body.empty()) return HandlerResponse::Unhandled;
    std::string where = request.method + " " + loggable_path(request.path);
    if (response.status == 404) {
      std::vector<std::string> methods = router_->methods_for(request.path);
      if (!methods.empty()) {
        response.set_header("Allow", join(methods, ", "));
        send_error(response, 405, where + " is not supported; use " + join(methods, " or "));
      } else {
        send_error(response, 404, "no route for " + where);
      }
    } else if (response.status == 413) {
      send_error(response, 413,
                 "request body too large: the limit is " + std::to_string(router_->body_limit(request)) + " bytes");
    } else {
      send_error(response, response.status, generic_error_message(response.status));
    }
    return HandlerResponse::Handled;
  }));

  http_->set_exception_handler([](const Request& request, Response& response, const std::exception_ptr& error) {
    Router::answer_exception(request, response, error);
  });

  http_->set_logger([](const Request& request, const Response& response) {
    double ms = -1;
    if (t_request_start) {
      ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - *t_request_start).count();
      t_request_start.reset();
    }
    log::info(access_log_line(request.method, request.path, response.status, ms));
  });
}

int Server::bind() {
  const Config& config = context_.config;
  if (config.port == 0) {
    port_ = http_->bind_to_any_port(config.host);
  } else {
    port_ = http_->bind_to_port(config.host, config.port) ? config.port : -1;
  }
  if (port_ < 0) {
    fail(ErrorCode::Internal, "cannot listen on " + config.host + ":" + std::to_string(config.port) +
                                  " (not a local address, or the port is taken; set HOST and PORT)");
  }
  return port_;
}

void Server::run() {
  if (port_ < 0) fail(ErrorCode::Internal, "Server::run() called before bind()");
  // Pairs with stop(): whichever of the two flags the other side sees first, a stop is never lost.
  running_.store(true);
  if (!stop_requested_.load()) http_->listen_after_bind();
  running_.store(false);
}

void Server::stop() {
  stop_requested_.store(true);
  // httplib ignores stop() until its accept loop has marked itself running; wait out that short window
  // so a stop right after run() started is not lost.
  while (running_.load() && !http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http_->stop();
}

}  // namespace superstore::server
