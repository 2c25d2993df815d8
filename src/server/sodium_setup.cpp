#include "server/sodium_setup.h"

#include <sodium.h>

#include <vector>

#include "common/error.h"
#include "server/base64url.h"

namespace superstore::server {

void ensure_sodium() {
  // Function-local static: C++ guarantees one initialisation even when threads race here.
  static const int result = sodium_init();
  if (result < 0) fail(ErrorCode::Internal, "libsodium failed to initialise (no usable randomness source?)");
}

std::string random_password(size_t length) {
  ensure_sodium();
  // Base64 turns 3 bytes into 4 characters; draw enough bytes, then cut to the exact length.
  std::vector<unsigned char> bytes((length * 3) / 4 + 3);
  randombytes_buf(bytes.data(), bytes.size());
  std::string password = base64url_encode(bytes.data(), bytes.size()).substr(0, length);
  sodium_memzero(bytes.data(), bytes.size());
  return password;
}

}  // namespace superstore::server
