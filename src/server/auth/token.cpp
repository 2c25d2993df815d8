#include "server/auth/token.h"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "common/parse_int.h"
#include "server/auth/base64url.h"
#include "server/auth/sodium_setup.h"

namespace superstore::server {
namespace {

static_assert(SecretKey::kSize == crypto_auth_hmacsha256_KEYBYTES);

using nlohmann::json;

[[noreturn]] void reject(const std::string& reason) { fail(ErrorCode::Unauthenticated, reason); }

std::string sign(const SecretKey& key, std::string_view signing_input) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                         key.data());
  return base64url_encode(mac, sizeof mac);
}

json decode_object(std::string_view segment) {
  std::optional<std::string> text = base64url_decode(segment);
  if (!text) reject("malformed token");
  json value = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) reject("malformed token");
  return value;
}

int64_t integer_claim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !(it->is_number_integer() || it->is_number_unsigned())) reject("malformed token");
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) reject("malformed token");
  return it->get<int64_t>();
}

std::string string_claim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) reject("malformed token");
  return it->get<std::string>();
}

int64_t parse_user_id(const std::string& sub) {
  std::optional<int64_t> id = parse_int64(sub);
  if (!id || *id <= 0) reject("malformed token");
  return *id;
}

}  // namespace

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TokenSigner::TokenSigner(const SecretKey& key, std::chrono::seconds lifetime) : key_(key), lifetime_(lifetime) {
  ensure_sodium();
}

std::string TokenSigner::issue(int64_t user_id, const std::string& email) const {
  return issue(user_id, email, unix_now());
}

std::string TokenSigner::issue(int64_t user_id, const std::string& email, int64_t now) const {
  static const std::string header = base64url_encode(std::string_view(R"({"alg":"HS256","typ":"JWT"})"));
  // jti makes every token unique, so logging out one session never revokes another that happened to log
  // in during the same second.
  unsigned char nonce[12];
  randombytes_buf(nonce, sizeof nonce);
  json claims = {{"sub", std::to_string(user_id)},
                 {"email", email},
                 {"iat", now},
                 {"exp", now + lifetime_.count()},
                 {"jti", base64url_encode(nonce, sizeof nonce)}};
  // replace: an email that is not valid UTF-8 must not make token issue throw.
  std::string payload = base64url_encode(claims.dump(-1, ' ', false, json::error_handler_t::replace));
  std::string signing_input = header + "." + payload;
  return signing_input + "." + sign(key_, signing_input);
}

TokenClaims TokenSigner::verify(std::string_view token) const { return verify(token, unix_now()); }

TokenClaims TokenSigner::verify(std::string_view token, int64_t now) const {
  if (token.size() > kMaxTokenLength) reject("malformed token");
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    reject("malformed token");
  }
  std::string_view header_segment = token.substr(0, first);
  std::string_view payload_segment = token.substr(first + 1, second - first - 1);
  std::string_view signature_segment = token.substr(second + 1);

  // The algorithm comes from the header, which an attacker controls: accept exactly one, so "none" or an
  // asymmetric algorithm can never be substituted.
  json header = decode_object(header_segment);
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    reject("token algorithm must be HS256");
  }
  auto typ = header.find("typ");
  if (typ != header.end() && (!typ->is_string() || typ->get<std::string>() != "JWT")) reject("malformed token");

  std::optional<std::string> signature = base64url_decode(signature_segment);
  if (!signature || signature->size() != crypto_auth_hmacsha256_BYTES) reject("token signature does not match");
  std::string_view signing_input = token.substr(0, second);
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(signature->data()),
                                    reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                                    key_.data()) != 0) {
    reject("token signature does not match");
  }

  json payload = decode_object(payload_segment);
  TokenClaims claims;
  claims.user_id = parse_user_id(string_claim(payload, "sub"));
  claims.email = string_claim(payload, "email");
  claims.issued_at = integer_claim(payload, "iat");
  claims.expires_at = integer_claim(payload, "exp");
  if (claims.expires_at <= now) reject("token expired; log in again");
  if (claims.issued_at > now + kAllowedClockSkew.count()) reject("token issued in the future");
  if (claims.expires_at <= claims.issued_at) reject("malformed token");
  return claims;
}

}  // namespace superstore::server
