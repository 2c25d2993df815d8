// For tests only: a loopback HTTP proxy in front of a server that fails chosen requests, to test retries
// against real faults: an HTTP 500, a connection dropped before the request reaches the server, or one
// dropped after the server acted but before its answer arrives. One request a connection; the upstream
// must close its connections after each answer (moto's server does).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace superstore {

enum class Fault { None, Answer500, DropBeforeServer, DropAfterServer };

class FaultProxy {
 public:
  // `fault(n, request_line)` decides the fate of the n-th request (0-based).
  FaultProxy(int upstream_port, std::function<Fault(int, const std::string&)> fault)
      : upstream_port_(upstream_port), fault_(std::move(fault)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 64);
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FaultProxy() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : workers_) t.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return count_; }
  int faults() const { return faults_; }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    return address;
  }

  void accept_loop() {
    while (!stopping_) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      std::lock_guard lock(mutex_);
      workers_.emplace_back([this, client] {
        serve(client);
        ::close(client);
      });
    }
  }

  // The whole request: head, then Content-Length bytes of body; "" if the client went away.
  static std::string read_request(int fd) {
    std::string data;
    char buffer[65536];
    size_t head_end = std::string::npos;
    size_t wanted = 0;
    while (head_end == std::string::npos || data.size() < wanted) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return {};
      data.append(buffer, static_cast<size_t>(n));
      if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        size_t length = 0;
        std::string head = data.substr(0, head_end);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
          length = std::stoull(head.substr(at + 17));
        }
        wanted = head_end + 4 + length;
      }
    }
    return data;
  }

  static void send_all(int fd, const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  void serve(int client) {
    const std::string request = read_request(client);
    if (request.empty()) return;
    const Fault fault = fault_(count_++, request.substr(0, request.find("\r\n")));
    if (fault != Fault::None) ++faults_;
    if (fault == Fault::DropBeforeServer) return;
    if (fault == Fault::Answer500) {
      const std::string body = "<Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>";
      send_all(client, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body);
      return;
    }
    int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(upstream_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(upstream);
      return;
    }
    send_all(upstream, request);
    std::string answer;
    char buffer[65536];
    for (ssize_t n; (n = ::recv(upstream, buffer, sizeof buffer, 0)) > 0;)
      answer.append(buffer, static_cast<size_t>(n));
    ::close(upstream);
    if (fault == Fault::DropAfterServer) return;
    send_all(client, answer);
  }

  int upstream_port_;
  std::function<Fault(int, const std::string&)> fault_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> count_{0}, faults_{0};
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace superstore
