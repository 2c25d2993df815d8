// The shape of write_arrow_stream's output and its behaviour around errors, readers that leave and memory.
// The values themselves are checked by an independent reader, Apache Arrow's JavaScript library
// (tests/arrow/arrow_stream.test.mjs).
#include "query/arrow_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "arrow_ipc_generated.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

namespace af = superstore::arrow_format;
using testing::error_of;
constexpr auto kLimit = std::chrono::seconds(30);

struct Written {
  std::string bytes;
  std::vector<size_t> writes;  // sizes of each call of `write`
};

Written stream(Connection& conn, const std::string& sql, ArrowStreamProgress* progress = nullptr) {
  Written out;
  bool finished = write_arrow_stream(
      conn, sql, kLimit,
      [&](std::string_view bytes) {
        out.bytes.append(bytes);
        out.writes.push_back(bytes.size());
        return true;
      },
      progress);
  EXPECT_TRUE(finished);
  return out;
}

int32_t int32_at(const std::string& bytes, size_t at) {
  int32_t value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

// Walks the stream message by message, checking the framing the specification asks for, and returns the
// row count of each record batch.
std::vector<int64_t> batch_lengths(const std::string& bytes) {
  std::vector<int64_t> lengths;
  size_t at = 0;
  bool first = true;
  while (true) {
    EXPECT_EQ(at % 8, 0u) << "each message starts 8-byte aligned";
    EXPECT_LE(at + 8, bytes.size());
    if (at + 8 > bytes.size()) return lengths;
    EXPECT_EQ(static_cast<uint32_t>(int32_at(bytes, at)), 0xFFFFFFFFu) << "continuation marker at " << at;
    const int32_t metadata_size = int32_at(bytes, at + 4);
    if (metadata_size == 0) {
      EXPECT_EQ(at + 8, bytes.size()) << "the end-of-stream marker ends the stream";
      return lengths;
    }
    EXPECT_EQ(metadata_size % 8, 0);
    const auto* metadata = reinterpret_cast<const uint8_t*>(bytes.data() + at + 8);
    flatbuffers::Verifier verifier(metadata, static_cast<size_t>(metadata_size));
    EXPECT_TRUE(af::VerifyMessageBuffer(verifier)) << "a valid Message flatbuffer at " << at;
    const af::Message* message = af::GetMessage(metadata);
    EXPECT_EQ(message->version(), af::MetadataVersion_V5);
    EXPECT_EQ(message->body_length() % 8, 0);
    if (first) {
      EXPECT_EQ(message->header_type(), af::MessageHeader_Schema);
    } else {
      EXPECT_EQ(message->header_type(), af::MessageHeader_RecordBatch);
      const af::RecordBatch* batch = message->header_as_RecordBatch();
      lengths.push_back(batch->length());
      for (const af::Buffer* buffer : *batch->buffers()) {
        EXPECT_EQ(buffer->offset() % 8, 0) << "buffers start 8-byte aligned in the body";
        EXPECT_LE(buffer->offset() + buffer->length(), message->body_length());
      }
    }
    first = false;
    at += 8 + static_cast<size_t>(metadata_size) + static_cast<size_t>(message->body_length());
  }
}

TEST(ArrowStream, FramesSchemaBatchesAndEndMarker) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  ArrowStreamProgress progress;
  Written out = stream(conn, "SELECT range AS i, 'row ' || range AS s FROM range(5000) ORDER BY i", &progress);
  std::vector<int64_t> lengths = batch_lengths(out.bytes);
  int64_t rows = 0;
  for (int64_t n : lengths) rows += n;
  EXPECT_EQ(rows, 5000);
  EXPECT_GE(lengths.size(), 3u);  // DuckDB's chunks hold at most 2048 rows
  EXPECT_EQ(progress.rows, 5000);
  EXPECT_EQ(progress.batches, static_cast<int64_t>(lengths.size()));
  EXPECT_EQ(progress.bytes_written, static_cast<int64_t>(out.bytes.size()));
  EXPECT_EQ(out.writes.back(), 8u) << "the end-of-stream marker is written last, alone";
}

TEST(ArrowStream, EmptyResultIsSchemaAndEndMarkerInOneWrite) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  Written out = stream(conn, "SELECT 1 AS a WHERE false");
  EXPECT_TRUE(batch_lengths(out.bytes).empty());
  EXPECT_EQ(out.writes.size(), 1u);
}

TEST(ArrowStream, BadSqlThrowsBeforeAnyByte) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  for (const std::string sql : {"SELEC 1", "SELECT * FROM nowhere", "CREATE TABLE t (a INT)", "SELECT 1; SELECT 2",
                                // fails while computing the first chunk, after the statement started
                                "SELECT (range::VARCHAR || 'x')::INTEGER FROM range(10)"}) {
    ArrowStreamProgress progress;
    size_t calls = 0;
    error_of(
        [&] {
          write_arrow_stream(
              conn, sql, kLimit, [&](std::string_view) { return ++calls > 0; }, &progress);
        },
        ErrorCode::InvalidArgument);
    EXPECT_EQ(calls, 0u) << sql;
    EXPECT_EQ(progress.bytes_written, 0) << sql;
  }
}

