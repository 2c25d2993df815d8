// Fuzz target: the JWT verifier (server/auth/token.cpp) and its base64url codec. Modes (first byte):
//  0  the bytes as a bearer token;
//  1  "<header JSON>\n<payload JSON>", signed with the server's key, so that the claims parser behind the
//     signature check is reached too;
//  2  the bytes through base64url, both ways.
// Properties: verify rejects only with Error(Unauthenticated); a token that verifies yields claims that
// a fresh token carries unchanged, and changing any one character of it makes it fail; decoding is the
// exact inverse of encoding (one accepted spelling per byte string).
#include <sodium.h>

#include <array>
#include <string>

#include "fuzz/fuzz_support.h"
#include "server/auth/base64url.h"
#include "server/auth/token.h"

namespace {

using namespace superstore;
using namespace superstore::server;

constexpr int64_t kNow = 1'800'000'000;  // a fixed "now", so a run does not depend on the clock

std::array<unsigned char, SecretKey::kSize> key_bytes() {
  std::array<unsigned char, SecretKey::kSize> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(7 * i + 1);
  return bytes;
}

const TokenSigner& signer() {
  static const TokenSigner instance{SecretKey(key_bytes())};
  return instance;
}

std::string signed_token(std::string_view header, std::string_view payload) {
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  const std::array<unsigned char, SecretKey::kSize> key = key_bytes();
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                         key.data());
  return signing_input + "." + base64url_encode(mac, sizeof mac);
}

bool verifies(std::string_view token) {
  return fuzz::rejects_only_with({ErrorCode::Unauthenticated}, [&] { signer().verify(token, kNow); });
}

void check_verified(const std::string& token) {
  TokenClaims claims;
  if (!fuzz::rejects_only_with({ErrorCode::Unauthenticated}, [&] { claims = signer().verify(token, kNow); })) return;
  FUZZ_CHECK(claims.user_id > 0 && claims.expires_at > kNow && claims.expires_at > claims.issued_at,
             "verify accepted impossible claims in " + token);
  const std::string again = signer().issue(claims.user_id, claims.email, claims.issued_at);
  const TokenClaims reissued = signer().verify(again, claims.issued_at);
  FUZZ_CHECK(
      reissued.user_id == claims.user_id && reissued.email == claims.email && reissued.issued_at == claims.issued_at,
      "the claims of " + token + " did not survive a new token");
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  for (size_t i = 0; i < token.size(); ++i) {
    std::string changed = token;
    changed[i] = kAlphabet[(kAlphabet.find(token[i]) + 1) % kAlphabet.size()];
    FUZZ_CHECK(!verifies(changed),
               "token " + token + " still verifies with character " + std::to_string(i) + " changed");
  }
}

void check_base64url(std::string_view bytes) {
  const std::string encoded = base64url_encode(bytes);
  FUZZ_CHECK(base64url_decode(encoded) == std::string(bytes), "decode(encode(x)) != x");
  if (std::optional<std::string> decoded = base64url_decode(bytes)) {
    FUZZ_CHECK(base64url_encode(*decoded) == bytes, "a second spelling of some bytes decodes: " + std::string(bytes));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [mode, rest] = fuzz::split_mode(data, size, 3);
  switch (mode) {
    case 0:
      check_verified(std::string(rest));
      break;
    case 1: {
      const size_t newline = rest.find('\n');
      const std::string_view header = rest.substr(0, newline);
      const std::string_view payload =
          newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
      check_verified(signed_token(header, payload));
      break;
    }
    default:
      check_base64url(rest);
      break;
  }
  return 0;
}
