// One client connection of the front (front.h), and the httplib::Stream through which httplib reads and
// answers one request on it. Private to the front.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <string>

#include "server/request_head.h"

namespace superstore::server {

using FrontClock = std::chrono::steady_clock;

struct Connection {
  enum class State {
    Head,       // in the loop: idle, or receiving a request head
    Body,       // in the loop: its head is complete, its small body still arriving
    Worker,     // with a worker, which answers one request; the loop does not touch it meanwhile
    Lingering,  // answered by the front and closing: what the client still sends is read and dropped
  };

  int fd = -1;
  std::string peer_ip;
  int peer_port = -1;
  std::string local_ip;
  int local_port = -1;
  bool counted = false;  // counts towards the per-client and total limits (not once refused)

  // Bytes received and not yet consumed by httplib: the request being read and any pipelined after it.
  // They stay with the connection from request to request, so nothing sent ahead is lost.
  std::string buffer;
  size_t head_scanned = 0;  // how far `buffer` was searched for the end of the head
  RequestHead head;         // once the head is complete

  State state = State::Head;
  FrontClock::time_point deadline;
  bool head_timer_started = false;  // the head deadline, rather than the keep-alive one, is running
  bool in_epoll = false;
  unsigned requests = 0;    // answered on this connection
  bool keep_alive = false;  // the worker's verdict after its request
  bool linger = false;      // when not kept alive: the client may still be sending (an unread body)
};

// Serves httplib's reads first from Connection::buffer, then from the socket, waiting at most
// `read_timeout` for each piece; writes wait at most `write_timeout` for the socket to take more. The socket
// is non-blocking (the loop's), so both wait with poll().
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(Connection& connection, std::chrono::milliseconds read_timeout,
                   std::chrono::milliseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  // All of `data`, waiting like write() for each piece; `more`: more bytes follow at once (MSG_MORE), so the kernel may
  // send them in one segment with what comes next. False once a write failed or timed out.
  bool write_all(const char* data, size_t size, bool more);
  // `size` bytes of the open file `file` from `offset`, waiting like write(), with sendfile(2): the kernel
  // hands the file's cached pages to the socket instead of copying them through user memory.
  bool send_file(int file, int64_t offset, size_t size);
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return connection_.fd; }

  // Bytes of this request httplib has read (head and body).
  size_t consumed() const { return consumed_; }
  // Whether a read or write failed or timed out: the connection cannot carry another request.
  bool failed() const { return failed_; }
  // Drops the consumed bytes from the connection's buffer, keeping those of a next request.
  void finish();

 private:
  bool wait_for(short events, std::chrono::milliseconds timeout) const;
  // One send(2) with `flags`, waiting at most write_timeout for the socket to take bytes.
  ssize_t send_some(const char* ptr, size_t size, int flags);

  Connection& connection_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  size_t position_ = 0;  // in connection_.buffer
  size_t consumed_ = 0;
  bool failed_ = false;
};

}  // namespace superstore::server
