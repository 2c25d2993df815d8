// libsodium must be initialised once per process before any of its functions run; every server file
// that calls libsodium goes through ensure_sodium() first instead of relying on start-up order.
#pragma once

#include <cstddef>
#include <string>

namespace superstore::server {

// Initialises libsodium (idempotent, thread-safe). Throws Error(Internal) if the library cannot start,
// which in practice means the system has no usable source of randomness.
void ensure_sodium();

// A random password of `length` characters drawn from the URL-safe base64 alphabet (6 bits each), for
// first users created in dev without USER_PASSWORD.
std::string random_password(size_t length = 24);

}  // namespace superstore::server
