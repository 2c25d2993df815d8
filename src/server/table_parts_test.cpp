// POST /table/{id}/rows for CSV bodies over two UPLOAD_PART_BYTES: cut into parts at record ends and read
// while the rest arrives (csv_parts.h). The parts are small here, so that a body of a few hundred KiB
// makes dozens of them, cuts fall next to quoted newlines, doubled quotes and CRLF, and a bad value lies
// in a later part.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "server/table_test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;

class TablePartsTest : public TableApiTest {
 protected:
  void SetUp() override {
    TableApiTest::SetUp();
    stop_server();
    config.upload_part_bytes = 4096;
    start_server();
  }
  int64_t events(int64_t target_file_size = 0, const std::string& name = "events", json sort_by = nullptr) {
    json request = {{"name", name},
                    {"columns",
                     {{{"name", "id"}, {"type", "Int64"}},
                      {{"name", "note"}, {"type", "String"}},
                      {{"name", "seen"}, {"type", "Timestamp"}}}}};
    if (target_file_size > 0) request["target_file_size"] = target_file_size;
    if (!sort_by.is_null()) request["sort_by"] = sort_by;
    return create(request);
  }
  // The Parquet files in the table's folder.
  std::vector<std::string> parquet_files(int64_t id) {
    std::vector<std::string> out;
    const auto root = config.data_dir / "warehouse" / catalog->get_table(id).location;
    if (!std::filesystem::exists(root)) return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (e.path().extension() == ".parquet") out.push_back(e.path().string());
    }
    return out;
  }
  // The history's versions of the table.
  size_t versions(int64_t id) {
    auto r = get_with_token("/table/" + std::to_string(id) + "/history", token);
    EXPECT_TRUE(r && r->status == 200);
    return r ? body(r)["versions"].size() : 0;
  }
};

// Row i of the events CSV (columns note, id, seen, as its header says) and the row it must read back as.
// Every seventh note is quoted and holds a newline, a comma and doubled quotes; every eleventh is an
// unquoted empty field (NULL) and every thirteenth a quoted empty one (the empty string).
std::pair<std::string, json> event_row(int i, const std::string& end) {
  char seen[64], utc[64];
  std::snprintf(seen, sizeof seen, "2024-01-01T12:%02d:%02d+02:00", i / 60 % 60, i % 60);
  std::snprintf(utc, sizeof utc, "2024-01-01T10:%02d:%02dZ", i / 60 % 60, i % 60);
  std::string field;
  json note;
  if (i % 7 == 0) {
    field = "\"first line " + std::to_string(i) + "\nsecond, \"\"quoted\"\" " + std::to_string(i) + "\"";
    note = "first line " + std::to_string(i) + "\nsecond, \"quoted\" " + std::to_string(i);
  } else if (i % 11 == 0) {
    note = nullptr;
  } else if (i % 13 == 0) {
    field = "\"\"";
    note = "";
  } else {
    field = "note " + std::to_string(i);
    note = field;
  }
  return {field + "," + std::to_string(i) + "," + seen + end, json{{"id", i}, {"note", note}, {"seen", utc}}};
}

