// libsodium must be initialised once per process before any of its functions run; every server file
// that calls libsodium goes through ensure_sodium() first instead of relying on start-up order.
#pragma once

namespace superstore::server {

// Initialises libsodium (idempotent, thread-safe). Throws Error(Internal) if the library cannot start,
// which in practice means the system has no usable source of randomness.
void ensure_sodium();

}  // namespace superstore::server
