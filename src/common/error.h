// The one error currency of superstore. Layers throw superstore::Error for every failure a user can cause
// or must hear about; the CLI and the HTTP server catch it at their edge and map its code to an exit
// status or an HTTP status (http_status below is the only such mapping).
#pragma once

#include <stdexcept>
#include <string>

namespace superstore {

enum class ErrorCode {
  InvalidArgument,  // bad input: malformed JSON, wrong type, bad SQL, a violated rule (400)
  Unauthenticated,  // no, bad or expired credentials (401)
  Forbidden,        // authenticated but not allowed here, e.g. /dev outside APP_ENV=dev (403)
  NotFound,         // unknown id or name (404)
  Conflict,         // lost a race or violates uniqueness (409)
  TooLarge,         // over a configured limit (413)
  NotAcceptable,    // the client accepts no format the route can answer in (406)
  Internal,         // a bug or an environment failure such as a full disk (500)
  Cancelled,        // the client went away before its answer was ready (499, nginx's "client closed request")
  // A write found the disk full (ENOSPC), a quota used up or the process's file size limit reached (507).
  // Unlike Internal, its message is for the user: it names the cause and what was being written.
  InsufficientStorage,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

// HTTP status for an error code.
int http_status(ErrorCode code) noexcept;
// Short stable name ("invalid_argument", ...) for logs and tests.
const char* error_code_name(ErrorCode code) noexcept;

}  // namespace superstore
