#include "server/connection.h"

#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace superstore::server {
namespace {

// httplib reads a request's lines one byte at a time, so the socket is read in pieces of this size into
// the connection's buffer; reads at least this large go straight to httplib's memory.
constexpr size_t kRefillBytes = 16 * 1024;

int remaining_ms(FrontClock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - FrontClock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, INT32_MAX));
}

// Waits until `fd` has one of `events` (or an error) or `deadline` passes; false on the timeout.
bool poll_until(int fd, short events, FrontClock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

ConnectionStream::ConnectionStream(Connection& connection, std::chrono::milliseconds read_timeout,
                                   std::chrono::milliseconds write_timeout)
    : connection_(connection), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

bool ConnectionStream::wait_for(short events, std::chrono::milliseconds timeout) const {
  return poll_until(connection_.fd, events, FrontClock::now() + timeout);
}

bool ConnectionStream::is_readable() const {
  return position_ < connection_.buffer.size() || wait_for(POLLIN, read_timeout_);
}

bool ConnectionStream::is_writable() const {
  if (!wait_for(POLLOUT, write_timeout_)) return false;
  // As httplib's own stream does: a client whose end reads as closed has gone, and a download for it stops.
  pollfd p{connection_.fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return true;
  char byte;
  const ssize_t n = ::recv(connection_.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  std::string& buffer = connection_.buffer;
  if (position_ == buffer.size()) {
    if (failed_) return -1;
    const bool direct = size >= kRefillBytes;
    if (!direct) {
      buffer.clear();
      position_ = 0;
      buffer.resize(kRefillBytes);
    }
    char* into = direct ? ptr : buffer.data();
    const size_t room = direct ? size : kRefillBytes;
    const auto deadline = FrontClock::now() + read_timeout_;
    ssize_t n;
    for (;;) {
      n = ::recv(connection_.fd, into, room, 0);
      if (n >= 0 || errno == EINTR) {
        if (n >= 0) break;
        continue;
      }
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !poll_until(connection_.fd, POLLIN, deadline)) break;
    }
    if (!direct) buffer.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (n <= 0) {
      // End of stream, an error or the read timeout: this connection carries no further request.
      failed_ = true;
      return n == 0 ? 0 : -1;
    }
    if (direct) {
      consumed_ += static_cast<size_t>(n);
      return n;
    }
  }
  const size_t n = std::min(size, buffer.size() - position_);
  std::memcpy(ptr, buffer.data() + position_, n);
  position_ += n;
  consumed_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) { return send_some(ptr, size, 0); }

ssize_t ConnectionStream::send_some(const char* ptr, size_t size, int flags) {
  const auto deadline = FrontClock::now() + write_timeout_;
  for (;;) {
    const ssize_t n = ::send(connection_.fd, ptr, size, MSG_NOSIGNAL | flags);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !poll_until(connection_.fd, POLLOUT, deadline)) {
      failed_ = true;
      return -1;
    }
  }
}

bool ConnectionStream::write_all(const char* data, size_t size, bool more) {
  for (size_t at = 0; at < size;) {
    const ssize_t n = send_some(data + at, size - at, more ? MSG_MORE : 0);
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

bool ConnectionStream::send_file(int file, int64_t offset, size_t size) {
  auto deadline = FrontClock::now() + write_timeout_;
  off_t at = static_cast<off_t>(offset);
  for (size_t left = size; left > 0;) {
    const ssize_t n = ::sendfile(connection_.fd, file, &at, left);
    if (n > 0) {
      left -= static_cast<size_t>(n);
      deadline = FrontClock::now() + write_timeout_;  // as for write(): the time limit is per piece taken
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // 0: the file is shorter than the caller said; the answer cannot be completed.
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || !poll_until(connection_.fd, POLLOUT, deadline)) {
      failed_ = true;
      return false;
    }
  }
  return true;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = connection_.peer_ip;
  port = connection_.peer_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = connection_.local_ip;
  port = connection_.local_port;
}

void ConnectionStream::finish() {
  connection_.buffer.erase(0, position_);
  position_ = 0;
}

}  // namespace superstore::server
