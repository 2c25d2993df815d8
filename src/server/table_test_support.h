// The fixture of the tests of the table routes (POST /tables, rows, delete, history): a server with one
// logged-in user, and quick ways to create tables, upload rows and read them back.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "query/database.h"
#include "server/test_support.h"

namespace superstore::server {

class TableApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("w@example.com", "pw-w");
    token = token_for("w@example.com", "pw-w");
  }

  // POST /tables; returns the new table's id.
  int64_t create(const nlohmann::json& request) {
    auto r = post_with_token("/tables", request.dump(), "application/json", token);
    EXPECT_TRUE(r);
    if (!r) return 0;
    EXPECT_EQ(r->status, 201) << r->body;
    return body(r).value("id", int64_t{0});
  }
  int64_t people() {
    return create({{"name", "people"},
                   {"columns",
                    {{{"name", "id"}, {"type", "Int64"}},
                     {{"name", "first"}, {"type", "String"}},
                     {{"name", "last"}, {"type", "String"}}}}});
  }

  httplib::Result upload(int64_t id, const std::string& rows, const std::string& content_type) {
    return post_with_token("/table/" + std::to_string(id) + "/rows", rows, content_type, token);
  }

  // Rows of `sql` as JSON objects, through the warehouse's query path (the files on disk).
  nlohmann::json rows(const std::string& sql) {
    storage::QueryOptions q;
    q.per_page = 100'000;
    return nlohmann::json::parse(warehouse->query(sql, q).page.rows.dump());
  }
  int64_t count(const std::string& table) { return rows("SELECT count(*) AS n FROM " + table)[0]["n"]; }
  int64_t version(int64_t id) { return warehouse->snapshot(catalog->get_table(id))->version; }

  // Sends all of `bytes` on a raw connection; false if the connection refused them.
  static bool send_all(int sock, const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::send(sock, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // Stops sending on a raw connection, reads the answer (waiting 10 s at most) and closes it.
  static std::string stop_and_read_answer(int sock) {
    ::shutdown(sock, SHUT_WR);
    timeval timeout{10, 0};
    ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string answer;
    char buffer[4096];
    for (ssize_t n; (n = ::recv(sock, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
    ::close(sock);
    return answer;
  }

  // Files left in DATA_DIR/tmp by uploads.
  std::vector<std::string> upload_leftovers() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(config.data_dir / "tmp")) {
      if (e.path().filename().string().starts_with("upload-")) names.push_back(e.path().filename().string());
    }
    return names;
  }

  // `select`'s rows as a Parquet file; `options` are added to COPY's, e.g. ", ROW_GROUP_SIZE 2048".
  std::string parquet_bytes(const std::string& select, const std::string& options = "") {
    const auto file = dir.path() / "made.parquet";
    query::Database db(query::DatabaseOptions{.sandboxed = false});
    query::Connection conn(db);
    conn.execute("COPY (" + select + ") TO " + query::quote_literal(file.string()) + " (FORMAT parquet" + options +
                 ")");
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }

  std::string token;
};

}  // namespace superstore::server