TEST_F(TablePartsTest, ACsvOfManyPartsReadsBackAsSentInOneVersion) {
  const int64_t id = events();
  const int64_t sorted = events(0, "events_by_id", json::array({"id"}));  // rows held and sorted before a file
  std::string csv = "\xEF\xBB\xBFnote,id,seen\r\n";  // a byte-order mark, CRLF, columns in another order
  json expected = json::array();
  const int kRows = 3000;
  for (int i = 0; i < kRows; ++i) {
    auto [line, row] = event_row(i, "\r\n");
    csv += line;
    expected.push_back(row);
  }
  ASSERT_GT(csv.size(), 30u * 4096) << "dozens of parts";
  auto r = upload(id, csv, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["rows_inserted"], kRows);
  EXPECT_EQ(body(r)["version"], 1);
  EXPECT_EQ(rows("SELECT id, note, seen FROM events ORDER BY id"), expected);
  EXPECT_EQ(versions(id), 2u) << "the table's creation and one write";

  r = upload(sorted, csv, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(rows("SELECT id, note, seen FROM events_by_id ORDER BY id"), expected);
  EXPECT_EQ(versions(sorted), 2u);
  EXPECT_TRUE(upload_leftovers().empty());
}

TEST_F(TablePartsTest, ABadValueInALaterPartNamesItsLineInTheUploadAndNothingIsInserted) {
  const int64_t id = events();
  auto body_with = [](int bad_row, const std::string& bad_line, int64_t& bad_physical_line) {
    std::string csv = "note,id,seen\n";
    for (int i = 0; i < 3000; ++i) {
      if (i == bad_row) {
        bad_physical_line = 1 + static_cast<int64_t>(std::count(csv.begin(), csv.end(), '\n'));
        csv += bad_line;
        continue;
      }
      csv += event_row(i, "\n").first;
    }
    return csv;
  };
  struct Case {
    std::string bad_line, wanted;
  };
  for (const Case& k : {Case{"a note,x7,2024-01-01T00:00:00Z\n", "x7"},
                        Case{"a note,7,not a time\n", "column 'seen' holds 'not a time', which is not a Timestamp"}}) {
    SCOPED_TRACE(k.bad_line);
    int64_t line = 0;
    const std::string csv = body_with(2500, k.bad_line, line);
    ASSERT_GT(line, 2500) << "quoted newlines put the record on a later line";
    auto r = upload(id, csv, "text/csv");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    const std::string error = body(r).value("error", "");
    EXPECT_EQ(error.rfind("nothing was inserted", 0), 0u) << error;
    EXPECT_NE(error.find("line " + std::to_string(line)), std::string::npos) << error;
    EXPECT_NE(error.find(k.wanted), std::string::npos) << error;
    EXPECT_EQ(error.find("/tmp/"), std::string::npos) << "no temporary path: " << error;
    EXPECT_EQ(version(id), 0);
    EXPECT_TRUE(upload_leftovers().empty());
  }
}

// The parts are imported while the body arrives: with files of 16 KiB, the first files are written while
// half the body is still to come (read whole first, none would be). Then the body breaks off, and they go.
TEST_F(TablePartsTest, PartsAreImportedWhileTheBodyArrivesAndABodyThatBreaksOffCommitsNothing) {
  // A body of known length comes in pieces of a MiB: over two of them are sent, in parts of 64 KiB.
  stop_server();
  config.upload_part_bytes = 64 << 10;
  start_server();
  const int64_t id = events(16 << 10);
  std::string csv = "note,id,seen\n";
  for (int i = 0; csv.size() < (5u << 20); ++i) csv += event_row(i, "\n").first;
  const int sock = connect_raw();
  ASSERT_GE(sock, 0);
  const std::string head = "POST /table/" + std::to_string(id) + "/rows HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
                           token + "\r\nContent-Type: text/csv\r\nContent-Length: " + std::to_string(csv.size()) +
                           "\r\n\r\n";
  // Half the body, then the client stops sending.
  const std::string sent = head + csv.substr(0, csv.size() / 2);
  ASSERT_TRUE(send_all(sock, sent));
  bool written = false;
  for (int wait = 0; wait < 200 && !written; ++wait) {
    written = !parquet_files(id).empty();
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(written) << "no file was written while the body was still arriving";
  const std::string answer = stop_and_read_answer(sock);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("the request body broke off"), std::string::npos) << answer;
  EXPECT_EQ(version(id), 0);
  EXPECT_TRUE(upload_leftovers().empty());
  EXPECT_TRUE(parquet_files(id).empty()) << "the files written from the parts read were removed";
}

}  // namespace
}  // namespace superstore::server
