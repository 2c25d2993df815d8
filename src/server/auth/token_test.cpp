#include "server/auth/token.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "server/auth/base64url.h"

namespace superstore::server {
namespace {

constexpr int64_t kNow = 1'700'000'000;

std::array<unsigned char, SecretKey::kSize> key_bytes(unsigned char fill) {
  std::array<unsigned char, SecretKey::kSize> bytes{};
  bytes.fill(fill);
  return bytes;
}

// Signs arbitrary header and payload text with HS256, independently of TokenSigner, to forge test tokens.
std::string forge(unsigned char key_fill, const std::string& header, const std::string& payload) {
  auto key = key_bytes(key_fill);
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(input.data()), input.size(), key.data());
  return input + "." + base64url_encode(mac, sizeof mac);
}

std::string claims(int64_t iat, int64_t exp, const std::string& sub = "7") {
  return nlohmann::json{{"sub", sub}, {"email", "a@example.com"}, {"iat", iat}, {"exp", exp}}.dump();
}

const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";

class TokenTest : public ::testing::Test {
 protected:
  TokenSigner signer{SecretKey(key_bytes(1))};

  void expect_rejected(const std::string& token, const std::string& reason_part, int64_t now = kNow) {
    try {
      (void)signer.verify(token, now);
      ADD_FAILURE() << "accepted: " << token;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Unauthenticated);
      EXPECT_NE(std::string(e.what()).find(reason_part), std::string::npos) << e.what();
    }
  }
};

TEST_F(TokenTest, RoundTrip) {
  std::string token = signer.issue(42, "Ada@Example.com", kNow);
  TokenClaims c = signer.verify(token, kNow + 10);
  EXPECT_EQ(c.user_id, 42);
  EXPECT_EQ(c.email, "Ada@Example.com");
  EXPECT_EQ(c.issued_at, kNow);
  EXPECT_EQ(c.expires_at, kNow + 3600);
}

TEST_F(TokenTest, HasTheStandardHeaderAndStringSubject) {
  std::string token = signer.issue(42, "a@example.com", kNow);
  size_t dot = token.find('.');
  EXPECT_EQ(*base64url_decode(token.substr(0, dot)), kHeader);
  auto payload = nlohmann::json::parse(*base64url_decode(token.substr(dot + 1, token.rfind('.') - dot - 1)));
  EXPECT_EQ(payload["sub"], "42");
  EXPECT_EQ(payload["exp"], kNow + 3600);
}

TEST_F(TokenTest, EveryTokenIsUnique) {
  EXPECT_NE(signer.issue(1, "a@example.com", kNow), signer.issue(1, "a@example.com", kNow));
}

TEST_F(TokenTest, MatchesAnIndependentHs256Implementation) {
  // A token forged with the same key by plain libsodium HMAC is accepted: the format is standard JWT.
  EXPECT_EQ(signer.verify(forge(1, kHeader, claims(kNow, kNow + 60)), kNow).user_id, 7);
}

TEST_F(TokenTest, RejectsATamperedPayload) {
  std::string token = signer.issue(1, "a@example.com", kNow);
  size_t first = token.find('.'), last = token.rfind('.');
  std::string other = base64url_encode(claims(kNow, kNow + 3600, "2"));
  expect_rejected(token.substr(0, first + 1) + other + token.substr(last), "signature");
}

TEST_F(TokenTest, RejectsATamperedSignature) {
  std::string token = signer.issue(1, "a@example.com", kNow);
  std::string flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  expect_rejected(flipped, "signature");
  expect_rejected(token.substr(0, token.rfind('.') + 1), "signature");  // empty signature
  expect_rejected(token + "AAAA", "signature");                         // longer signature
}

// Logout denies a token by its signature text, so a second spelling of the same signature would revive
// it. libsodium read bytes from 0x80 up as '_' (found by fuzz/token_fuzz.cpp); now only one spelling verifies.
TEST_F(TokenTest, RejectsASignatureWithAnUnderscoreSpelledAsAHighByte) {
  std::string token;
  do {
    token = signer.issue(1, "a@example.com", kNow);  // about half of all signatures hold a '_'
  } while (token.find('_', token.rfind('.')) == std::string::npos);
  ASSERT_EQ(signer.verify(token, kNow).user_id, 1);
  std::string respelled = token;
  respelled[token.find('_', token.rfind('.'))] = '\xff';
  expect_rejected(respelled, "signature");
}

