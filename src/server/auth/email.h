// The shape accepted for account emails (login names). Deliberately loose — one "@" with text on both
// sides, no spaces or control characters, at most 254 bytes — since the only real check of an address is
// sending mail to it, which superstore never does.
#pragma once

#include <string_view>

namespace superstore::server {

// Throws Error(InvalidArgument) naming the rule the email breaks.
void validate_email(std::string_view email);

}  // namespace superstore::server
