#include "server/front.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/log.h"
#include "server/connection.h"

namespace superstore::server {
namespace {

using namespace std::chrono_literals;

// Longer heads are answered 431; httplib's own limits (8 KiB a line) answer most long ones earlier.
constexpr size_t kMaxHeadBytes = 64 * 1024;
// A body with a Content-Length up to this size is awaited in the loop, so that a slow small body holds no
// worker; a larger or chunked one is read by a worker after the route's checks, straight into the route.
constexpr size_t kLoopBodyBytes = 64 * 1024;
constexpr size_t kReadPiece = 16 * 1024;
// A refused connection is read and its bytes dropped this long before it is closed: closing a socket
// with unread data sends a reset, which can destroy the answer before the client has read it.
constexpr auto kLingerTime = 2s;
constexpr size_t kMaxLingering = 1024;
constexpr auto kSweepInterval = 100ms;
// After accept() ran out of descriptors; the listening socket stays readable, so it is left alone a while.
constexpr auto kAcceptPause = 100ms;
// As httplib's own stream had: a client that takes no byte of its answer for this long loses it.
constexpr auto kWriteTimeout = 5s;

// Set by the logger wrapper on the worker that answered: whether the answer closes the connection.
thread_local bool t_answer_closes = false;
// The stream of the request this worker is answering (serving_stream()).
thread_local httplib::Stream* t_serving = nullptr;

// The epoll tags of the two descriptors that are not connections.
char listen_tag;
char wake_tag;

std::pair<std::string, int> numeric_endpoint(const sockaddr_storage& address, socklen_t length) {
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return {"", -1};
  }
  return {host, std::atoi(port)};
}

const char* reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    default:
      return "Service Unavailable";
  }
}

// An answer of the front itself: as the API's errors look, and closing the connection.
std::string front_answer(int status, std::string_view message) {
  // The message may quote the client's bytes (a Transfer-Encoding), which need not be UTF-8.
  const std::string body =
      nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string answer = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                       "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  if (status == 429 || status == 503) answer += "Retry-After: 1\r\n";
  return answer + "\r\n" + body;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// Connections need descriptors beyond the usual soft limit of 1,024; the hard limit is usually far higher.
void raise_open_file_limit(size_t connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(connections) + 1024;  // the warehouse's and DuckDB's files
  if (limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < wanted) {
    log::warn("MAX_CONNECTIONS is " + std::to_string(connections) + " but the open-file limit is " +
              std::to_string(limit.rlim_cur) + "; the server stops accepting for a moment whenever it runs out");
  }
}

}  // namespace

struct Front::Impl {
  Impl(HttpCore& core, FrontLimits front_limits) : http(core), limits(front_limits) {}

  HttpCore& http;
  FrontLimits limits;
  std::function<void(httplib::Request&)> hook;
  httplib::Logger logger;

  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stop_requested{false};

  // The loop's own: every open connection, and how many count towards the limits, by client address.
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections;
  std::unordered_map<std::string, size_t> per_client;
  size_t counted = 0;
  size_t lingering = 0;
  bool accept_paused = false;
  FrontClock::time_point accept_paused_until;
  FrontClock::time_point last_pause_warning;
  std::array<char, kReadPiece> piece{};

  // Shared with the workers. An idle worker waits on its own condition variable in `idle`, and the next
  // request goes to the one that went idle last: a few warm threads serve a steady load, instead of all of
  // them in turn, each with cold caches and a malloc arena of its own to fill (with every worker taking
  // turns, the server's resident memory under load came to 290 MiB instead of 80).
  struct IdleWorker {
    std::condition_variable wake;
    Connection* job = nullptr;
  };
  std::mutex mutex;
  std::vector<IdleWorker*> idle;
  std::deque<Connection*> work;  // requests that found no idle worker
  std::vector<Connection*> returned;
  bool workers_exit = false;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> workers;

  void wake() {
    const uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  }

