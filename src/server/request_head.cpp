#include "server/request_head.h"

#include <algorithm>

#include "common/strings.h"

namespace superstore::server {
namespace {

constexpr std::string_view kHeadEnd = "\r\n\r\n";

void refuse(RequestHead& head, int status, std::string message) {
  if (head.refusal_status != 0) return;  // the first problem is the one reported
  head.refusal_status = status;
  head.refusal = std::move(message);
}

void read_content_length(RequestHead& head, std::string_view value) {
  const bool digits =
      !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    refuse(head, 400, "malformed Content-Length: it must be the body's size in bytes, a whole number from 0 up");
    return;
  }
  uint64_t length = 0;
  for (char c : value) {
    if (length > (static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(c - '0')) / 10) {
      refuse(head, 413, "request body too large: Content-Length is beyond any limit");
      return;
    }
    length = length * 10 + static_cast<uint64_t>(c - '0');
  }
  if (head.content_length && *head.content_length != length) {
    refuse(head, 400, "malformed request: two different Content-Length headers");
    return;
  }
  head.content_length = length;
}

}  // namespace

size_t find_head_end(std::string_view bytes, size_t from) {
  const size_t start = from >= kHeadEnd.size() - 1 ? from - (kHeadEnd.size() - 1) : 0;
  const size_t at = bytes.find(kHeadEnd, start);
  return at == std::string_view::npos ? std::string_view::npos : at + kHeadEnd.size();
}

RequestHead parse_request_head(std::string_view text) {
  RequestHead head;
  head.size = text.size();
  size_t line_end = text.find("\r\n");
  const std::string_view request_line = text.substr(0, line_end);
  const size_t space = request_line.find(' ');
  head.method = std::string(request_line.substr(0, space));
  if (space != std::string_view::npos) {
    const std::string_view rest = request_line.substr(space + 1);
    head.target = std::string(rest.substr(0, rest.find(' ')));
  }
  bool has_transfer_encoding = false;
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = text.find("\r\n", start);
    if (line_end == std::string_view::npos || line_end == start) break;
    const std::string_view line = text.substr(start, line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // httplib skips such lines too
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      read_content_length(head, value);
    } else if (iequals(name, "Transfer-Encoding")) {
      has_transfer_encoding = true;
      if (iequals(value, "chunked")) {
        head.chunked = true;
      } else {
        refuse(head, 501,
               "Transfer-Encoding '" + std::string(value.substr(0, 40)) +
                   "' is not supported: send the body with Content-Length or chunked");
      }
    } else if (iequals(name, "Expect") && iequals(value, "100-continue")) {
      head.expects_continue = true;
    }
  }
  if (has_transfer_encoding && head.content_length) {
    refuse(head, 400, "malformed request: it has both Content-Length and Transfer-Encoding");
  }
  return head;
}

}  // namespace superstore::server
