#include "server/auth/email.h"

#include <string>

#include "common/error.h"

namespace superstore::server {

void validate_email(std::string_view email) {
  if (email.empty() || email.size() > 254) fail(ErrorCode::InvalidArgument, "an email must have 1 to 254 characters");
  for (unsigned char c : email) {
    if (c <= ' ' || c == 0x7f) {
      fail(ErrorCode::InvalidArgument, "an email must not contain spaces or control characters");
    }
  }
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    fail(ErrorCode::InvalidArgument, "'" + std::string(email) + "' is not an email address (name@domain)");
  }
}

}  // namespace superstore::server
