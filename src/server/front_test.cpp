// The connection front (front.h) over real loopback sockets: slow and idle clients hold no worker, the
// deadlines and connection limits answer as documented, broken framing is refused at once, and pipelined
// requests are all answered.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server/test_support.h"

namespace superstore::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

void send_all(int sock, const std::string& text) {
  for (size_t sent = 0; sent < text.size();) {
    const ssize_t n = ::send(sock, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

struct Received {
  std::string bytes;
  bool closed = false;  // the server closed (or reset) the connection, rather than the time running out
};

// Everything the server sends until it closes the connection, or until `timeout` passes without a byte.
Received receive_until_close(int sock, std::chrono::milliseconds timeout = 5s) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  Received received;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(sock, buffer, sizeof buffer, 0);
    if (n > 0) {
      received.bytes.append(buffer, static_cast<size_t>(n));
      continue;
    }
    received.closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    return received;
  }
}

// Reads until `answer` holds `marker` (the end of an expected body); false if the connection ended first.
bool read_until(int sock, const std::string& marker, std::string& answer) {
  timeval tv{5, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buffer[4096];
  while (answer.find(marker) == std::string::npos) {
    const ssize_t n = ::recv(sock, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    answer.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

// Whether the server closes the connection within `within` without sending anything.
bool closed_by_server(int sock, std::chrono::milliseconds within) {
  const Received received = receive_until_close(sock, within);
  return received.closed && received.bytes.empty();
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// Raises this process's open-file limit towards `wanted` and returns the limit it has then.
size_t allow_open_files(size_t wanted) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

constexpr const char* kHealth = "GET /health HTTP/1.1\r\nHost: a\r\n\r\n";
constexpr const char* kHealthBody = "{\"status\":\"ok\"}";

TEST_F(ServerTest, AThousandSlowConnectionsDoNotStallHealth) {
  // Each slow connection takes a descriptor on both ends, in this one process.
  const size_t allowed = allow_open_files(2 * 1000 + 256);
  const size_t slow_count = std::min<size_t>(1000, (allowed - 256) / 2);
  stop_server();
  config.max_connections_per_client = 100'000;
  server_options.worker_threads = 4;  // far fewer than the slow clients
  start_server();
  std::vector<int> slow;
  for (size_t i = 0; i < slow_count; ++i) {
    const int sock = connect_raw();
    ASSERT_GE(sock, 0);
    slow.push_back(sock);
    send_all(sock, "GET /health HTTP/1.1\r\nHost: a\r\n");
  }
  std::atomic<bool> done{false};
  std::thread trickler([&] {
    while (!done.load()) {
      for (int sock : slow) (void)::send(sock, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(250ms);
    }
  });
  Clock::duration slowest{};
  for (int i = 0; i < 20; ++i) {
    const auto started = Clock::now();
    auto r = client().Get("/health");
    slowest = std::max(slowest, Clock::now() - started);
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    std::this_thread::sleep_for(50ms);
  }
  done.store(true);
  trickler.join();
  // A generous bound, so that a busy machine does not fail it; bench/front_bench.cpp measures the p99.
  EXPECT_LT(slowest, 1s) << std::chrono::duration<double, std::milli>(slowest).count() << " ms";

  // None of them was dropped: each finishes its head now and is answered.
  for (int sock : slow) send_all(sock, "\r\n");
  size_t answered = 0;
  for (int sock : slow) {
    std::string answer;
    answered += read_until(sock, kHealthBody, answer) && answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0;
    ::close(sock);
  }
  EXPECT_EQ(answered, slow_count);
}

TEST_F(ServerTest, IdleKeptAliveConnectionsHoldNoWorker) {
  stop_server();
  server_options.worker_threads = 2;
  start_server();
  std::vector<int> idle;
  for (int i = 0; i < 16; ++i) {
    const int sock = connect_raw();
    ASSERT_GE(sock, 0);
    send_all(sock, kHealth);
    std::string answer;
    ASSERT_TRUE(read_until(sock, kHealthBody, answer));
    idle.push_back(sock);
  }
  httplib::Client fresh = client();
  fresh.set_read_timeout(1, 0);
  const auto started = Clock::now();
  auto r = fresh.Get("/health");
  ASSERT_TRUE(r) << "a new client was not answered while 16 kept-alive connections idled on 2 workers";
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(Clock::now() - started, 1s);
  // And the idle ones still serve their next request.
  for (int sock : idle) {
    send_all(sock, kHealth);
    std::string answer;
    EXPECT_TRUE(read_until(sock, kHealthBody, answer));
    ::close(sock);
  }
}

TEST_F(ServerTest, TheHeadDeadlineAnswers408ToATricklerAndClosesASilentConnection) {
  stop_server();
  config.request_head_timeout = 500ms;
  start_server();
  const int sock = connect_raw();
  ASSERT_GE(sock, 0);
  const auto started = Clock::now();
  send_all(sock, "GET /health HTTP/1.1\r\n");
  std::string answer;
  while (Clock::now() - started < 5s) {
    (void)::send(sock, "X", 1, MSG_NOSIGNAL);
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      answer = receive_until_close(sock).bytes;
      break;
    }
  }
  const auto elapsed = Clock::now() - started;
  ::close(sock);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("{\"error\":\"request head not received within 500 ms\"}"), std::string::npos) << answer;
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 2s);

  const int quiet = connect_raw();
  ASSERT_GE(quiet, 0);
  const auto opened = Clock::now();
  EXPECT_TRUE(closed_by_server(quiet, 3s));
  EXPECT_LT(Clock::now() - opened, 2s);
  ::close(quiet);
}

TEST_F(ServerTest, AnIdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeout) {
  stop_server();
  config.keep_alive_timeout = 500ms;
  start_server();
  const int sock = connect_raw();
  ASSERT_GE(sock, 0);
  send_all(sock, kHealth);
  std::string answer;
  ASSERT_TRUE(read_until(sock, kHealthBody, answer));
  EXPECT_NE(answer.find("Keep-Alive: timeout=1, max=100\r\n"), std::string::npos) << answer;
  const auto idle_since = Clock::now();
  EXPECT_TRUE(closed_by_server(sock, 3s));
  EXPECT_GE(Clock::now() - idle_since, 450ms);
  EXPECT_LT(Clock::now() - idle_since, 2s);
  ::close(sock);
}

TEST_F(ServerTest, ASmallBodyThatStallsIsAnswered408) {
  stop_server();
  config.request_body_timeout = 500ms;
  start_server();
  const auto started = Clock::now();
  const std::string answer = raw_exchange(
      "POST /auth/jwt/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 100\r\n\r\nusername=a");
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("request body not received within 500 ms"), std::string::npos) << answer;
  EXPECT_LT(Clock::now() - started, 2s);
}

TEST_F(ServerTest, ConnectionsBeyondThePerClientLimitAre429AndBeyondTheTotal503) {
  stop_server();
  config.max_connections_per_client = 3;
  start_server();
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(connect_raw());
  const std::string refused = raw_exchange(kHealth);
  EXPECT_EQ(refused.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
  EXPECT_NE(refused.find("too many open connections from your address (the limit is 3)"), std::string::npos);
  // Once one closes, there is room again (the server notices the close at once).
  ::close(held.back());
  held.pop_back();
  std::string answer;
  for (int attempt = 0; attempt < 20 && answer.find(kHealthBody) == std::string::npos; ++attempt) {
    std::this_thread::sleep_for(20ms);
    answer = raw_exchange("GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  for (int sock : held) ::close(sock);

  stop_server();
  config.max_connections = 2;
  start_server();
  held = {connect_raw(), connect_raw()};
  const std::string full = raw_exchange(kHealth);
  EXPECT_EQ(full.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << full;
  EXPECT_NE(full.find("too many open connections"), std::string::npos) << full;
  for (int sock : held) ::close(sock);
}

TEST_F(ServerTest, MalformedFramingIsAnsweredAtOnce) {
  struct Case {
    std::string headers;
    std::string status_line;
  };
  const std::vector<Case> cases = {
      {"Content-Length: -5\r\n", "HTTP/1.1 400 Bad Request\r\n"},
      {"Content-Length: abc\r\n", "HTTP/1.1 400 Bad Request\r\n"},
      {"Content-Length: 5\r\nContent-Length: 6\r\n", "HTTP/1.1 400 Bad Request\r\n"},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "HTTP/1.1 400 Bad Request\r\n"},
      {"Content-Length: 99999999999999999999\r\n", "HTTP/1.1 413 Payload Too Large\r\n"},
      {"Transfer-Encoding: gzip\r\n", "HTTP/1.1 501 Not Implemented\r\n"},
      {"Transfer-Encoding: \xff\xfe\r\n", "HTTP/1.1 501 Not Implemented\r\n"},  // quoted, and not UTF-8
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.headers);
    const auto started = Clock::now();
    const std::string answer = raw_exchange("POST /auth/jwt/login HTTP/1.1\r\nHost: a\r\n" + c.headers + "\r\nxyz");
    EXPECT_LT(Clock::now() - started, 1s);
    EXPECT_EQ(answer.rfind(c.status_line, 0), 0u) << answer;
    EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos) << answer;
    EXPECT_NE(answer.find("{\"error\":"), std::string::npos) << answer;
  }
}

TEST_F(ServerTest, ARequestWithoutLengthHasNoBodyAndIsAnsweredAtOnce) {
  const int sock = connect_raw();
  ASSERT_GE(sock, 0);
  const auto started = Clock::now();
  send_all(sock, "POST /auth/jwt/login HTTP/1.1\r\nHost: a\r\n\r\n");  // and the connection stays open
  std::string answer;
  EXPECT_TRUE(read_until(sock, "\r\n\r\n", answer));
  EXPECT_LT(Clock::now() - started, 1s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 4", 0), 0u) << answer;
  EXPECT_EQ(answer.find("408"), std::string::npos) << answer;
  ::close(sock);
}

TEST_F(ServerTest, PipelinedRequestsAreAllAnsweredInOrder) {
  const std::string form = "username=nobody%40example.com&password=wrong";
  const std::string answer = raw_exchange(
      "POST /auth/jwt/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: " +
      std::to_string(form.size()) + "\r\n\r\n" + form + kHealth +
      "GET /no/such/route HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(count_of(answer, "HTTP/1.1 "), 4u) << answer;
  const size_t login = answer.find("HTTP/1.1 401 ");
  const size_t health = answer.find("HTTP/1.1 200 ");
  const size_t unknown = answer.find("HTTP/1.1 401 ", login + 1);  // unknown paths need a token too
  const size_t last = answer.rfind("HTTP/1.1 200 ");
  EXPECT_EQ(login, 0u) << answer;
  EXPECT_LT(login, health);
  EXPECT_LT(health, unknown);
  EXPECT_LT(unknown, last);
  EXPECT_NE(unknown, std::string::npos) << answer;
}

TEST_F(ServerTest, StopClosesIdleConnectionsAtOnce) {
  const int sock = connect_raw();
  ASSERT_GE(sock, 0);
  send_all(sock, kHealth);
  std::string answer;
  ASSERT_TRUE(read_until(sock, kHealthBody, answer));
  const int silent = connect_raw();
  ASSERT_GE(silent, 0);
  std::this_thread::sleep_for(50ms);  // let the loop take both in
  const auto started = Clock::now();
  stop_server();
  EXPECT_LT(Clock::now() - started, 1s);
  EXPECT_TRUE(closed_by_server(sock, 1s));
  EXPECT_TRUE(closed_by_server(silent, 1s));
  ::close(sock);
  ::close(silent);
}

}  // namespace
}  // namespace superstore::server