  // Watches `c` for input; false when that failed and `c` is closed (and gone).
  bool watch(Connection& c) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.ptr = &c;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c.fd, &event) == 0) {
      c.in_epoll = true;
      return true;
    }
    close(c);
    return false;
  }

  void unwatch(Connection& c) {
    if (c.in_epoll) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    c.in_epoll = false;
  }

  void uncount(Connection& c) {
    if (!c.counted) return;
    c.counted = false;
    --counted;
    auto it = per_client.find(c.peer_ip);
    if (it != per_client.end() && --it->second == 0) per_client.erase(it);
  }

  void close(Connection& c) {
    if (c.state == Connection::State::Lingering) --lingering;
    uncount(c);
    unwatch(c);
    ::close(c.fd);
    connections.erase(&c);
  }

  void log_answer(std::string_view method, std::string_view target, int status) {
    if (!logger) return;
    httplib::Request request;
    request.method = method.empty() ? "-" : std::string(method);
    request.path = target.empty() ? "-" : std::string(target.substr(0, target.find('?')));
    httplib::Response response;
    response.status = status;
    logger(request, response);
  }

  // Answers `status` without httplib and closes the connection after a short linger.
  void refuse(Connection& c, int status, std::string_view message, std::string_view method, std::string_view target,
              FrontClock::time_point now) {
    log_answer(method, target, status);
    const std::string answer = front_answer(status, message);
    (void)::send(c.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    linger_and_close(c, now);
  }

  // Closes the connection once the client has read what was sent: sends the end of the stream now, drops
  // what the client still sends, and closes at its end or after kLingerTime.
  void linger_and_close(Connection& c, FrontClock::time_point now) {
    ::shutdown(c.fd, SHUT_WR);
    uncount(c);
    if (lingering >= kMaxLingering) {
      close(c);
      return;
    }
    ++lingering;
    c.state = Connection::State::Lingering;
    c.deadline = now + kLingerTime;
    std::string().swap(c.buffer);
    if (!c.in_epoll) (void)watch(c);
  }

  void pause_accepting(FrontClock::time_point now) {
    epoll_event event{};
    event.data.ptr = &listen_tag;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &event);
    accept_paused = true;
    accept_paused_until = now + kAcceptPause;
    if (now - last_pause_warning > 10s) {
      last_pause_warning = now;
      log::warn(std::string("cannot accept connections (") + std::strerror(errno) +
                "): too many open files; raise the open-file limit (ulimit -n) or lower MAX_CONNECTIONS");
    }
  }

  void resume_accepting() {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &listen_tag;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &event);
    accept_paused = false;
  }

  void accept_connections(FrontClock::time_point now) {
    for (;;) {
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) pause_accepting(now);
        return;
      }
      auto owned = std::make_unique<Connection>();
      Connection& c = *owned;
      connections.emplace(&c, std::move(owned));
      c.fd = fd;
      std::tie(c.peer_ip, c.peer_port) = numeric_endpoint(peer, length);
      sockaddr_storage local{};
      length = sizeof local;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
        std::tie(c.local_ip, c.local_port) = numeric_endpoint(local, length);
      }
      // Every answer leaves in two writes (headers, body); without this the second waits for a delayed ACK.
      const int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      if (counted >= limits.max_connections) {
        refuse(c, 503, "the server has too many open connections; try again shortly", "", "", now);
        continue;
      }
      size_t& from_client = per_client[c.peer_ip];
      if (from_client >= limits.max_connections_per_client) {
        refuse(c, 429,
               "too many open connections from your address (the limit is " +
                   std::to_string(limits.max_connections_per_client) + "); reuse or close some",
               "", "", now);
        continue;
      }
      ++from_client;
      ++counted;
      c.counted = true;
      c.deadline = now + limits.head_timeout;
      c.head_timer_started = true;
      (void)watch(c);
    }
  }

  void dispatch(Connection& c) {
    unwatch(c);
    c.state = Connection::State::Worker;
    std::lock_guard lock(mutex);
    if (idle.empty()) {
      work.push_back(&c);
      return;
    }
    IdleWorker* worker = idle.back();
    idle.pop_back();
    worker->job = &c;
    worker->wake.notify_one();
  }

  // Moves a connection on once its buffer has grown: to a worker when its request has arrived as far as
  // the loop waits for it, or to a refusal.
  void advance(Connection& c, FrontClock::time_point now) {
    if (c.state == Connection::State::Head) {
      const size_t end = find_head_end(c.buffer, c.head_scanned);
      if (end == std::string::npos) {
        c.head_scanned = c.buffer.size();
        if (c.buffer.size() > kMaxHeadBytes) {
          refuse(c, 431, "request head too large: its request line and headers may have at most 65536 bytes", "", "",
                 now);
        }
        return;
      }
      c.head_scanned = 0;
      c.head = parse_request_head(std::string_view(c.buffer).substr(0, end));
      if (c.head.refusal_status != 0) {
        refuse(c, c.head.refusal_status, c.head.refusal, c.head.method, c.head.target, now);
        return;
      }
      const uint64_t body = c.head.content_length.value_or(0);
      if (body > 0 && body <= kLoopBodyBytes && !c.head.expects_continue) {
        c.state = Connection::State::Body;
        c.deadline = now + limits.body_timeout;
      }
    }
    if (c.state == Connection::State::Body && c.buffer.size() < c.head.size + *c.head.content_length) return;
    dispatch(c);
  }

  void on_readable(Connection& c, FrontClock::time_point now) {
    if (c.state == Connection::State::Lingering) {
      for (;;) {
        const ssize_t n = ::recv(c.fd, piece.data(), piece.size(), 0);
        if (n > 0) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        close(c);
        return;
      }
    }
    const ssize_t n = ::recv(c.fd, piece.data(), piece.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {
      close(c);  // the client left (or reset) before its request was complete
      return;
    }
    c.buffer.append(piece.data(), static_cast<size_t>(n));
    if (c.state == Connection::State::Head && !c.head_timer_started) {
      c.head_timer_started = true;
      c.deadline = now + limits.head_timeout;
    }
    advance(c, now);
  }

  void expire(Connection& c, FrontClock::time_point now) {
    switch (c.state) {
      case Connection::State::Head:
        if (c.buffer.empty()) {
          close(c);  // idle: nothing was asked, so nothing is answered
        } else {
          refuse(c, 408, "request head not received within " + seconds_text(limits.head_timeout), "", "", now);
        }
        break;
      case Connection::State::Body:
        refuse(c, 408, "request body not received within " + seconds_text(limits.body_timeout), c.head.method,
               c.head.target, now);
        break;
      case Connection::State::Lingering:
        close(c);
        break;
      case Connection::State::Worker:
        break;
    }
  }

  void sweep(FrontClock::time_point now) {
    std::vector<Connection*> due;
    for (const auto& [c, owned] : connections) {
      if (c->state != Connection::State::Worker && c->deadline <= now) due.push_back(c);
    }
    for (Connection* c : due) expire(*c, now);
    if (accept_paused && now >= accept_paused_until) resume_accepting();
  }

  // Connections the workers are done with: closed, or watched again for their next request.
  void take_back(FrontClock::time_point now) {
    std::vector<Connection*> back;
    {
      std::lock_guard lock(mutex);
      back.swap(returned);
    }
    for (Connection* c : back) {
      if (!c->keep_alive) {
        if (c->linger) {
          linger_and_close(*c, now);
        } else {
          close(*c);
        }
        continue;
      }
      c->state = Connection::State::Head;
      c->head_scanned = 0;
      c->head_timer_started = !c->buffer.empty();
      c->deadline = now + (c->buffer.empty() ? limits.keep_alive_timeout : limits.head_timeout);
      if (watch(*c) && !c->buffer.empty()) advance(*c, now);
    }
  }

  void loop() {
    std::array<epoll_event, 256> events{};
    auto next_sweep = FrontClock::now() + kSweepInterval;
    while (!stop_requested.load()) {
      const auto until_sweep = std::chrono::ceil<std::chrono::milliseconds>(next_sweep - FrontClock::now());
      const int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()),
                                 static_cast<int>(std::max<int64_t>(until_sweep.count(), 0)));
      if (n < 0 && errno != EINTR) {
        log::error(std::string("the HTTP server's event loop failed: ") + std::strerror(errno));
        return;
      }
      const auto now = FrontClock::now();
      for (int i = 0; i < n; ++i) {
        void* tag = events[static_cast<size_t>(i)].data.ptr;
        if (tag == &listen_tag) {
          accept_connections(now);
        } else if (tag == &wake_tag) {
          uint64_t count;
          (void)!::read(wake_fd, &count, sizeof count);
        } else {
          on_readable(*static_cast<Connection*>(tag), now);
        }
      }
      take_back(now);
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + kSweepInterval;
      }
    }
  }

  // Runs one request of `c` through httplib and judges whether the connection can carry another.
  void serve(Connection& c) {
    ConnectionStream stream(c, limits.body_timeout, kWriteTimeout);
    const bool last = stopping.load() || c.requests + 1 >= limits.max_requests_per_connection;
    bool client_closes = false;
    bool answered = false;
    t_answer_closes = false;
    t_serving = &stream;
    try {
      answered = http.process_request(stream, last, client_closes, [this](httplib::Request& request) {
        // RFC 9112, section 6.3: a request with neither Content-Length nor Transfer-Encoding has no body;
        // httplib 0.11 would wait for one until its read timeout (POST, PUT and DELETE).
        if (!request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
          request.set_header("Content-Length", "0");
        }
        if (hook) hook(request);
      });
    } catch (const std::exception& e) {
      log::error(std::string("unexpected exception while serving a request: ") + e.what());
    } catch (...) {
      log::error("unexpected non-standard exception while serving a request");
    }
    t_serving = nullptr;
    ++c.requests;
    const bool body_unread =
        c.head.content_length && stream.consumed() < c.head.size + static_cast<size_t>(*c.head.content_length);
    c.keep_alive =
        answered && !last && !client_closes && !t_answer_closes && !body_unread && !stream.failed() && !stopping.load();
    // A request answered before its body was read (413, 401) leaves the client sending; closing at once
    // would reset the connection and could destroy the answer before the client has read it.
    c.linger = answered && !client_closes && !stream.failed();
    stream.finish();
  }

  void work_loop() {
    IdleWorker self;
    for (;;) {
      Connection* c = nullptr;
      {
        std::unique_lock lock(mutex);
        if (work.empty() && !workers_exit) {
          idle.push_back(&self);
          self.wake.wait(lock, [&] { return self.job != nullptr || workers_exit; });
          if (self.job == nullptr) std::erase(idle, &self);  // woken to exit
        }
        c = std::exchange(self.job, nullptr);
        if (c == nullptr && !work.empty()) {
          c = work.front();
          work.pop_front();
        }
        if (c == nullptr) return;  // exiting, and nothing is left to answer
      }
      serve(*c);
      {
        std::lock_guard lock(mutex);
        returned.push_back(c);
      }
      wake();
    }
  }

  // Makes the workers exit once they have answered what they hold and what is queued.
  void stop_workers() {
    {
      std::lock_guard lock(mutex);
      workers_exit = true;
      for (IdleWorker* worker : idle) worker->wake.notify_one();
    }
    for (std::thread& worker : workers) worker.join();
    workers.clear();
  }
};

