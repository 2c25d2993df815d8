// POST /execute beyond its JSON pages: whole results as CSV, NDJSON and Parquet downloads (read back by
// a separate DuckDB and compared with the JSON answer), the Accept header, time travel ("as_of"), and
// the cancel of a query whose client went away.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "common/log.h"
#include "common/types.h"
#include "query/database.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ExecuteReads : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("ada@example.com", "a-long-password");
    token = token_for("ada@example.com", "a-long-password");
  }

  httplib::Headers auth(httplib::Headers extra = {}) const {
    extra.emplace("Authorization", "Bearer " + token);
    return extra;
  }
  httplib::Result execute(const json& request, httplib::Headers extra = {}) const {
    return client().Post("/execute", auth(std::move(extra)), request.dump(), "application/json");
  }

  // things(id, name, price, ok, seen_at): quotes, commas, line breaks, non-ASCII text, NULLs and an empty
  // string, the kinds of values a CSV or JSON writer can get wrong.
  catalog::TableInfo make_things() {
    catalog::NewTable t;
    t.name = "things";
    t.columns = {{"id", ColumnType::Int64},
                 {"name", ColumnType::String},
                 {"price", ColumnType::Float64},
                 {"ok", ColumnType::Boolean},
                 {"seen_at", ColumnType::Timestamp}};
    auto info = warehouse->create_table(t);
    const auto csv = dir.path() / "things.csv";
    std::ofstream(csv) << "id,name,price,ok,seen_at\n"
                          "1,plain,1.5,true,2024-01-31 10:00:00\n"
                          "2,\"say \"\"hi\"\", ok\",-2.25,false,1969-07-20T20:17:40Z\n"
                          "3,\"two\nlines\",,true,\n"
                          "4,\"\",0,,2024-02-29T23:59:59.5+02:00\n"
                          "5,Zoë → 東京,1e10,false,2000-01-01\n"
                          "6,,3,true,2024-06-01 00:00:00\n";
    warehouse->insert_file(info, csv);
    return info;
  }

  // POST /execute whose answer goes to `receive` piece by piece instead of into memory. False when the
  // transfer failed (e.g. the server cut it short).
  bool execute_streaming(const json& body, const std::function<void(const char*, size_t)>& receive,
                         httplib::Response& response) const {
    httplib::Client c = client();
    c.set_read_timeout(60);
    httplib::Request request;
    request.method = "POST";
    request.path = "/execute";
    request.headers = auth();
    request.body = body.dump();
    request.set_header("Content-Type", "application/json");
    request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      receive(data, size);
      return true;
    };
    httplib::Error error = httplib::Error::Success;
    return c.send(request, response, error);
  }

  // Sends `request` on a new connection and closes it after `wait`, without reading the answer.
  void send_and_hang_up(const std::string& request, std::chrono::milliseconds wait) const {
    const int fd = connect_raw();
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::this_thread::sleep_for(wait);
    ::close(fd);
  }

  std::string token;
};

// A file's rows as JSON values, read by a DuckDB of the test's own (no sandbox) with `reader`.
json rows_read_back(const std::filesystem::path& file, const std::string& reader, const std::string& options_text) {
  query::DatabaseOptions options;
  options.sandboxed = false;
  query::Database db(options);
  query::Connection conn(db);
  auto r = conn.execute("SELECT id, name, price, ok, CAST(seen_at AS TIMESTAMPTZ) AS seen_at FROM " + reader + "(" +
                        query::quote_literal(file.string()) + options_text + ") ORDER BY id");
  json rows = json::array();
  for (size_t row = 0; row < r.row_count(); ++row) {
    json object = json::object();
    for (size_t col = 0; col < r.column_count(); ++col) object[r.column_name(col)] = r.value_as_json(col, row);
    rows.push_back(object);
  }
  return rows;
}

// Whether `dir` becomes empty within two seconds: a streamed download's file goes when the server has
// finished the response, a moment after the client read its last byte.
bool becomes_empty(const std::filesystem::path& dir) {
  for (int i = 0; i < 200 && !std::filesystem::is_empty(dir); ++i) std::this_thread::sleep_for(10ms);
  return std::filesystem::is_empty(dir);
}

