// What the connection front (front.h) must know of a request before httplib parses it: where the head
// ends, how long the body is, and whether the head is so broken that it is answered at once. httplib
// parses the head again for routing; this reads only the request line and the framing headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace superstore::server {

struct RequestHead {
  size_t size = 0;     // bytes up to and including the blank line that ends the head
  std::string method;  // the request line's first word and second, for the access log
  std::string target;
  std::optional<uint64_t> content_length;  // a valid Content-Length, when present
  bool chunked = false;                    // Transfer-Encoding: chunked
  bool expects_continue = false;           // Expect: 100-continue: the client waits before sending its body
  // Not 0: the head is refused before httplib sees it, with this status and message, and the connection
  // closed (its body, if any, cannot be told from a next request).
  int refusal_status = 0;
  std::string refusal;
};

// The offset just past the "\r\n\r\n" that ends a head in `bytes`, searching from `from` (a previous
// search's end, so that bytes arriving one at a time are not searched again); npos while it has not come.
size_t find_head_end(std::string_view bytes, size_t from = 0);

// Reads `head` (a whole head, ending in the blank line). Refuses, answering at once rather than after a
// read timeout:
//  - a Content-Length that is not a plain non-negative decimal number (400), or over INT64_MAX (413), or
//    given twice with different values (400);
//  - both Content-Length and Transfer-Encoding (400; RFC 9112, section 6.1, calls it an attempt at request
//    smuggling), and a Transfer-Encoding other than chunked (501).
RequestHead parse_request_head(std::string_view head);

}  // namespace superstore::server
