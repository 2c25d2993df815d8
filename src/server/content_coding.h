// Compression of answers (content codings). Debian's httplib 0.11 is built with Brotli and zlib and, when a
// request's Accept-Encoding names br, compresses every answer of a text type at Brotli's slowest setting
// (quality 11): 4.0 s instead of 0.12 s for 10,000 rows of /execute. The server decides instead:
//
//  - hide_accept_encoding, which the front calls on every request before httplib routes it, moves the
//    client's Accept-Encoding out of httplib's sight to a header of our own, where accepted_codings reads
//    it: httplib compresses only what a request's Accept-Encoding asks for, so it compresses nothing.
//  - The console's files are compressed once, at build time (Brotli at quality 11 and gzip at level 9),
//    and routes_console.cpp sends the variant the client accepts.
//  - compress_answer, the post-routing hook, gzips other answers of a text type of 1 KiB or more at zlib's
//    level 1 when the client accepts gzip: 10,000 rows of /execute (861 KB) took 1.03x the time of the
//    uncompressed answer and shrank to 17 % (bench/front_bench.cpp; level 6 took 1.16x for 14 %).
//    Downloads streamed in chunks (over 4 MiB) are sent as they are.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

namespace superstore::server {

struct AcceptedCodings {
  bool gzip = false;
  bool br = false;
};

// What an Accept-Encoding value allows (RFC 9110, section 12.5.3): codings listed without q=0, or
// covered by a "*" without q=0. Identity is always assumed acceptable.
AcceptedCodings parse_accept_encoding(std::string_view header);

// Moves Accept-Encoding to the server's own header (dropping a copy the client sent of that one).
void hide_accept_encoding(httplib::Request& request);
// The codings the client of `request` accepts, as hide_accept_encoding kept them.
AcceptedCodings accepted_codings(const httplib::Request& request);

// Adds `header` to the answer's Vary header (creating it), once.
void add_vary(httplib::Response& response, std::string_view header);

// Gzips the body of `response` at level 1 when that is worth it: a text type, at least 1 KiB, not yet
// encoded, not a range, no ETag (which names one encoding), and a client that accepts gzip. Adds "Vary:
// Accept-Encoding" to every answer it could have compressed.
void compress_answer(const httplib::Request& request, httplib::Response& response);

// `data` gzipped at zlib's `level` (1 to 9); empty when zlib fails.
std::string gzip(std::string_view data, int level);

}  // namespace superstore::server
