// Reading path and query parameters, shared by the routes of tables and their rows and history. Every
// function throws Error(InvalidArgument) naming the parameter when its text is malformed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "server/router.h"

namespace superstore::server {

struct ServerContext;

// The {id} of a /table/{id}... path (capture group 1). Patterns capture any segment so that
// "/table/abc" is a clear 400, not "no route".
int64_t table_id(const Call& call);

// A query parameter, if present.
std::optional<std::string> param(const httplib::Request& request, const char* name);

// A whole-number query parameter from 1 to `max`; `fallback` when absent.
int64_t int_param(const httplib::Request& request, const char* name, int64_t fallback, int64_t max);

}  // namespace superstore::server
