// For tests only: a real S3-compatible server (Python's moto, `python3 -m moto.server`) on a free
// loopback port, started once per test program and stopped at exit. Tests that need it call
// MotoServer::shared() and skip with a message naming moto when it is missing.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>

namespace superstore {

// A port nobody listens on right now (the kernel picks it).
inline int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

inline bool loopback_port_answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

class MotoServer {
 public:
  // The shared server, or null with `why` set when moto cannot run here.
  static MotoServer* shared(std::string& why) {
    static std::string failure;
    static std::unique_ptr<MotoServer> server = [] {
      if (std::system("python3 -c 'import moto.server' >/dev/null 2>&1") != 0) {
        failure =
            "moto is missing: the S3 tests need Python's moto ('python3 -m moto.server'; pip install "
            "'moto[server]')";
        return std::unique_ptr<MotoServer>();
      }
      auto s = std::unique_ptr<MotoServer>(new MotoServer());
      if (!s->wait_until_up()) {
        failure = "moto did not start: 'python3 -m moto.server' gave no answer on port " + std::to_string(s->port_);
        return std::unique_ptr<MotoServer>();
      }
      return s;
    }();
    why = failure;
    return server.get();
  }

  ~MotoServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // A bucket name no other test of this run uses.
  static std::string fresh_bucket() {
    static std::atomic<int> next{0};
    static const std::string run = std::to_string(std::random_device{}() % 100000);
    return "ss-test-" + run + "-" + std::to_string(::getpid()) + "-" + std::to_string(next++);
  }

  // Switches moto's own credential checks on (every later request must be signed by a known IAM key,
  // which ours are not) or off again, through its control API.
  void require_known_credentials(bool on) const {
    const std::string body = on ? "0" : "inf";
    const std::string request =
        "POST /moto-api/reset-auth HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      std::abort();
    }
    char buffer[4096];
    while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
    }
    ::close(fd);
  }

 private:
  MotoServer() : port_(free_loopback_port()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a test program that crashed
      const std::string port = std::to_string(port_);
      // Quiet: the request log would drown the test output.
      std::freopen("/dev/null", "w", stderr);
      std::freopen("/dev/null", "w", stdout);
      ::execlp("python3", "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", port.c_str(), nullptr);
      std::_Exit(127);
    }
  }

  bool wait_until_up() const {
    for (int i = 0; i < 300; ++i) {
      if (loopback_port_answers(port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  int port_;
  pid_t pid_ = -1;
};

}  // namespace superstore
