#include "server/content_coding.h"

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <optional>

#include "common/strings.h"

namespace superstore::server {
namespace {

// Where hide_accept_encoding keeps the client's Accept-Encoding.
constexpr const char* kClientAcceptEncoding = "X-Superstore-Client-Accept-Encoding";

// Below this, compression saves too little to be worth a header and a pass.
constexpr size_t kMinCompressBytes = 1024;

bool compressible(std::string_view content_type) {
  const std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  return (type.rfind("text/", 0) == 0 && type != "text/event-stream") || type == "application/json" ||
         type == "application/x-ndjson" || type == "application/javascript" || type == "application/xml" ||
         type == "image/svg+xml";
}

}  // namespace

AcceptedCodings parse_accept_encoding(std::string_view header) {
  std::optional<bool> gzip_ok, br_ok, any_ok;
  for (const std::string& item : split_list(header)) {
    const std::vector<std::string> parts = split_list(item, ';');
    if (parts.empty()) continue;
    double weight = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].size() > 2 && (parts[i][0] == 'q' || parts[i][0] == 'Q') && parts[i][1] == '=') {
        weight = std::strtod(parts[i].c_str() + 2, nullptr);
      }
    }
    const std::string coding = lower(parts[0]);
    const bool acceptable = weight > 0;
    if (coding == "gzip" || coding == "x-gzip") {
      gzip_ok = acceptable;
    } else if (coding == "br") {
      br_ok = acceptable;
    } else if (coding == "*") {
      any_ok = acceptable;
    }
  }
  const bool any = any_ok.value_or(false);
  return {gzip_ok.value_or(any), br_ok.value_or(any)};
}

void hide_accept_encoding(httplib::Request& request) {
  std::string value;
  for (auto [it, end] = request.headers.equal_range("Accept-Encoding"); it != end; ++it) {
    value += (value.empty() ? "" : ", ") + it->second;
  }
  request.headers.erase("Accept-Encoding");
  request.headers.erase(kClientAcceptEncoding);
  if (!value.empty()) request.headers.emplace(kClientAcceptEncoding, value);
}

AcceptedCodings accepted_codings(const httplib::Request& request) {
  return parse_accept_encoding(request.get_header_value(kClientAcceptEncoding));
}

void add_vary(httplib::Response& response, std::string_view header) {
  auto vary = response.headers.find("Vary");
  if (vary == response.headers.end()) {
    response.set_header("Vary", std::string(header));
    return;
  }
  for (const std::string& listed : split_list(vary->second)) {
    if (iequals(listed, header)) return;
  }
  vary->second += ", " + std::string(header);
}

void compress_answer(const httplib::Request& request, httplib::Response& response) {
  if (response.body.size() < kMinCompressBytes || response.has_header("Content-Encoding") ||
      response.has_header("ETag") || response.status == 206 || request.has_header("Range") ||
      !compressible(response.get_header_value("Content-Type"))) {
    return;
  }
  add_vary(response, "Accept-Encoding");
  if (!accepted_codings(request).gzip) return;
  std::string compressed = gzip(response.body, 1);
  if (compressed.empty() || compressed.size() >= response.body.size()) return;
  response.body.swap(compressed);
  response.set_header("Content-Encoding", "gzip");
  // httplib has set the length of the body as it was; this hook runs after that and before the headers go.
  response.headers.erase("Content-Length");
  response.set_header("Content-Length", std::to_string(response.body.size()));
}

std::string gzip(std::string_view data, int level) {
  if (data.size() > UINT32_MAX) return {};
  z_stream stream{};
  // 15 + 16: the largest window, with a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string();
}

}  // namespace superstore::server
