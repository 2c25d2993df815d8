// The HTTP server of the API (cpp-httplib). One Server serves one ServerContext:
//
//  - Listens on config.host:config.port; port 0 picks a free port, which bind() returns.
//  - Runs requests on a pool of worker threads sized to the machine.
//  - Writes one access-log line per request (method, path without query, status, duration).
//  - Refuses bodies over ServerOptions::max_body_bytes with 413 and a JSON error.
//  - Answers CORS for config.cors_origins only, including OPTIONS preflight.
//  - Requires a bearer token on every route but GET /health and POST /auth/jwt/login (see router.h).
//  - Answers every error as {"error": ...}: unknown paths 404, known paths with a wrong method 405.
//
// Signals are not its business: `superstore serve` catches SIGINT/SIGTERM and calls stop().
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/server_context.h"

namespace httplib {
class Server;
}

namespace superstore::server {

class Router;

struct ServerOptions {
  size_t max_body_bytes = 8 * 1024 * 1024;
  // 0: four per core, but at least 32. An open keep-alive connection occupies a worker while it idles
  // (up to 5 s) and while it sends up to 100 requests in a row, and a browser alone keeps up to six; with
  // 8 workers, eight busy clients and one idle one already made a ninth wait over a second. Workers that
  // wait cost only memory, and queries beyond the cores share them anyway.
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
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<Router> router_;
  int port_ = -1;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};
};

}  // namespace superstore::server
