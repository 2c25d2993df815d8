#include "server/server.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "common/error.h"
#include "common/log.h"
#include "common/parse_int.h"
#include "common/strings.h"
#include "server/content_coding.h"
#include "server/front.h"
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

FrontLimits front_limits(const Config& config, const ServerOptions& options) {
  FrontLimits limits;
  limits.head_timeout = config.request_head_timeout;
  limits.body_timeout = config.request_body_timeout;
  limits.keep_alive_timeout = config.keep_alive_timeout;
  limits.max_connections = static_cast<size_t>(config.max_connections);
  limits.max_connections_per_client = static_cast<size_t>(config.max_connections_per_client);
  limits.workers = options.worker_threads;
  if (limits.workers == 0) limits.workers = std::max(32u, 4 * std::thread::hardware_concurrency());
  return limits;
}

}  // namespace

Server::Server(ServerContext& context, ServerOptions options)
    : context_(context),
      options_(options),
      http_(std::make_unique<HttpCore>()),
      front_(std::make_unique<Front>(*http_, front_limits(context.config, options))),
      router_(std::make_unique<Router>(*http_, context.auth, options.max_body_bytes)) {
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

  // httplib would compress answers by the request's Accept-Encoding, slowly (content_coding.h).
  front_->set_request_hook(hide_accept_encoding);
  http_->set_post_routing_handler(compress_answer);

  front_->set_logger([](const Request& request, const Response& response) {
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
  port_ = front_->bind(config.host, config.port);
  if (port_ < 0) {
    fail(ErrorCode::Internal, "cannot listen on " + config.host + ":" + std::to_string(config.port) +
                                  " (not a local address, or the port is taken; set HOST and PORT)");
  }
  return port_;
}

void Server::run() {
  if (port_ < 0) fail(ErrorCode::Internal, "Server::run() called before bind()");
  front_->run();
}

void Server::stop() { front_->stop(); }

}  // namespace superstore::server
