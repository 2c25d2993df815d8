// The front's reading of request heads: where a head ends, and which framing it refuses at once.
#include "server/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace superstore::server {
namespace {

RequestHead head_with(const std::string& headers) {
  return parse_request_head("POST /execute?x=1 HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n");
}

TEST(RequestHead, TheEndIsFoundAlsoWhenItArrivesAByteAtATime) {
  const std::string whole = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next";
  const size_t expected = whole.find("GET /next");
  size_t scanned = 0;
  size_t found = std::string::npos;
  for (size_t have = 1; have <= whole.size() && found == std::string::npos; ++have) {
    found = find_head_end(std::string_view(whole).substr(0, have), scanned);
    scanned = have;
  }
  EXPECT_EQ(found, expected);
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n"), std::string::npos);
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\n\n"), std::string::npos);  // httplib wants CRLF, so the front does
}

TEST(RequestHead, RequestLineAndFraming) {
  RequestHead head = head_with("Content-Length: 12\r\n");
  EXPECT_EQ(head.refusal_status, 0) << head.refusal;
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/execute?x=1");
  EXPECT_EQ(head.content_length, 12u);
  EXPECT_FALSE(head.chunked);
  EXPECT_EQ(head.size, std::string("POST /execute?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n").size());

  head = head_with("transfer-encoding:  Chunked \r\nEXPECT: 100-continue\r\n");
  EXPECT_EQ(head.refusal_status, 0) << head.refusal;
  EXPECT_TRUE(head.chunked);
  EXPECT_TRUE(head.expects_continue);
  EXPECT_FALSE(head.content_length);

  EXPECT_EQ(head_with("content-length:  7 \r\nContent-Length: 7\r\n").content_length, 7u);
  EXPECT_FALSE(head_with("").content_length);
}

TEST(RequestHead, MalformedContentLengthIsRefusedWith400) {
  for (const char* value : {"-5", "abc", "12abc", "1e3", "+3", "", "0x10", "1, 2", "3 4"}) {
    const RequestHead head = head_with(std::string("Content-Length: ") + value + "\r\n");
    EXPECT_EQ(head.refusal_status, 400) << "'" << value << "'";
    EXPECT_NE(head.refusal.find("Content-Length"), std::string::npos) << head.refusal;
  }
  EXPECT_EQ(head_with("Content-Length: 5\r\nContent-Length: 6\r\n").refusal_status, 400);
  EXPECT_EQ(head_with("Content-Length: 99999999999999999999\r\n").refusal_status, 413);
  EXPECT_EQ(head_with("Content-Length: 9223372036854775807\r\n").refusal_status, 0);
  EXPECT_EQ(head_with("Content-Length: 9223372036854775808\r\n").refusal_status, 413);
}

TEST(RequestHead, AmbiguousOrUnknownTransferCodingsAreRefused) {
  const RequestHead both = head_with("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n");
  EXPECT_EQ(both.refusal_status, 400);
  EXPECT_NE(both.refusal.find("both"), std::string::npos) << both.refusal;
  EXPECT_EQ(head_with("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n").refusal_status, 400);
  EXPECT_EQ(head_with("Transfer-Encoding: gzip, chunked\r\n").refusal_status, 501);
}

}  // namespace
}  // namespace superstore::server