httplib::Stream* serving_stream() { return t_serving; }

bool send_file_piece(httplib::Stream& stream, std::string_view head, int file, int64_t offset, size_t size,
                     std::string_view tail) {
  auto& connection = static_cast<ConnectionStream&>(stream);  // serving_stream() is always one
  return connection.write_all(head.data(), head.size(), true) && connection.send_file(file, offset, size) &&
         connection.write_all(tail.data(), tail.size(), false);
}

Front::Front(HttpCore& http, FrontLimits limits) : impl_(std::make_unique<Impl>(http, limits)) {
  Impl& s = *impl_;
  s.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  s.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s.epoll_fd < 0 || s.wake_fd < 0) throw std::system_error(errno, std::generic_category(), "epoll/eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &wake_tag;
  ::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.wake_fd, &event);
  // httplib still writes the Keep-Alive header of its answers from these.
  http.set_keep_alive_timeout(std::chrono::ceil<std::chrono::seconds>(limits.keep_alive_timeout).count());
  http.set_keep_alive_max_count(limits.max_requests_per_connection);
  http.set_logger([&s](const httplib::Request& request, const httplib::Response& response) {
    // An empty method: the request line did not parse, so where the next request starts is unknown.
    t_answer_closes = request.method.empty() || response.get_header_value("Connection") == "close";
    if (s.logger) s.logger(request, response);
  });
}