// Files the log's stats rule out are not opened, and the answer says how many were (stats.files_scanned,
// X-Files-Scanned); a view narrowed for one query never serves another that needs other files.
TEST_F(ExecuteReads, SaysHowManyFilesTheQueryOpened) {
  catalog::NewTable t;
  t.name = "spread";
  t.columns = {{"id", ColumnType::Int64}, {"seen_at", ColumnType::Timestamp}};
  t.target_file_bytes = 1;  // a file per row
  const catalog::TableInfo info = warehouse->create_table(t);
  for (const char* rows :
       {"1,2024-01-01 00:00:00\n2,2024-01-02 00:00:00\n3,\n", "10,2025-01-01 00:00:00\n11,2025-01-02 00:00:00\n"}) {
    const auto csv = dir.path() / "spread.csv";
    std::ofstream(csv) << "id,seen_at\n" << rows;
    warehouse->insert_file(info, csv);
  }
  auto stats_of = [&](const std::string& where) {
    auto r = execute({{"query", "SELECT * FROM spread WHERE " + where}});
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    const json answer = r ? json::parse(r->body) : json::object();
    EXPECT_EQ(answer["stats"]["files_in_tables"], 5) << where;
    return std::make_pair(answer["total"].get<int64_t>(), answer["stats"]["files_scanned"].get<int64_t>());
  };
  using Counts = std::pair<int64_t, int64_t>;  // rows, files scanned
  EXPECT_EQ(stats_of("id = 11"), Counts(1, 1));
  EXPECT_EQ(stats_of("id = 99"), Counts(0, 0));
  EXPECT_EQ(stats_of("id < 3 OR id > 10"), Counts(3, 3));
  EXPECT_EQ(stats_of("seen_at >= DATE '2025-01-01'"), Counts(2, 2));
  EXPECT_EQ(stats_of("seen_at IS NULL"), Counts(1, 1));
  EXPECT_EQ(stats_of("id > 0"), Counts(5, 5));
  EXPECT_EQ(stats_of("id = 11"), Counts(1, 1));
  auto download = execute({{"query", "SELECT * FROM spread WHERE id <= 2"}, {"format", "csv"}});
  ASSERT_TRUE(download);
  EXPECT_EQ(download->get_header_value("X-Files-Scanned"), "2/5");
}

