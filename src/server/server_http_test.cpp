// The HTTP scaffolding: health, error shapes, limits, CORS, access log, lifecycle.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <vector>

#include "common/error.h"
#include "common/log.h"
#include "server/router.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;

TEST_F(ServerTest, BindsAnEphemeralPort) { EXPECT_GT(port, 0); }

TEST_F(ServerTest, HealthNeedsNoToken) {
  auto r = client().Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(body(r), json({{"status", "ok"}}));
}

TEST_F(ServerTest, UnknownRouteIs404JsonForAUserAnd401ForAnybodyElse) {
  add_user("a@example.com", "pw-a");
  std::string token = token_for("a@example.com", "pw-a");
  auto r = get_with_token("/no/such/route?x=1", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body(r), json({{"error", "no route for GET /no/such/route"}}));

  // Unknown paths are not public: nothing about the route table leaks without a token.
  auto anonymous = client().Get("/no/such/route");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(ServerTest, WrongMethodOnAKnownPathIs405WithAllow) {
  add_user("a@example.com", "pw-a");
  std::string token = token_for("a@example.com", "pw-a");
  auto r = get_with_token("/auth/jwt/login", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  EXPECT_TRUE(body(r)["error"].is_string());
}

TEST_F(ServerTest, BodyOverTheLimitIs413Json) {
  stop_server();
  server_options.max_body_bytes = 1024;
  start_server();
  std::string big = "username=a%40example.com&password=" + std::string(2000, 'x');
  auto r = client().Post("/auth/jwt/login", big, "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body(r), json({{"error", "request body too large: the limit is 1024 bytes"}}));

  // A body under the limit still goes through.
  auto small =
      client().Post("/auth/jwt/login", "username=a%40example.com&password=x", "application/x-www-form-urlencoded");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 401);
}

TEST_F(ServerTest, CorsPreflightForAnAllowedOrigin) {
  auto r = client().Options("/auth/me", {{"Origin", kAllowedOrigin},
                                         {"Access-Control-Request-Method", "GET"},
                                         {"Access-Control-Request-Headers", "authorization"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Headers").find("Content-Type"), std::string::npos);
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_EQ(r->get_header_value("Vary"), "Origin");
}

TEST_F(ServerTest, CorsPreflightForAnotherOriginGetsNoCorsHeaders) {
  auto r = client().Options("/auth/me", {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Methods"));
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Headers"));
}

TEST_F(ServerTest, CorsHeadersOnOrdinaryAnswersOnlyForAllowedOrigins) {
  auto allowed = client().Get("/health", {{"Origin", kAllowedOrigin}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->get_header_value("Access-Control-Allow-Origin"), kAllowedOrigin);
  // Error answers carry them too, so a page can read why it was refused.
  auto refused = client().Get("/auth/me", {{"Origin", kAllowedOrigin}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->get_header_value("Access-Control-Allow-Origin"), kAllowedOrigin);

  auto other = client().Get("/health", {{"Origin", "http://allowed.example.evil"}});
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  auto none = client().Get("/health");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_header("Access-Control-Allow-Origin"));
}

TEST_F(ServerTest, AccessLogHasOneLinePerRequestAndNoSecrets) {
  add_user("ada@example.com", "hunter2-secret");
  log::set_quiet(false);
  StderrCapture capture;
  std::string token = token_for("ada@example.com", "hunter2-secret");
  ASSERT_FALSE(token.empty());
  auto me = get_with_token("/auth/me?secret_query=1", token);
  auto health = client().Get("/health");
  auto bad = login("ada@example.com", "wrong-password-value");
  stop_server();  // joins the workers, so every line is written
  std::string log_text = capture.finish();

  EXPECT_NE(log_text.find("POST /auth/jwt/login 200 "), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("GET /auth/me 200 "), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("GET /health 200 "), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("POST /auth/jwt/login 401 "), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("ms\n"), std::string::npos) << log_text;
  for (const std::string& secret :
       {token, token.substr(token.rfind('.') + 1), std::string("hunter2-secret"), std::string("wrong-password-value"),
        std::string("secret_query"), std::string("Bearer")}) {
    EXPECT_EQ(log_text.find(secret), std::string::npos) << "log contains " << secret << ":\n" << log_text;
  }
  size_t lines = std::count(log_text.begin(), log_text.end(), '\n');
  EXPECT_EQ(lines, 4u) << log_text;
}

TEST_F(ServerTest, RejectedRequestWithAnUnreadBodyDoesNotPoisonAKeptAliveConnection) {
  httplib::Client c = client();
  c.set_keep_alive(true);
  auto refused = c.Post("/auth/jwt/logout", std::string(5000, '{'), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto next = c.Get("/health");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(body(next), json({{"status", "ok"}}));
}

TEST_F(ServerTest, AKeptAliveConnectionServesManyRequests) {
  // A raw socket, so that a connection the server closes is seen instead of silently reopened.
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(::send(sock, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::string answer;
    char buffer[4096];
    while (answer.find("{\"status\":\"ok\"}") == std::string::npos) {
      ssize_t n = ::recv(sock, buffer, sizeof buffer, 0);
      ASSERT_GT(n, 0) << "the server closed the connection after " << i << " requests";
      answer.append(buffer, static_cast<size_t>(n));
    }
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
    EXPECT_EQ(answer.find("Connection: close"), std::string::npos) << "request " << i << ": " << answer;
  }
  ::close(sock);
}

TEST_F(ServerTest, IdleKeptAliveConnectionsDoNotMakeANewClientWait) {
  // Each of these holds a worker thread while its connection idles (httplib's keep-alive wait is 5 s).
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 16; ++i) {
    idle.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    idle.back()->set_keep_alive(true);
    auto r = idle.back()->Get("/health");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  httplib::Client fresh = client();
  fresh.set_read_timeout(2, 0);  // well under the 5 s that an idle connection may hold its worker
  auto r = fresh.Get("/health");
  ASSERT_TRUE(r) << "a new client was not answered while 16 connections idled";
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, StopLetsAnInFlightRequestFinish) {
  stop_server();
  auth_options.password_cost = {4, 64 * 1024 * 1024};  // a login slow enough to still run at stop()
  start_server();
  auto started = std::chrono::steady_clock::now();
  auto pending = std::async(std::launch::async, [this] { return login("nobody@example.com", "pw"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop_server();
  httplib::Result r = pending.get();
  ASSERT_TRUE(r) << "the in-flight request was cut off";
  EXPECT_EQ(r->status, 401);
  EXPECT_GT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
  // And nothing listens any more.
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1);
  EXPECT_FALSE(c.Get("/health"));
}

TEST(ServerLifecycle, StopBeforeRunMakesRunReturnAtOnce) {
  TempFolder dir;
  Config config;
  config.data_dir = dir.path();
  config.port = 0;
  storage::WarehouseOptions warehouse_options;
  warehouse_options.data_dir = config.data_dir;
  warehouse_options.threads = 1;
  storage::Warehouse warehouse(warehouse_options);
  AuthOptions options;
  options.password_cost = PasswordCost::minimum_for_tests();
  ServerContext context(config, warehouse, options);
  Server server(context);
  server.bind();
  server.stop();
  auto done = std::async(std::launch::async, [&] { server.run(); });
  EXPECT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

TEST(ServerLifecycle, StopRightAfterRunStartsIsNotLost) {
  TempFolder dir;
  Config config;
  config.data_dir = dir.path();
  config.port = 0;
  storage::WarehouseOptions warehouse_options;
  warehouse_options.data_dir = config.data_dir;
  warehouse_options.threads = 1;
  storage::Warehouse warehouse(warehouse_options);
  AuthOptions options;
  options.password_cost = PasswordCost::minimum_for_tests();
  ServerContext context(config, warehouse, options);
  for (int i = 0; i < 20; ++i) {
    Server server(context);
    server.bind();
    auto done = std::async(std::launch::async, [&] { server.run(); });
    server.stop();
    ASSERT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "round " << i;
  }
}

TEST(ServerLifecycle, ATakenPortIsAClearError) {
  TempFolder dir;
  Config config;
  config.data_dir = dir.path();
  config.port = 0;
  storage::WarehouseOptions warehouse_options;
  warehouse_options.data_dir = config.data_dir;
  warehouse_options.threads = 1;
  storage::Warehouse warehouse(warehouse_options);
  AuthOptions options;
  options.password_cost = PasswordCost::minimum_for_tests();
  ServerContext context(config, warehouse, options);
  Server first(context);
  Config taken = config;
  taken.port = first.bind();
  ServerContext other_context(taken, warehouse, options);
  Server second(other_context);
  try {
    second.bind();
    FAIL() << "bound a taken port";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(taken.port)), std::string::npos) << e.what();
  }
}

// The one mapping from exceptions to answers.
TEST(ErrorMapping, ErrorsKeepTheirStatusAndMessageAndBugsBecomeAnOpaque500) {
  httplib::Request request;
  request.method = "GET";
  request.path = "/x";
  auto answer = [&](auto&& thrower) {
    httplib::Response response;
    Router::guarded(request, response, thrower);
    return std::make_pair(response.status, nlohmann::json::parse(response.body));
  };
  log::set_quiet(true);
  StderrCapture capture;
  EXPECT_EQ(answer([] { fail(ErrorCode::NotFound, "no table 7"); }),
            std::make_pair(404, json({{"error", "no table 7"}})));
  EXPECT_EQ(answer([] { fail(ErrorCode::InvalidArgument, "bad page"); }).first, 400);
  EXPECT_EQ(answer([] { fail(ErrorCode::Conflict, "x"); }).first, 409);
  EXPECT_EQ(answer([] { fail(ErrorCode::Forbidden, "x"); }).first, 403);
  EXPECT_EQ(answer([] { fail(ErrorCode::TooLarge, "x"); }).first, 413);
  EXPECT_EQ(answer([] { fail(ErrorCode::Internal, "disk /secret/path full"); }),
            std::make_pair(500, json({{"error", "internal error"}})));
  EXPECT_EQ(answer([] { throw std::out_of_range("vector index"); }),
            std::make_pair(500, json({{"error", "internal error"}})));
  EXPECT_EQ(answer([] { throw 42; }), std::make_pair(500, json({{"error", "internal error"}})));
  std::string logged = capture.finish();
  EXPECT_NE(logged.find("disk /secret/path full"), std::string::npos) << "internal details go to the log";
  EXPECT_NE(logged.find("vector index"), std::string::npos);
  log::set_quiet(false);

  httplib::Response unauthenticated;
  Router::guarded(request, unauthenticated, [] { fail(ErrorCode::Unauthenticated, "token expired"); });
  EXPECT_EQ(unauthenticated.status, 401);
  EXPECT_EQ(unauthenticated.get_header_value("WWW-Authenticate"), "Bearer");
}

}  // namespace
}  // namespace superstore::server
