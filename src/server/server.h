// The HTTP server of the API (cpp-httplib behind our own connection front). One Server serves one
// ServerContext:
//
//  - Listens on config.host:config.port; port 0 picks a free port, which bind() returns.
//  - Holds idle and slow connections on one event-loop thread and runs each request, once its head has
//    arrived, on a pool of worker threads (front.h), within the deadlines and connection limits of Config.
//  - Compresses answers only where that is cheap (content_coding.h).
//  - Writes one access-log line per request (method, path without query, status, duration).
//  - Refuses bodies over ServerOptions::max_body_bytes with 413 and a JSON error.
//  - Answers CORS for config.cors_origins only, including OPTIONS preflight.
//  - Requires a bearer token on every route but GET /health and POST /auth/jwt/login (see router.h).
//  - Answers every error as {"error": ...}: unknown paths 404, known paths with a wrong method 405.
//
// Signals are not its business: `superstore serve` catches SIGINT/SIGTERM and calls stop().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/server_context.h"

namespace superstore::server {

class Front;
class HttpCore;
class Router;

struct ServerOptions {
  size_t max_body_bytes = 8 * 1024 * 1024;
  // 0: four per core, but at least 32. A worker holds a connection only while it answers one request
  // (idle and slow connections wait in the front's event loop), but that may be a query of seconds, an
  // upload or a download to a slow client; workers that wait cost only memory, and queries beyond the
  // cores share them anyway.
  unsigned worker_threads = 0;
};

class Server {
 public:
  // Registers every route (routes.h). `context` must outlive the Server.
  explicit Server(ServerContext& context, ServerOptions options = {});
  // Stops the server; the thread that called run() must have returned (joined) before destruction.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket and returns its port. Throws Error(Internal) naming host and port when the
  // address is invalid or taken.
  int bind();
  // Serves until stop(), then returns once in-flight requests have finished. Call bind() first.
  void run();
  // Makes run() stop accepting connections and return after the requests in progress are answered. Safe
  // from any thread and before run() has started (run() then returns at once); not async-signal-safe.
  void stop();

  int port() const { return port_; }
  // Every registered route as (method, pattern); see Router::routes.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  void install_hooks();

  ServerContext& context_;
  ServerOptions options_;
  std::unique_ptr<HttpCore> http_;
  std::unique_ptr<Front> front_;
  std::unique_ptr<Router> router_;
  int port_ = -1;
};

}  // namespace superstore::server
