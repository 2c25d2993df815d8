// Compression of answers: what Accept-Encoding allows, cheap gzip for dynamic answers (never Brotli at
// request time), and the console's files in the variant compressed at build time; every compressed body
// decodes to the identity answer.
#include "server/content_coding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "server/console_assets.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;

std::string gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return {};
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : "(not gzip)";
}

TEST(AcceptEncoding, ListedCodingsAndWildcardsWithTheirWeights) {
  auto accepts = [](const char* header) {
    const AcceptedCodings c = parse_accept_encoding(header);
    return std::make_pair(c.gzip, c.br);
  };
  EXPECT_EQ(accepts("gzip, deflate, br"), std::make_pair(true, true));
  EXPECT_EQ(accepts("br"), std::make_pair(false, true));
  EXPECT_EQ(accepts("GZip"), std::make_pair(true, false));
  EXPECT_EQ(accepts("br;q=0, gzip;q=0.5"), std::make_pair(true, false));
  EXPECT_EQ(accepts("gzip; q=0.000, br"), std::make_pair(false, true));
  EXPECT_EQ(accepts("*"), std::make_pair(true, true));
  EXPECT_EQ(accepts("*;q=0, gzip"), std::make_pair(true, false));
  EXPECT_EQ(accepts("br;q=0, *"), std::make_pair(true, false));
  EXPECT_EQ(accepts("identity"), std::make_pair(false, false));
  EXPECT_EQ(accepts(""), std::make_pair(false, false));
}

TEST(AcceptEncoding, HttplibNeverSeesItAndAClientCannotForgeTheKeptCopy) {
  httplib::Request request;
  request.headers.emplace("Accept-Encoding", "br");
  request.headers.emplace("accept-encoding", "gzip;q=0");
  request.headers.emplace("X-Superstore-Client-Accept-Encoding", "gzip");
  hide_accept_encoding(request);
  EXPECT_FALSE(request.has_header("Accept-Encoding"));
  const AcceptedCodings kept = accepted_codings(request);
  EXPECT_TRUE(kept.br);
  EXPECT_FALSE(kept.gzip);
}

TEST(Vary, AddsEachHeaderOnce) {
  httplib::Response response;
  add_vary(response, "Accept-Encoding");
  add_vary(response, "Accept-Encoding");
  EXPECT_EQ(response.get_header_value("Vary"), "Accept-Encoding");
  httplib::Response cors;
  cors.set_header("Vary", "Origin");
  add_vary(cors, "Accept-Encoding");
  EXPECT_EQ(cors.get_header_value("Vary"), "Origin, Accept-Encoding");
  EXPECT_EQ(cors.get_header_value_count("Vary"), 1u);
}

class Compression : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("ada@example.com", "a-long-password");
    token = token_for("ada@example.com", "a-long-password");
  }

  // POST /execute as sent, the body not decoded.
  httplib::Result execute(const json& request, const std::string& accept_encoding) const {
    httplib::Client c = client();
    c.set_decompress(false);
    return c.Post("/execute", {{"Authorization", "Bearer " + token}, {"Accept-Encoding", accept_encoding}},
                  request.dump(), "application/json");
  }

  // The answer without the time it took, which differs from run to run.
  static json timeless(const std::string& text) {
    json answer = json::parse(text, nullptr, false);
    if (answer.is_object()) answer["stats"].erase("execution_time");
    return answer;
  }

  std::string token;
};

const json kManyRows = {{"query", "SELECT range AS n, 'row number ' || range AS label FROM range(2000)"},
                        {"per_page", 2000}};

TEST_F(Compression, ExecuteIsGzippedCheaplyWhateverElseTheClientAccepts) {
  auto identity = execute(kManyRows, "identity");
  ASSERT_TRUE(identity);
  ASSERT_EQ(identity->status, 200) << identity->body;
  EXPECT_FALSE(identity->has_header("Content-Encoding"));
  EXPECT_EQ(identity->get_header_value("Vary"), "Accept-Encoding");
  const json expected = timeless(identity->body);
  ASSERT_EQ(expected["data"]["rows"].size(), 2000u);

  for (const char* accepted : {"br, gzip", "gzip, deflate, br", "gzip"}) {
    SCOPED_TRACE(accepted);
    auto r = execute(kManyRows, accepted);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
    EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
    EXPECT_EQ(r->get_header_value("Content-Length"), std::to_string(r->body.size()));
    EXPECT_LT(r->body.size() * 3, identity->body.size());
    EXPECT_EQ(timeless(gunzip(r->body)), expected);
  }
  // Brotli only at build time: a client that accepts nothing else gets the answer as it is.
  for (const char* accepted : {"br", "gzip;q=0, br", ""}) {
    SCOPED_TRACE(accepted);
    auto r = execute(kManyRows, accepted);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_header("Content-Encoding"));
    EXPECT_EQ(timeless(r->body), expected);
  }
}

