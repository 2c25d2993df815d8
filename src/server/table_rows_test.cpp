// POST /table/{id}/rows over real HTTP on loopback: the three formats, CSV edge cases, bad values, limits
// by Content-Length and by chunked growth, 415, 404/409/403/401, temp files and concurrent uploads; large
// bodies read in MiB pieces with a pipelined request behind them, bodies that break off, gzip-coded bodies.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "server/content_coding.h"
#include "server/table_test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;

using TableRowsTest = TableApiTest;

TEST_F(TableRowsTest, CsvWithItsEdgeCasesReadsBackAsSent) {
  const int64_t id = people();
  // Header in another order than the table's; doubled quotes and a comma inside quotes; a quoted empty
  // field is '' and an unquoted empty one NULL.
  const std::string csv =
      "id,last,first\r\n"
      "1,Lovelace,\"say \"\"hi\"\", ok\"\r\n"
      "2,\"\",\r\n"
      "3,,\"\"\r\n";
  auto r = upload(id, csv, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r), json({{"rows_inserted", 3}, {"version", 1}, {"micro_partitions_added", 1}}));
  EXPECT_EQ(rows("SELECT id, first, last FROM people ORDER BY id"),
            json::parse(R"([{"id":1,"first":"say \"hi\", ok","last":"Lovelace"},
                            {"id":2,"first":null,"last":""},
                            {"id":3,"first":"","last":null}])"));
  EXPECT_TRUE(upload_leftovers().empty());
}

TEST_F(TableRowsTest, NdjsonAndParquetReadBackAsSent) {
  const int64_t id = create({{"name", "events"},
                             {"columns",
                              {{{"name", "id"}, {"type", "Int64"}},
                               {{"name", "seen"}, {"type", "Timestamp"}},
                               {{"name", "ok"}, {"type", "Boolean"}},
                               {{"name", "amount"}, {"type", "Float64"}}}}});
  const std::string ndjson =
      "{\"id\": 1, \"seen\": \"2024-01-31T10:00:00Z\", \"ok\": true, \"amount\": 1.5}\n"
      "{\"id\": 2, \"seen\": null, \"ok\": false, \"amount\": null}\n";
  auto r = upload(id, ndjson, "application/x-ndjson; charset=utf-8");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["rows_inserted"], 2);
  EXPECT_EQ(body(r)["version"], 1);

  const std::string parquet = parquet_bytes(
      "SELECT 3::BIGINT AS id, TIMESTAMPTZ '2024-02-01 00:00:00+00' AS seen, true AS ok, 2.25::DOUBLE AS amount");
  r = upload(id, parquet, "application/vnd.apache.parquet");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["rows_inserted"], 1);
  EXPECT_EQ(body(r)["version"], 2);

  EXPECT_EQ(rows("SELECT id, seen, ok, amount FROM events ORDER BY id"),
            json::parse(R"([{"id":1,"seen":"2024-01-31T10:00:00Z","ok":true,"amount":1.5},
                            {"id":2,"seen":null,"ok":false,"amount":null},
                            {"id":3,"seen":"2024-02-01T00:00:00Z","ok":true,"amount":2.25}])"));
  EXPECT_TRUE(upload_leftovers().empty());
}