TEST(ArrowStream, UnsupportedTypeNamesTheColumn) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  std::string message =
      error_of([&] { stream(conn, "SELECT 1 AS fine, 'a'::ENUM('a', 'b') AS mood"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("column \"mood\" has type ENUM"), std::string::npos) << message;
  EXPECT_NE(message.find("cast it to VARCHAR"), std::string::npos) << message;
}

TEST(ArrowStream, UnionIsRefusedToo) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  std::string message = error_of([&] { stream(conn, "SELECT union_value(n := 1) AS u"); }, ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("column \"u\" has type UNION"), std::string::npos) << message;
}

// Types the JavaScript comparison leaves out, as DuckDB exports them: TIMETZ as time64, UHUGEINT as
// 16-byte fixed-size binary, BIT and VARINT as binary (with DuckDB's extension names as field metadata).
TEST(ArrowStream, LessCommonTypesStreamAsDuckDBExportsThem) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  Written out = stream(conn,
                       "SELECT '10:00:00+01'::TIMETZ AS ttz, 1::UHUGEINT AS uh, '101'::BIT AS bits, 12::VARINT AS vi, "
                       "NULL AS nothing FROM range(3)");
  EXPECT_EQ(batch_lengths(out.bytes), std::vector<int64_t>{3});
  const auto* fields = af::GetMessage(out.bytes.data() + 8)->header_as_Schema()->fields();
  ASSERT_EQ(fields->size(), 5u);
  EXPECT_EQ(fields->Get(0)->type_type(), af::Type_Time);
  EXPECT_EQ(fields->Get(1)->type_type(), af::Type_FixedSizeBinary);
  EXPECT_EQ(fields->Get(2)->type_type(), af::Type_Binary);
  EXPECT_EQ(fields->Get(3)->type_type(), af::Type_Binary);
  ASSERT_NE(fields->Get(3)->custom_metadata(), nullptr);
  std::vector<std::string> keys;
  for (const af::KeyValue* pair : *fields->Get(3)->custom_metadata()) keys.push_back(pair->key()->str());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "ARROW:extension:name"), keys.end());
}

TEST(ArrowStream, ReaderLeavingStopsAHugeQueryQuickly) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  auto started = std::chrono::steady_clock::now();
  int calls = 0;
  ArrowStreamProgress progress;
  bool finished = write_arrow_stream(
      conn, "SELECT * FROM range(1000000000000)", kLimit, [&](std::string_view) { return ++calls < 3; }, &progress);
  EXPECT_FALSE(finished);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(progress.batches, 2);  // the writes accepted, not the one refused
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  // The connection is fine for the next query.
  EXPECT_EQ(run_user_query(conn, "SELECT 42 AS answer", {}, kLimit).rows.dump(), R"([{"answer":42}])");
  EXPECT_EQ(batch_lengths(stream(conn, "SELECT 7 AS seven").bytes), std::vector<int64_t>{1});
}

TEST(ArrowStream, MemoryStaysBoundedForTenMillionRows) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  size_t largest = 0;
  int64_t total = 0;
  ArrowStreamProgress progress;
  bool finished = write_arrow_stream(
      conn, "SELECT range AS i, range::VARCHAR AS s FROM range(10000000)", kLimit,
      [&](std::string_view bytes) {
        largest = std::max(largest, bytes.size());
        total += static_cast<int64_t>(bytes.size());
        return true;
      },
      &progress);
  EXPECT_TRUE(finished);
  EXPECT_EQ(progress.rows, 10000000);
  EXPECT_EQ(progress.bytes_written, total);
  EXPECT_GT(total, 100'000'000);  // 8 bytes per integer, 4 per offset and the digits
  EXPECT_LT(largest, 64u * 1024) << "one chunk per write, never the result";
}

TEST(ArrowStream, TimeLimitAfterBytesWereWritten) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  ArrowStreamProgress progress;
  std::string message = error_of(
      [&] {
        write_arrow_stream(
            conn, "SELECT * FROM range(1000000000000)", std::chrono::milliseconds(500),
            [](std::string_view) { return true; }, &progress);
      },
      ErrorCode::InvalidArgument);
  EXPECT_EQ(message, "query stopped after the time limit of 0.5 s; narrow it or add LIMIT");
  EXPECT_GT(progress.bytes_written, 0);
  EXPECT_EQ(batch_lengths(stream(conn, "SELECT 7 AS seven").bytes), std::vector<int64_t>{1});
}

TEST(ArrowStream, RepeatedColumnNamesGetSuffixes) {
  Database db(DatabaseOptions{.sandboxed = true, .threads = 2});
  Connection conn(db);
  Written out = stream(conn, "SELECT 1 AS a, 2 AS a");
  const auto* message = af::GetMessage(out.bytes.data() + 8);
  const auto* fields = message->header_as_Schema()->fields();
  ASSERT_EQ(fields->size(), 2u);
  EXPECT_EQ(fields->Get(0)->name()->str(), "a");
  EXPECT_EQ(fields->Get(1)->name()->str(), "a_2");
}

}  // namespace
}  // namespace superstore::query