TEST_F(Compression, SmallAnswersAndStreamedDownloadsAreSentAsTheyAre) {
  auto small = execute({{"query", "SELECT 1 AS x"}}, "gzip, br");
  ASSERT_TRUE(small);
  EXPECT_FALSE(small->has_header("Content-Encoding"));
  EXPECT_EQ(json::parse(small->body)["data"]["rows"], json::parse(R"([{"x": 1}])"));

  // A download small enough to be answered whole is one more text answer; a streamed one is not touched.
  auto download = execute({{"query", kManyRows["query"]}, {"format", "csv"}}, "gzip, br");
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  EXPECT_EQ(download->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(download->body).rfind("n,label\n0,row number 0\n", 0), 0u);
  auto streamed = execute(
      {{"query", "SELECT range AS i, md5(range::VARCHAR) AS h FROM range(300000)"}, {"format", "csv"}}, "gzip, br");
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(streamed->has_header("Content-Encoding"));
  EXPECT_EQ(streamed->body.rfind("i,h\n0,", 0), 0u);
}

const ConsoleAsset* compressed_script() {
  for (size_t i = 0; i < kConsoleAssetCount; ++i) {
    const ConsoleAsset& asset = kConsoleAssets[i];
    if (std::string_view(asset.path).rfind("/assets/js/", 0) == 0 && asset.br_size > 0 && asset.gzip_size > 0) {
      return &asset;
    }
  }
  return nullptr;
}

TEST_F(Compression, ConsoleScriptsAreServedInTheVariantCompressedAtBuildTime) {
  const ConsoleAsset* asset = compressed_script();
  if (!asset) GTEST_SKIP() << "built without the web console";
  const std::string identity(reinterpret_cast<const char*>(asset->data), asset->size);
  httplib::Client raw = client();
  raw.set_decompress(false);
  httplib::Client decoding = client();
  struct Case {
    const char* accepted;
    const char* coding;  // "" for none
  };
  for (const Case& c : {Case{"br, gzip", "br"}, Case{"gzip, deflate, br", "br"}, Case{"gzip", "gzip"},
                        Case{"br;q=0, gzip", "gzip"}, Case{"identity", ""}}) {
    SCOPED_TRACE(c.accepted);
    auto r = raw.Get(asset->path, {{"Accept-Encoding", c.accepted}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Encoding"), c.coding);
    EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
    EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    const std::string etag = r->get_header_value("ETag");
    if (std::string_view(c.coding) == "br") {
      EXPECT_EQ(r->body, std::string(reinterpret_cast<const char*>(asset->br_data), asset->br_size));
      EXPECT_LT(r->body.size() * 2, identity.size());
      EXPECT_EQ(etag, std::string(asset->etag).insert(std::string(asset->etag).size() - 1, "-br"));
    } else if (std::string_view(c.coding) == "gzip") {
      EXPECT_EQ(gunzip(r->body), identity);
      EXPECT_EQ(etag, std::string(asset->etag).insert(std::string(asset->etag).size() - 1, "-gzip"));
    } else {
      EXPECT_EQ(r->body, identity);
      EXPECT_EQ(etag, asset->etag);
    }
    // httplib's client decodes Brotli and gzip itself: every variant is the same script.
    auto decoded = decoding.Get(asset->path, {{"Accept-Encoding", c.accepted}});
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->body, identity);
    // Each variant revalidates under its own tag.
    auto again = raw.Get(asset->path, {{"Accept-Encoding", c.accepted}, {"If-None-Match", etag}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304);
  }
}

}  // namespace
}  // namespace superstore::server