Front::~Front() {
  Impl& s = *impl_;
  for (auto& [c, owned] : s.connections) ::close(c->fd);
  if (s.listen_fd >= 0) ::close(s.listen_fd);
  ::close(s.wake_fd);
  ::close(s.epoll_fd);
}

void Front::set_request_hook(std::function<void(httplib::Request&)> hook) { impl_->hook = std::move(hook); }

void Front::set_logger(httplib::Logger logger) { impl_->logger = std::move(logger); }

int Front::bind(const std::string& host, int port) {
  Impl& s = *impl_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR allows a quick restart while old connections linger in TIME_WAIT; SO_REUSEPORT (httplib's
    // default) would let a second server bind the same port and silently share its traffic.
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return -1;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (s.listen_fd >= 0) ::close(s.listen_fd);
  s.listen_fd = fd;
  return numeric_endpoint(address, length).second;
}

void Front::run() {
  Impl& s = *impl_;
  if (s.listen_fd < 0) return;
  raise_open_file_limit(s.limits.max_connections);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &listen_tag;
  ::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.listen_fd, &event);
  for (unsigned i = 0; i < std::max(1u, s.limits.workers); ++i) s.workers.emplace_back([&s] { s.work_loop(); });

  s.http.set_listening(true);
  if (!s.stop_requested.load()) s.loop();

  // From here on the kernel refuses new connections.
  s.http.set_listening(false);
  ::close(s.listen_fd);
  s.listen_fd = -1;
  s.stopping.store(true);
  // What the loop holds has no request in progress, at most part of a head.
  std::vector<Connection*> idle;
  for (const auto& [c, owned] : s.connections) {
    if (c->state != Connection::State::Worker) idle.push_back(c);
  }
  for (Connection* c : idle) s.close(*c);
  // The workers answer what they hold and what is queued for them (with "Connection: close"), then exit.
  s.stop_workers();
  for (Connection* c : s.returned) s.close(*c);
  s.returned.clear();
}

void Front::stop() {
  impl_->stop_requested.store(true);
  impl_->wake();
}

}  // namespace superstore::server
