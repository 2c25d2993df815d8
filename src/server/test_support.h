// Helpers shared by the server tests: capturing the log, and ServerTest, a real server on an ephemeral
// 127.0.0.1 port with a real warehouse (and catalog) in a temporary DATA_DIR, for HTTP tests. Passwords are
// hashed with real argon2id at its minimum cost, to keep the suite fast.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/server.h"
#include "support/temp_folder.h"

namespace superstore::server {

// Sends everything written to stderr (file descriptor 2, where the log goes) to a file from construction
// until finish(), which restores stderr and returns what was written.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string finish();

 private:
  TempFolder dir_;
  int saved_fd_ = -1;
};

class ServerTest : public ::testing::Test {
 protected:
  static constexpr const char* kAllowedOrigin = "http://allowed.example";

  void SetUp() override;
  void TearDown() override;

  // Starts (or restarts, after stop_server) the server on the same DATA_DIR.
  void start_server();
  // Returns after in-flight requests have finished.
  void stop_server();

  httplib::Client client() const;
  // A user with this password, created straight in the catalog.
  catalog::UserInfo add_user(const std::string& email, const std::string& password);
  // POST /auth/jwt/login with a url-encoded form.
  httplib::Result login(const std::string& email, const std::string& password) const;
  // Logs in and returns the token; fails the test if login does not succeed.
  std::string token_for(const std::string& email, const std::string& password) const;
  httplib::Result get_with_token(const std::string& path, const std::string& token) const;
  httplib::Result post_with_token(const std::string& path, const std::string& body, const std::string& content_type,
                                  const std::string& token) const;
  // Sends `request` (raw HTTP, as is) on a new connection and returns everything the server answers until
  // it closes the connection or 10 s pass; the server may stop reading the request early.
  std::string raw_exchange(const std::string& request) const;
  // A new TCP connection to the server, as a socket the caller closes; -1 (and a test failure) when the
  // connection cannot be made.
  int connect_raw() const;

  static nlohmann::json body(const httplib::Result& result);

  TempFolder dir;
  Config config;
  AuthOptions auth_options;
  ServerOptions server_options;
  std::unique_ptr<storage::Warehouse> warehouse;
  catalog::Catalog* catalog = nullptr;  // warehouse->catalog()
  QueryLimits query_limits;
  std::unique_ptr<ServerContext> context;
  std::unique_ptr<Server> server;
  std::thread runner;
  int port = 0;
};

}  // namespace superstore::server
