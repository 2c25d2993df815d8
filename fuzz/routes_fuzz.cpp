// Fuzz target: the request bodies and parameters of the HTTP routes (server/routes_*.cpp,
// route_params.cpp, http_json.cpp), sent to a real server on 127.0.0.1 with a real warehouse, as an
// authenticated user, in dev mode. The first byte picks a route; the rest is "<suffix>\n<body>", where
// the suffix is that route's query string, path tail or header, percent-encoded where a URL needs it.
// Routes that would take the fuzzing user's token or the table away (logout, DELETE /table/{id}) or make
// tables of any size (POST /dev/fake-tables, /dev/create-fake-data, /dev/reset-fake-data) are left out.
// Properties: every request is answered (the server lives on); never 500, which is what a parser's
// unexpected exception becomes; every error is a JSON object {"error": "..."}, every JSON answer parses.
#include <httplib.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/log.h"
#include "fuzz/fuzz_support.h"
#include "server/server.h"
#include "support/temp_folder.h"

namespace {

using namespace superstore;
using namespace superstore::server;

enum class Send { Body, Query, PathTail, Accept, Bearer };

struct Route {
  const char* method;
  const char* path;  // "{id}" becomes the id of the fuzzed table
  const char* content_type;
  Send suffix;  // what the suffix before the first newline becomes
};

const Route kRoutes[] = {
    {"POST", "/execute", "application/json", Send::Body},
    {"POST", "/tables", "application/json", Send::Body},
    {"POST", "/table/{id}/rows", "text/csv", Send::Body},
    {"POST", "/table/{id}/rows", "application/x-ndjson", Send::Body},
    {"POST", "/table/{id}/delete", "application/json", Send::Body},
    {"GET", "/table/{id}", "", Send::Query},
    {"GET", "/table/{id}/history", "", Send::Query},
    {"POST", "/auth/jwt/login", "application/x-www-form-urlencoded", Send::Body},
    {"POST", "/dev/fake-tables/preview", "application/yaml", Send::Query},
    {"GET", "/table/", "", Send::PathTail},
    {"POST", "/execute", "application/json", Send::Accept},
    {"GET", "/auth/me", "", Send::Bearer},
};

std::string url_encoded(std::string_view text, bool keep_query_syntax) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool keep = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' ||
                      (keep_query_syntax && (c == '=' || c == '&'));
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Header values cannot hold line breaks or other control characters; httplib would refuse to send them.
std::string header_safe(std::string_view text) {
  std::string out;
  for (unsigned char c : text) out += c < 0x20 || c == 0x7f ? '_' : static_cast<char>(c);
  return out;
}

struct Setup {
  TempFolder folder;
  Config config;
  std::unique_ptr<storage::Warehouse> warehouse;
  std::unique_ptr<ServerContext> context;
  std::unique_ptr<Server> server;
  std::thread runner;
  std::unique_ptr<httplib::Client> client;
  std::string token;
  int64_t table_id = 0;

  Setup() {
    log::set_quiet(true);
    config.dev = true;  // the /dev routes answer
    config.data_dir = folder.path() / "data";
    config.port = 0;
    std::filesystem::create_directories(config.data_dir);
    storage::WarehouseOptions options;
    options.data_dir = config.data_dir;
    options.threads = 1;
    warehouse = std::make_unique<storage::Warehouse>(options);
    AuthOptions auth;
    auth.password_cost = PasswordCost::minimum_for_tests();
    QueryLimits limits;
    limits.time_limit = std::chrono::seconds(2);
    context = std::make_unique<ServerContext>(config, *warehouse, auth, limits);
    server = std::make_unique<Server>(*context);
    const int port = server->bind();
    runner = std::thread([this] { server->run(); });

    context->catalog.create_user("fuzz@example.com", context->auth.hasher().hash("fuzz password"));
    catalog::NewTable t;
    t.name = "people";
    t.columns = parse_column_list("id:Int64,name:String,dept:String,joined:Timestamp,born:Date,score:Float64");
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    const catalog::TableInfo table = warehouse->create_table(t);
    table_id = table.id;
    const std::filesystem::path rows = folder.path() / "people.csv";
    std::ofstream(rows) << "id,name,dept,joined,born,score\n1,ann,Sales,2024-01-01T10:00:00Z,1990-05-01,1.5\n"
                           "2,bob,R&D,2024-02-01T00:00:00Z,1985-01-31,-2\n";
    warehouse->insert_file(table, rows);

    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_url_encode(false);
    client->set_connection_timeout(5);
    client->set_read_timeout(30);
    httplib::Result login = client->Post(
        "/auth/jwt/login", httplib::Params{{"username", "fuzz@example.com"}, {"password", "fuzz password"}});
    FUZZ_CHECK(login && login->status == 200, "the fuzzing user cannot log in");
    token = nlohmann::json::parse(login->body).at("access_token").get<std::string>();
  }

  ~Setup() {
    server->stop();
    runner.join();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup setup;
  const auto [mode, rest] = fuzz::split_mode(data, size, std::size(kRoutes));
  const Route& route = kRoutes[mode];
  const size_t newline = rest.find('\n');
  const std::string_view suffix = rest.substr(0, newline);
  const std::string body(newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1));

  std::string path = route.path;
  if (const size_t id = path.find("{id}"); id != std::string::npos) {
    path.replace(id, 4, std::to_string(setup.table_id));
  }
  httplib::Headers headers{{"Authorization", "Bearer " + setup.token}};
  std::string sent_body = body;
  switch (route.suffix) {
    case Send::Body:
      sent_body = std::string(rest);
      break;
    case Send::Query:
      path += "?" + url_encoded(suffix, true);
      break;
    case Send::PathTail:
      path += url_encoded(suffix, false);
      break;
    case Send::Accept:
      headers.emplace("Accept", header_safe(suffix));
      break;
    case Send::Bearer:
      headers = {{"Authorization", "Bearer " + header_safe(suffix)}};
      break;
  }

  httplib::Request request;
  request.method = route.method;
  request.path = path;
  request.headers = headers;
  if (std::string_view(route.method) != "GET") {
    request.body = sent_body;
    if (*route.content_type) request.set_header("Content-Type", route.content_type);
  }
  httplib::Result result = setup.client->send(request);
  const std::string what = std::string(route.method) + " " + path;
  FUZZ_CHECK(result, what + ": no answer (" + httplib::to_string(result.error()) + ")");
  FUZZ_CHECK(result->status != 500, what + " answered 500: " + result->body);
  const std::string type = result->get_header_value("Content-Type");
  if (result->status >= 400) {
    const nlohmann::json error = nlohmann::json::parse(result->body, nullptr, false);
    FUZZ_CHECK(error.is_object() && error.contains("error") && error["error"].is_string(),
               what + " answered " + std::to_string(result->status) + " without a JSON error: " + result->body);
  } else if (type.starts_with("application/json")) {
    FUZZ_CHECK(nlohmann::json::accept(result->body), what + " answered JSON that does not parse");
  }
  return 0;
}