TEST_F(TokenTest, RejectsATokenFromAnotherKey) {
  TokenSigner other{SecretKey(key_bytes(2))};
  expect_rejected(other.issue(1, "a@example.com", kNow), "signature");
}

TEST_F(TokenTest, RejectsAlgNoneAndEveryOtherAlgorithm) {
  std::string payload = base64url_encode(claims(kNow, kNow + 60));
  expect_rejected(base64url_encode(std::string(R"({"alg":"none","typ":"JWT"})")) + "." + payload + ".", "HS256");
  expect_rejected(base64url_encode(std::string(R"({"alg":"None"})")) + "." + payload + ".", "HS256");
  // Even correctly MACed with our key, another alg name is refused.
  expect_rejected(forge(1, R"({"alg":"HS512","typ":"JWT"})", claims(kNow, kNow + 60)), "HS256");
  expect_rejected(forge(1, R"({"alg":"RS256"})", claims(kNow, kNow + 60)), "HS256");
  expect_rejected(forge(1, R"({"typ":"JWT"})", claims(kNow, kNow + 60)), "HS256");
  expect_rejected(forge(1, R"({"alg":["HS256"]})", claims(kNow, kNow + 60)), "HS256");
}

TEST_F(TokenTest, RejectsExpiredTokens) {
  std::string token = signer.issue(1, "a@example.com", kNow);
  EXPECT_NO_THROW((void)signer.verify(token, kNow + 3599));
  expect_rejected(token, "expired", kNow + 3600);  // exp <= now
  expect_rejected(token, "expired", kNow + 100000);
}

TEST_F(TokenTest, RejectsTokensIssuedFarInTheFuture) {
  EXPECT_NO_THROW((void)signer.verify(forge(1, kHeader, claims(kNow + 30, kNow + 3600)), kNow));
  expect_rejected(forge(1, kHeader, claims(kNow + 3600, kNow + 7200)), "future");
}

TEST_F(TokenTest, RejectsGarbage) {
  for (const char* garbage : {"", ".", "..", "...", "abc", "a.b", "a.b.c.d", "!!!.###.$$$", "Bearer x.y.z"}) {
    expect_rejected(garbage, "");
  }
  expect_rejected(std::string(5000, 'a'), "malformed");
  expect_rejected(forge(1, "not json", claims(kNow, kNow + 60)), "malformed");
  expect_rejected(forge(1, kHeader, "[1,2]"), "malformed");
  expect_rejected(forge(1, kHeader, "{"), "malformed");
  expect_rejected(forge(1, R"({"alg":"HS256","typ":"JWS"})", claims(kNow, kNow + 60)), "malformed");
}

TEST_F(TokenTest, RejectsMissingOrMistypedClaims) {
  auto with = [](const nlohmann::json& c) { return forge(1, kHeader, c.dump()); };
  nlohmann::json good = nlohmann::json::parse(claims(kNow, kNow + 60));
  for (const char* name : {"sub", "email", "iat", "exp"}) {
    nlohmann::json c = good;
    c.erase(name);
    expect_rejected(with(c), "malformed");
  }
  for (const char* sub : {"", "abc", "-1", "0", "7x", "99999999999999999999"}) {
    nlohmann::json c = good;
    c["sub"] = sub;
    expect_rejected(with(c), "malformed");
  }
  nlohmann::json numeric_sub = good;
  numeric_sub["sub"] = 7;
  expect_rejected(with(numeric_sub), "malformed");
  nlohmann::json string_exp = good;
  string_exp["exp"] = std::to_string(kNow + 60);
  expect_rejected(with(string_exp), "malformed");
  nlohmann::json float_exp = good;
  float_exp["exp"] = kNow + 60.5;
  expect_rejected(with(float_exp), "malformed");
}

TEST_F(TokenTest, LifetimeIsConfigurable) {
  TokenSigner short_lived{SecretKey(key_bytes(1)), std::chrono::seconds(5)};
  std::string token = short_lived.issue(1, "a@example.com", kNow);
  EXPECT_NO_THROW((void)short_lived.verify(token, kNow + 4));
  expect_rejected(token, "expired", kNow + 5);
}

}  // namespace
}  // namespace superstore::server
