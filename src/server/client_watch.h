// Whether the client of a request has gone away, asked while its handler still runs (for the cancel of
// a query whose client closed the connection). httplib 0.11 hands a handler no socket, so the check finds
// it the first time it is asked: the process's one TCP socket whose two ends are the request's.
#pragma once

#include <httplib.h>

#include <functional>

namespace superstore::server {

// A check for query::QueryControl::cancelled: true once the client's side of the request's connection is
// closed or reset (a half-closed connection counts as closed: no HTTP client sends its end early and
// still waits). Bytes of a next request sent ahead do not count. Call it only while the handler of
// `request` runs: the socket is closed after the handler returns. Never true when the socket cannot be
// found.
std::function<bool()> client_gone_check(const httplib::Request& request);

}  // namespace superstore::server
