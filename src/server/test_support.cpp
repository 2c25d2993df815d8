#include "server/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/log.h"

namespace superstore::server {

StderrCapture::StderrCapture() {
  std::fflush(stderr);
  saved_fd_ = ::dup(STDERR_FILENO);
  int fd = ::open((dir_.path() / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (saved_fd_ < 0 || fd < 0) throw std::runtime_error("cannot capture stderr");
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

StderrCapture::~StderrCapture() { (void)finish(); }

std::string StderrCapture::finish() {
  if (saved_fd_ < 0) return {};
  std::fflush(stderr);
  ::dup2(saved_fd_, STDERR_FILENO);
  ::close(saved_fd_);
  saved_fd_ = -1;
  std::ifstream in(dir_.path() / "stderr");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ServerTest::SetUp() {
  config.data_dir = dir.path() / "data";
  config.host = "127.0.0.1";
  config.port = 0;
  config.cors_origins = {kAllowedOrigin};
  auth_options.password_cost = PasswordCost::minimum_for_tests();
  auth_options.throttle.free_failures = 3;
  auth_options.throttle.first_lockout = std::chrono::seconds(60);
  std::filesystem::create_directories(config.data_dir);
  storage::WarehouseOptions warehouse_options;
  warehouse_options.data_dir = config.data_dir;
  warehouse_options.checkpoint_interval = config.checkpoint_interval;
  warehouse_options.vacuum_retention_ms = config.vacuum_retention_ms;
  warehouse_options.vacuum_min_retention_ms = config.vacuum_min_retention_ms;
  warehouse_options.threads = 2;
  warehouse = std::make_unique<storage::Warehouse>(warehouse_options);
  catalog = &warehouse->catalog();
  log::set_quiet(true);
  start_server();
}

void ServerTest::TearDown() {
  stop_server();
  log::set_quiet(false);
}

void ServerTest::start_server() {
  context = std::make_unique<ServerContext>(config, *warehouse, auth_options, query_limits);
  server = std::make_unique<Server>(*context, server_options);
  port = server->bind();
  runner = std::thread([this] { server->run(); });
}

void ServerTest::stop_server() {
  if (!server) return;
  server->stop();
  runner.join();
  server.reset();
  context.reset();
}

httplib::Client ServerTest::client() const {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(10);
  return c;
}

catalog::UserInfo ServerTest::add_user(const std::string& email, const std::string& password) {
  return catalog->create_user(email, context->auth.hasher().hash(password));
}

httplib::Result ServerTest::login(const std::string& email, const std::string& password) const {
  return client().Post("/auth/jwt/login", httplib::Params{{"username", email}, {"password", password}});
}

std::string ServerTest::token_for(const std::string& email, const std::string& password) const {
  httplib::Result result = login(email, password);
  EXPECT_TRUE(result);
  if (!result) return {};
  EXPECT_EQ(result->status, 200) << result->body;
  return body(result).value("access_token", "");
}

httplib::Result ServerTest::get_with_token(const std::string& path, const std::string& token) const {
  return client().Get(path, httplib::Headers{{"Authorization", "Bearer " + token}});
}

httplib::Result ServerTest::post_with_token(const std::string& path, const std::string& body,
                                            const std::string& content_type, const std::string& token) const {
  return client().Post(path, httplib::Headers{{"Authorization", "Bearer " + token}}, body, content_type);
}

int ServerTest::connect_raw() const {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(sock, 0);
  if (sock < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
    ::close(sock);
    return -1;
  }
  return sock;
}

std::string ServerTest::raw_exchange(const std::string& request) const {
  const int sock = connect_raw();
  if (sock < 0) return {};
  timeval timeout{10, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  // A server that answers early and closes makes the rest of the send fail; the answer is still there.
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(sock, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(sock, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  ::close(sock);
  return answer;
}

nlohmann::json ServerTest::body(const httplib::Result& result) {
  if (!result) return nullptr;
  return nlohmann::json::parse(result->body, nullptr, false);
}

}  // namespace superstore::server
