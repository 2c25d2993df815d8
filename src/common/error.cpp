#include "common/error.h"

namespace superstore {

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return 400;
    case ErrorCode::Unauthenticated:
      return 401;
    case ErrorCode::Forbidden:
      return 403;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::Conflict:
      return 409;
    case ErrorCode::TooLarge:
      return 413;
    case ErrorCode::NotAcceptable:
      return 406;
    case ErrorCode::Internal:
      return 500;
    case ErrorCode::Cancelled:
      return 499;
    case ErrorCode::InsufficientStorage:
      return 507;
  }
  return 500;
}

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid_argument";
    case ErrorCode::Unauthenticated:
      return "unauthenticated";
    case ErrorCode::Forbidden:
      return "forbidden";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::Conflict:
      return "conflict";
    case ErrorCode::TooLarge:
      return "too_large";
    case ErrorCode::NotAcceptable:
      return "not_acceptable";
    case ErrorCode::Internal:
      return "internal";
    case ErrorCode::Cancelled:
      return "cancelled";
    case ErrorCode::InsufficientStorage:
      return "insufficient_storage";
  }
  return "internal";
}

}  // namespace superstore