TEST_F(TableRowsTest, MalformedBodiesAre400AndChangeNothing) {
  const int64_t id = people();
  ASSERT_EQ(upload(id, "id,first,last\n1,a,b\n", "text/csv")->status, 200);
  struct Case {
    std::string content_type, body, wanted;  // `wanted`: part of the error message
  };
  const std::vector<Case> cases = {
      {"text/csv", "id,first,nickname\n1,a,b\n", "nickname"},
      {"text/csv", "id,first,last\n1,a,b\nx,c,d\n", "line 3"},
      {"text/csv", "id,first,last\n1,a,b\nx,c,d\n", "\"id\""},
      {"text/csv", "id,first,last\n1,\"open quote,b\n", "nothing was inserted"},
      {"text/csv", "", "nothing was inserted"},
      {"application/x-ndjson", "{\"id\": 1, \"first\": \"a\"}\n{\"id\": \n", "nothing was inserted"},
      {"application/x-ndjson", "{\"id\": 1}\n{\"id\": \"seven\"}\n", "line 2: column 'id' holds 'seven'"},
      {"application/vnd.apache.parquet", "PAR1 this is not parquet", "nothing was inserted"},
      // Row groups of 2,048 rows: row 5,001 is in the third.
      {"application/vnd.apache.parquet",
       parquet_bytes("SELECT CASE WHEN i = 5000 THEN 'x' ELSE i::VARCHAR END AS id, 'a' AS first, 'b' AS last "
                     "FROM range(10000) t(i) ORDER BY i",
                     ", ROW_GROUP_SIZE 2048"),
       "row group 2, row 5001 of the file: column 'id' holds 'x', which is not a Int64"},
  };
  for (const auto& c : cases) {
    auto r = upload(id, c.body, c.content_type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.content_type << ": " << r->body;
    const std::string message = body(r).value("error", "");
    EXPECT_NE(message.find(c.wanted), std::string::npos) << message;
    // The temporary file is named as what it is to the caller, never by its path.
    EXPECT_EQ(message.find("upload-"), std::string::npos) << message;
  }
  EXPECT_EQ(version(id), 1);
  EXPECT_EQ(count("people"), 1);
  EXPECT_TRUE(upload_leftovers().empty());
}

TEST_F(TableRowsTest, ABadValueAtRow100000LeavesThePreviousVersion) {
  const int64_t id = people();
  ASSERT_EQ(upload(id, "id,first,last\n1,a,b\n2,c,d\n", "text/csv")->status, 200);
  std::string csv = "id,first,last\n";
  for (int i = 1; i < 100'000; ++i) csv += std::to_string(i + 10) + ",f,l\n";
  csv += "oops,f,l\n";  // record 100,000: line 100,001 with the header
  auto r = upload(id, csv, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  const std::string message = body(r).value("error", "");
  EXPECT_NE(message.find("100001"), std::string::npos) << message;
  EXPECT_NE(message.find("oops"), std::string::npos) << message;
  EXPECT_EQ(version(id), 1);
  EXPECT_EQ(count("people"), 2);
}

TEST_F(TableRowsTest, ContentTypeMustBeOneOfThree) {
  const int64_t id = people();
  for (const std::string type : {"text/plain", "application/json", ""}) {
    auto r = upload(id, "id,first,last\n1,a,b\n", type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 415) << type;
    const std::string message = body(r).value("error", "");
    for (const char* listed : {"text/csv", "application/x-ndjson", "application/vnd.apache.parquet"}) {
      EXPECT_NE(message.find(listed), std::string::npos) << message;
    }
  }
  EXPECT_EQ(version(id), 0);
}

TEST_F(TableRowsTest, UnknownDroppedFakeAndAnonymous) {
  const int64_t id = people();
  auto r = upload(999, "id,first,last\n1,a,b\n", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_EQ(upload(0, "id\n1\n", "text/csv")->status, 400);

  auto anonymous = client().Post("/table/" + std::to_string(id) + "/rows", "id,first,last\n1,a,b\n", "text/csv");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  catalog::NewTable fake;
  fake.name = "fake_things";
  fake.columns = {{"id", ColumnType::Int64}};
  fake.properties = {{"fake_data", true}};
  const int64_t fake_id = warehouse->create_table(fake).id;
  r = upload(fake_id, "id\n1\n", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_NE(body(r)["error"].get<std::string>().find("/dev"), std::string::npos) << r->body;

  warehouse->drop_table(id);
  r = upload(id, "id,first,last\n1,a,b\n", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(body(r)["error"].get<std::string>().find("dropped"), std::string::npos) << r->body;
  EXPECT_EQ(version(id), 0);
}

TEST_F(TableRowsTest, UploadsHaveTheirOwnLimitAndOtherRoutesKeepTheirs) {
  stop_server();
  server_options.max_body_bytes = 1024;
  config.max_upload_bytes = 64 * 1024;
  start_server();
  const int64_t id = people();
  std::string csv = "id,first,last\n";
  for (int i = 0; i < 500; ++i) csv += std::to_string(i) + ",first name,last name\n";
  ASSERT_GT(csv.size(), 1024u);
  ASSERT_LT(csv.size(), 64u * 1024);
  auto r = upload(id, csv, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(count("people"), 500);

  // The same size to a route without streaming is over its limit.
  r = post_with_token("/table/" + std::to_string(id) + "/delete",
                      json({{"where", "id < 0 OR first = '" + std::string(2000, 'x') + "'"}}).dump(),
                      "application/json", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body(r), json({{"error", "request body too large: the limit is 1024 bytes"}}));
}

TEST_F(TableRowsTest, OverTheLimitIs413ByContentLengthAndWhenChunkedGrowsPastIt) {
  stop_server();
  config.max_upload_bytes = 64 * 1024;
  start_server();
  const int64_t id = people();
  const std::string path = "/table/" + std::to_string(id) + "/rows";
  const std::string head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                           "\r\nContent-Type: text/csv\r\nConnection: close\r\n";

  // Declared up front: refused before a byte of the body is read (none is sent).
  std::string answer = raw_exchange(head + "Content-Length: 10737418240\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("{\"error\":\"request body too large: the limit is 65536 bytes\"}"), std::string::npos)
      << answer;

  // Chunked: refused once the body grows past the limit.
  std::string chunked = head + "Transfer-Encoding: chunked\r\n\r\n";
  const std::string line = "1,first name,last name\n";
  std::string piece = "id,first,last\n";
  while (piece.size() < 8 * 1024) piece += line;
  for (int i = 0; i < 12; ++i) {  // about 96 KiB
    std::ostringstream size;
    size << std::hex << piece.size();
    chunked += size.str() + "\r\n" + piece + "\r\n";
    piece.clear();
    while (piece.size() < 8 * 1024) piece += line;
  }
  chunked += "0\r\n\r\n";
  answer = raw_exchange(chunked);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("the limit is 65536 bytes"), std::string::npos) << answer;

  EXPECT_EQ(version(id), 0);
  EXPECT_TRUE(upload_leftovers().empty());

  // A chunked body under the limit goes in.
  answer = raw_exchange(head + "Transfer-Encoding: chunked\r\n\r\n" + "e\r\nid,first,last\n\r\n" + "6\r\n7,a,b\n\r\n" +
                        "0\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_EQ(count("people"), 1);
}

// Rows 0 to n - 1 of `people` as CSV, the names of varying length so that no row boundary is regular.
std::string people_csv(int n) {
  std::string csv = "id,first,last\n";
  for (int i = 0; i < n; ++i) {
    csv +=
        std::to_string(i) + ",f" + std::string(static_cast<size_t>(i % 37), 'x') + ",l" + std::to_string(i * 7) + "\n";
  }
  return csv;
}

TEST_F(TableRowsTest, ALargeBodyArrivesWholeAndThePipelinedRequestBehindItIsAnswered) {
  const int64_t id = people();
  constexpr int kRows = 100'000;
  const std::string csv = people_csv(kRows);
  ASSERT_GT(csv.size(), 3u << 20);  // several pieces of a MiB and a remainder
  ASSERT_NE(csv.size() % (1 << 20), 0u);
  // The upload and, on the same connection, a request the server must find where the body ends.
  const std::string answer =
      raw_exchange("POST /table/" + std::to_string(id) + "/rows HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + token +
                   "\r\nContent-Type: text/csv\r\nContent-Length: " + std::to_string(csv.size()) + "\r\n\r\n" + csv +
                   "GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"rows_inserted\":100000"), std::string::npos) << answer;
  const size_t second = answer.find("HTTP/1.1 ", 1);
  ASSERT_NE(second, std::string::npos) << answer;
  EXPECT_EQ(answer.substr(second, 13), "HTTP/1.1 200 ") << answer;
  EXPECT_NE(answer.find("{\"status\":\"ok\"}", second), std::string::npos) << answer;
  // Every byte in its place: the same sums as the file's.
  int64_t first_chars = 0, last_sum = 0;
  for (int i = 0; i < kRows; ++i) {
    first_chars += 1 + i % 37;
    last_sum += int64_t{i} * 7;
  }
  EXPECT_EQ(rows("SELECT count(*) AS n, count(DISTINCT id) AS d, sum(length(first)) AS f, "
                 "sum(CAST(substr(last, 2) AS BIGINT)) AS l FROM people")[0],
            json({{"n", kRows}, {"d", kRows}, {"f", first_chars}, {"l", last_sum}}));
  EXPECT_TRUE(upload_leftovers().empty());
}

TEST_F(TableRowsTest, ABodyThatBreaksOffCommitsNothing) {
  const int64_t id = people();
  const std::string csv = people_csv(100'000);
  const int sock = connect_raw();
  ASSERT_GE(sock, 0);
  const std::string head = "POST /table/" + std::to_string(id) + "/rows HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
                           token + "\r\nContent-Type: text/csv\r\nContent-Length: " + std::to_string(csv.size()) +
                           "\r\n\r\n";
  // Two MiB and a half of the body, whole rows, then the client stops sending.
  const std::string sent = head + csv.substr(0, csv.find('\n', (5u << 20) / 2) + 1);
  ASSERT_TRUE(send_all(sock, sent));
  const std::string answer = stop_and_read_answer(sock);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("the request body broke off"), std::string::npos) << answer;
  EXPECT_EQ(version(id), 0);
  EXPECT_EQ(count("people"), 0);
  EXPECT_TRUE(upload_leftovers().empty());
}

TEST_F(TableRowsTest, AGzipCodedBodyIsDecoded) {
  const int64_t id = people();
  const std::string csv = people_csv(50'000);
  const std::string coded = gzip(csv, 1);
  ASSERT_LT(coded.size(), csv.size() / 2);
  auto c = client();
  auto r = c.Post("/table/" + std::to_string(id) + "/rows",
                  {{"Authorization", "Bearer " + token}, {"Content-Encoding", "gzip"}}, coded, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["rows_inserted"], 50'000);
  EXPECT_EQ(rows("SELECT count(DISTINCT id) AS d, max(id) AS hi FROM people")[0],
            json({{"d", 50'000}, {"hi", 49'999}}));
}

TEST_F(TableRowsTest, ConcurrentUploadsLoseAndDoubleNothing) {
  const int64_t id = people();
  constexpr int kThreads = 8, kRows = 1000;
  std::vector<std::thread> threads;
  std::vector<int> statuses(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string csv = "id,first,last\n";
      for (int i = 0; i < kRows; ++i) csv += std::to_string(t * kRows + i) + ",f" + std::to_string(t) + ",l\n";
      auto r = upload(id, csv, "text/csv");
      statuses[static_cast<size_t>(t)] = r ? r->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  const json n = rows("SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM people")[0];
  EXPECT_EQ(n, json({{"n", kThreads * kRows}, {"d", kThreads * kRows}, {"lo", 0}, {"hi", kThreads * kRows - 1}}));
  EXPECT_EQ(version(id), kThreads);
  EXPECT_TRUE(upload_leftovers().empty());
}

}  // namespace
}  // namespace superstore::server