TEST_F(ExecuteReads, EachDownloadFormatHoldsTheRowsOfTheJsonAnswer) {
  make_things();
  const std::string sql = "SELECT id, name, price, ok, seen_at FROM things ORDER BY id";
  auto page = execute({{"query", sql}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  const json expected = json::parse(page->body)["data"]["rows"];
  ASSERT_EQ(expected.size(), 6u);

  struct Case {
    std::string format, media_type, extension, reader, options;
  };
  // A quoted "" is the empty string, an unquoted empty field NULL, as RFC 4180 files are read elsewhere.
  for (const Case& c : {Case{"csv", "text/csv", ".csv", "read_csv", ", allow_quoted_nulls = false"},
                        Case{"ndjson", "application/x-ndjson", ".ndjson", "read_ndjson", ""},
                        Case{"parquet", "application/vnd.apache.parquet", ".parquet", "read_parquet", ""}}) {
    SCOPED_TRACE(c.format);
    auto r = execute({{"query", sql}, {"format", c.format}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), c.media_type);
    EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"things" + c.extension + "\"");
    EXPECT_EQ(r->get_header_value("X-Table-Versions"), "things=1");
    const auto file = dir.path() / ("download" + c.extension);
    std::ofstream(file, std::ios::binary) << r->body;
    EXPECT_EQ(rows_read_back(file, c.reader, c.options), expected);
  }
  // Nothing stays behind in the temp folder.
  EXPECT_TRUE(std::filesystem::is_empty(config.data_dir / "tmp"));
}

// The Arrow stream's content is checked value by value against Apache Arrow's own reader by
// arrow_stream_js (web/tests/arrow_stream.test.mjs); here, that the route sends a whole stream.
TEST_F(ExecuteReads, AnArrowDownloadIsOneWholeIpcStream) {
  make_things();
  auto r = execute({{"query", "SELECT * FROM things"}}, {{"Accept", "application/vnd.apache.arrow.stream"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/vnd.apache.arrow.stream");
  EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"things.arrows\"");
  const std::string continuation("\xff\xff\xff\xff", 4);
  ASSERT_GT(r->body.size(), 16u);
  EXPECT_EQ(r->body.substr(0, 4), continuation);                                       // the Schema message
  EXPECT_EQ(r->body.substr(r->body.size() - 8), continuation + std::string(4, '\0'));  // end of stream
  EXPECT_EQ(r->body.size() % 8, 0u);

  auto bad = execute({{"query", "SELECT nope FROM things"}, {"format", "arrow"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(std::filesystem::is_empty(config.data_dir / "tmp"));
}

TEST_F(ExecuteReads, AcceptChoosesTheFormatWhenTheRequestNamesNone) {
  auto csv = execute({{"query", "SELECT 1 AS x"}}, {{"Accept", "application/x-ndjson;q=0.5, text/csv"}});
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(csv->body, "x\n1\n");

  auto any = execute({{"query", "SELECT 1 AS x"}}, {{"Accept", "*/*"}});
  ASSERT_TRUE(any);
  EXPECT_EQ(any->get_header_value("Content-Type"), "application/json");

  auto named = execute({{"query", "SELECT 1 AS x"}, {"format", "ndjson"}}, {{"Accept", "text/csv"}});
  ASSERT_TRUE(named);
  EXPECT_EQ(named->body, "{\"x\":1}\n");

  auto refused = execute({{"query", "SELECT 1"}}, {{"Accept", "image/png"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 406);
  EXPECT_NE(body(refused)["error"].get<std::string>().find("text/csv"), std::string::npos) << refused->body;

  auto unknown = execute({{"query", "SELECT 1"}, {"format", "xlsx"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(body(unknown)["error"], "field \"format\" must be one of json, csv, ndjson, parquet, arrow, not 'xlsx'");
}

TEST_F(ExecuteReads, ADownloadThatFailsBeforeItsFirstByteAnswersAsAnyError) {
  auto bad = execute({{"query", "SELECT nope FROM things"}, {"format", "csv"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(body(bad)["error"].get<std::string>().find("things"), std::string::npos) << bad->body;

  auto write = execute({{"query", "COPY (SELECT 1) TO 'x.csv'"}, {"format", "csv"}});
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 400);
  EXPECT_NE(body(write)["error"].get<std::string>().find("COPY statement"), std::string::npos) << write->body;

  // Trailing semicolons and a trailing line comment still fit the download.
  auto tail = execute({{"query", "SELECT 7 AS x; -- seven"}, {"format", "csv"}});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 200) << tail->body;
  EXPECT_EQ(tail->body, "x\n7\n");
  EXPECT_TRUE(std::filesystem::is_empty(config.data_dir / "tmp"));
}

TEST_F(ExecuteReads, ALargeDownloadIsStreamedInChunksAndArrivesWhole) {
  constexpr int64_t kRows = 2'000'000;
  int64_t bytes = 0, lines = 0;
  std::string last_line;
  httplib::Response response;
  const json request = {
      {"query", "SELECT range AS i, md5(range::VARCHAR) AS h FROM range(" + std::to_string(kRows) + ")"},
      {"format", "csv"}};
  ASSERT_TRUE(execute_streaming(
      request,
      [&](const char* data, size_t size) {
        bytes += static_cast<int64_t>(size);
        for (size_t i = 0; i < size; ++i) {
          if (data[i] == '\n') {
            ++lines;
          } else if (lines == kRows) {
            last_line += data[i];
          }
        }
      },
      response));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(lines, kRows + 1);  // the header and every row
  EXPECT_GT(bytes, 70'000'000);
  EXPECT_EQ(last_line.rfind(std::to_string(kRows - 1) + ",", 0), 0u) << last_line;
  EXPECT_EQ(last_line.size(), std::to_string(kRows - 1).size() + 1 + 32) << last_line;  // and a whole md5
  EXPECT_TRUE(becomes_empty(config.data_dir / "tmp"));
}

TEST_F(ExecuteReads, ADownloadOverTheLimitIs413BeforeItsFirstByteAndCutAfter) {
  stop_server();
  config.max_download_bytes = 1 << 20;
  start_server();
  const std::string big = "SELECT range AS i, md5(range::VARCHAR) AS h FROM range(2000000)";  // about 45 MB
  for (const char* format : {"csv", "parquet", "arrow"}) {
    SCOPED_TRACE(format);
    auto r = execute({{"query", big}, {"format", format}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(body(r)["error"],
              "the result is larger than MAX_DOWNLOAD_BYTES (1048576 bytes); narrow the query (WHERE, LIMIT, fewer "
              "columns) or raise the limit");
  }
  auto small = execute({{"query", "SELECT 1 AS x"}, {"format", "csv"}});
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, "x\n1\n");

  // Over the size at which the answer starts, the limit can only cut the transfer short.
  stop_server();
  config.max_download_bytes = 8 << 20;
  start_server();
  int64_t received = 0;
  httplib::Response response;
  const bool whole = execute_streaming(
      {{"query", big}, {"format", "csv"}}, [&](const char*, size_t size) { received += static_cast<int64_t>(size); },
      response);
  EXPECT_FALSE(whole);
  EXPECT_EQ(response.status, 200);
  EXPECT_LT(received, 40'000'000);
  EXPECT_GT(received, 4 << 20);
  EXPECT_TRUE(becomes_empty(config.data_dir / "tmp"));
}

std::string raw_execute(int port, const std::string& token, const json& body) {
  const std::string text = body.dump();
  return "POST /execute HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

TEST_F(ExecuteReads, AQueryWhoseClientHangsUpIsCancelledAndFreesItsConnection) {
  stop_server();
  query_limits.time_limit = 120s;  // far beyond the test: only the cancel can stop the query in time
  server_options.worker_threads = 2;
  start_server();
  log::set_quiet(false);
  StderrCapture capture;
  const std::string endless = "SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3";

  const auto started = std::chrono::steady_clock::now();
  send_and_hang_up(raw_execute(port, token, {{"query", endless}}), 300ms);
  send_and_hang_up(raw_execute(port, token, {{"query", endless}, {"format", "csv"}}), 300ms);
  // With both queries gone, a query is answered at once, and so is the next one on the two workers.
  for (int i = 0; i < 2; ++i) {
    auto r = execute({{"query", "SELECT 42 AS x"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  stop_server();  // joins the workers, so every line is written
  const std::string log_text = capture.finish();
  EXPECT_NE(log_text.find("POST /execute 499 "), std::string::npos) << log_text;
  EXPECT_TRUE(std::filesystem::is_empty(config.data_dir / "tmp"));
}

// Node.js starts a child process with socketpairs for its standard streams: Unix sockets without a port,
// which the search for a request's socket must pass over rather than choke on.
TEST_F(ExecuteReads, TheSearchForTheClientSocketPassesOverUnixSockets) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  stop_server();
  query_limits.time_limit = 120s;
  start_server();
  send_and_hang_up(
      raw_execute(port, token, {{"query", "SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3"}}),
      300ms);
  auto r = execute({{"query", "SELECT 42 AS x"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  stop_server();
  close(pair[0]);
  close(pair[1]);
}

TEST_F(ExecuteReads, AsOfReadsAVersionOfEachTableOrTheVersionCurrentAtATime) {
  auto info = make_things();  // version 1: 6 rows
  std::this_thread::sleep_for(5ms);
  const auto between = std::chrono::system_clock::now();
  std::this_thread::sleep_for(5ms);
  warehouse->delete_where(info, "id > 4");  // version 2: 4 rows
  auto count = [&](const json& as_of) {
    auto r = execute({{"query", "SELECT count(*) AS n FROM things"}, {"as_of", as_of}});
    EXPECT_TRUE(r);
    return r ? body(r) : json();
  };
  EXPECT_EQ(count(nullptr)["data"]["rows"][0]["n"], 4);
  EXPECT_EQ(count(nullptr)["stats"]["versions"], (json{{"things", 2}}));
  json v1 = count({{"THINGS", 1}});
  EXPECT_EQ(v1["data"]["rows"][0]["n"], 6);
  EXPECT_EQ(v1["stats"]["versions"], (json{{"things", 1}}));
  EXPECT_EQ(count({{"things", 0}})["data"]["rows"][0]["n"], 0);

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(between.time_since_epoch()).count();
  const std::string at = format_timestamp_us(ms * 1000);
  json then = count(at);
  EXPECT_EQ(then["data"]["rows"][0]["n"], 6) << at << " " << then.dump();
  EXPECT_EQ(then["stats"]["versions"], (json{{"things", 1}}));

  // A download reads the same version and says so.
  auto csv = execute({{"query", "SELECT count(*) AS n FROM things"}, {"as_of", {{"things", 1}}}, {"format", "csv"}});
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->body, "n\n6\n");
  EXPECT_EQ(csv->get_header_value("X-Table-Versions"), "things=1");

  EXPECT_EQ(count({{"things", 9}})["error"], "table 'things' has versions 0 to 2; there is no version 9");
  EXPECT_EQ(count({{"things", -1}})["error"],
            "as_of: the version of table 'things' must be a whole number from 0, not -1");
  EXPECT_EQ(count({{"stuff", 1}})["error"], "as_of: table 'stuff' does not exist");
  EXPECT_EQ(count("yesterday")["error"],
            "field \"as_of\" must be a time such as 2025-06-01T00:00:00Z, not 'yesterday'");
  EXPECT_NE(count("2001-01-01T00:00:00Z")["error"].get<std::string>().find("did not exist yet at 2001-01-01T00:00:00Z"),
            std::string::npos);
  EXPECT_NE(count(json::array())["error"].get<std::string>().find("field \"as_of\" must be a time"), std::string::npos);

  catalog::NewTable other;
  other.name = "other";
  other.columns = {{"id", ColumnType::Int64}};
  warehouse->create_table(other);
  EXPECT_EQ(count({{"other", 0}})["error"], "as_of names table 'other', which the query does not read");
}

}  // namespace
}  // namespace superstore::server
