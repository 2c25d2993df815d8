// The connection front of the HTTP server: accepts connections and owns them while they idle or send
// their request head, on one thread, so that slow, idle and keep-alive clients hold no worker thread.
// httplib still parses, routes and answers each request, but one at a time through process_request:
//
//  1. One loop thread (epoll) accepts connections and reads what they send into a buffer per connection,
//     until the head ("\r\n\r\n") is complete and, for a small body with a Content-Length, the body too.
//     A head that breaks the framing rules (request_head.h) is answered at once (400, 413, 501).
//  2. The connection then goes to a worker, which calls process_request once, reading from the buffer and
//     then the socket (ConnectionStream), so bytes of a pipelined next request stay with the connection.
//     A large or chunked body is read by the worker, after the route's checks, pausing at most
//     body_timeout.
//  3. The worker hands the connection back to the loop (keep-alive) or the loop closes it: when the client
//     or the answer said "Connection: close", a body was left unread, a read or write failed, or after
//     max_requests_per_connection requests.
//
// Deadlines, checked by the loop every 100 ms: the head within head_timeout (from the connection's start,
// or from the head's first byte on a kept-alive one; then 408 if any of it came, else a silent close), a
// small body within body_timeout of its head (408), and keep_alive_timeout for an idle connection (closed).
// Limits, checked at accept: beyond max_connections open connections the server answers 503, beyond
// max_connections_per_client from one IP address 429, both with Retry-After and the connection closed.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace superstore::server {

// httplib's server with the one member the front needs made public: process_request, which reads,
// routes and answers one request from any Stream.
class HttpCore : public httplib::Server {
 public:
  using httplib::Server::process_request;
  // httplib streams an answer from a content provider only while its own listening socket is open (it
  // takes a closed one for a shutdown in progress); the front owns the listening socket, so it says.
  void set_listening(bool listening) { svr_sock_ = listening ? 0 : INVALID_SOCKET; }
};

struct FrontLimits {
  std::chrono::milliseconds head_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds keep_alive_timeout{5'000};
  size_t max_connections = 10'000;
  size_t max_connections_per_client = 256;
  // httplib's default of 5 made a busy client reconnect every fifth request, which cost a quarter of the
  // requests/s of `SELECT 1` from one client (1,810 against 2,420 with 1,000); 100 is nginx's and Apache's
  // figure, and a client that keeps sending still lets its connection go now and then.
  unsigned max_requests_per_connection = 100;
  unsigned workers = 32;
};

// The stream of the request this thread is answering for a Front (a worker inside process_request), or null
// on any other thread. Reads of it take bytes of that request from the connection's buffer, then the
// socket, at most as many as asked: a streaming route reads a large body from it in pieces of its own size
// rather than httplib's 4 KiB ones (BodyStream), and what it leaves unread stays with the connection.
httplib::Stream* serving_stream();

// Writes `head`, then `size` bytes of the open file `file` from `offset`, then `tail` to `stream`, which
// must be serving_stream(); the file's bytes go by sendfile(2), without a copy through user memory. False
// when the client is gone or took nothing for the write timeout.
bool send_file_piece(httplib::Stream& stream, std::string_view head, int file, int64_t offset, size_t size,
                     std::string_view tail);

class Front {
 public:
  // `http` must outlive the Front and have its routes and hooks set before run().
  Front(HttpCore& http, FrontLimits limits);
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Called with every request before httplib routes it (httplib's setup_request).
  void set_request_hook(std::function<void(httplib::Request&)> hook);
  // The access log: called once per answer, httplib's and the front's own refusals alike (whose Request
  // holds only method and path, the method "-" when none was read).
  void set_logger(httplib::Logger logger);

  // Listens on host:port (port 0: a free one); returns the port, or -1 when the address cannot be bound.
  int bind(const std::string& host, int port);
  // Serves until stop(), then returns once the requests that workers hold have been answered (answers
  // streamed from a content provider, large downloads, are cut short, as httplib's own stop did).
  void run();
  // Safe from any thread, before or during run(); not async-signal-safe.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::server
