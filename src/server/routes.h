// The API's routes, one function per resource, each defined in its own routes_<resource>.cpp. The Server
// calls every function once at construction (server.cpp, register_all_routes). To add a resource: write
// routes_<resource>.cpp with a register_<resource>_routes function, declare it here, call it from
// register_all_routes, and list the file in CMakeLists.txt.
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace superstore::server {

void register_health_routes(Router& router, ServerContext& context);      // GET /health
void register_auth_routes(Router& router, ServerContext& context);        // /auth/jwt/login, /auth/jwt/logout, /auth/me
void register_database_routes(Router& router, ServerContext& context);    // GET /databases
void register_table_routes(Router& router, ServerContext& context);       // POST /tables, GET, DELETE /table/{id}
void register_table_rows_routes(Router& router, ServerContext& context);  // POST /table/{id}/rows, /table/{id}/delete
void register_table_history_routes(Router& router, ServerContext& context);  // GET /table/{id}/history
void register_execute_routes(Router& router, ServerContext& context);        // POST /execute
void register_dev_routes(Router& router, ServerContext& context);            // /dev/* (APP_ENV=dev only)
void register_console_routes(Router& router, ServerContext& context);        // GET / and /assets/*: the web console
void register_openapi_routes(Router& router, ServerContext& context);        // GET /openapi.json

}  // namespace superstore::server
