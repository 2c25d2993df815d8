#include "server/auth/sodium_setup.h"

#include <sodium.h>

#include "common/error.h"

namespace superstore::server {

void ensure_sodium() {
  // Function-local static: C++ guarantees one initialisation even when threads race here.
  static const int result = sodium_init();
  if (result < 0) fail(ErrorCode::Internal, "libsodium failed to initialise (no usable randomness source?)");
}

}  // namespace superstore::server
