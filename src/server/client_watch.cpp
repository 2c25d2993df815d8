#include "server/client_watch.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace superstore::server {
namespace {

struct Endpoint {
  std::string address;
  int port = -1;
  bool operator==(const Endpoint&) const = default;
};

std::optional<Endpoint> endpoint(const sockaddr_storage& address, socklen_t length) {
  // Other sockets of the process may be Unix sockets (stdout and stderr are, under Node or systemd's
  // journal), for which getnameinfo succeeds with a "port" that is a path, often empty.
  if (address.ss_family != AF_INET && address.ss_family != AF_INET6) return std::nullopt;
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return std::nullopt;
  }
  return Endpoint{host, std::atoi(port)};
}

// The socket whose local and remote ends are these, or -1.
int find_socket(const Endpoint& local, const Endpoint& remote) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    struct stat info {};
    if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) continue;
    if (endpoint(address, length) != remote) continue;
    length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) continue;
    if (endpoint(address, length) == local) return fd;
  }
  return -1;
}

class ClientProbe {
 public:
  explicit ClientProbe(const httplib::Request& request)
      : local_{request.local_addr, request.local_port}, remote_{request.remote_addr, request.remote_port} {}

  bool gone() {
    if (!searched_) {
      searched_ = true;
      fd_ = find_socket(local_, remote_);
    }
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL | POLLRDHUP)) return true;
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }

 private:
  Endpoint local_, remote_;
  bool searched_ = false;
  int fd_ = -1;
};

}  // namespace

std::function<bool()> client_gone_check(const httplib::Request& request) {
  auto probe = std::make_shared<ClientProbe>(request);
  return [probe] { return probe->gone(); };
}

}  // namespace superstore::server
