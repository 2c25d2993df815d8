#include "server/auth/password.h"

#include <sodium.h>

#include <vector>

#include "common/error.h"
#include "server/auth/base64url.h"
#include "server/auth/sodium_setup.h"

namespace superstore::server {

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum_for_tests() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordCost cost) : cost_(cost) {
  ensure_sodium();
  // Verification time follows the cost written in the hash, so the dummy carries the real cost; its salt
  // and digest are random bytes rather than the result of hashing, which would cost every start-up one
  // full hash (64 MiB of argon2id, most of `serve`'s start). Nobody knows a password that matches it.
  unsigned char salt[crypto_pwhash_SALTBYTES], digest[32];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(digest, sizeof digest);
  auto base64 = [](const unsigned char* bytes, size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    out.resize(out.find('\0'));
    return out;
  };
  dummy_hash_ = std::string(crypto_pwhash_argon2id_STRPREFIX) + "v=19$m=" + std::to_string(cost.memlimit / 1024) +
                ",t=" + std::to_string(cost.opslimit) + ",p=1$" + base64(salt, sizeof salt) + "$" +
                base64(digest, sizeof digest);
}

std::string PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.opslimit, cost_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    fail(ErrorCode::Internal, "password hashing failed: out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view stored_hash, std::string_view password) const {
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most STRBYTES; the prefix check keeps
  // argon2i hashes (which libsodium would also accept) out, so every stored hash is argon2id.
  static constexpr std::string_view kPrefix = crypto_pwhash_argon2id_STRPREFIX;
  if (stored_hash.size() >= crypto_pwhash_STRBYTES || !stored_hash.starts_with(kPrefix)) return false;
  std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  // The result is meaningless (nobody knows the dummy password); only the work matters.
  (void)verify(dummy_hash_, password);
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
