#include "server/auth/base64url.h"

#include <gtest/gtest.h>

namespace superstore::server {
namespace {

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    std::string encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(encoded.find('+'), std::string::npos);
    EXPECT_EQ(encoded.find('/'), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), bytes);
    bytes.push_back(static_cast<char>(0xfb + i));  // bytes that need '-' and '_' in base64url
  }
}

TEST(Base64Url, KnownVector) {
  EXPECT_EQ(base64url_encode(std::string_view(R"({"alg":"HS256","typ":"JWT"})")),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(Base64Url, RejectsPaddingForeignCharactersAndNonCanonicalTails) {
  EXPECT_FALSE(base64url_decode("YQ=="));   // padded
  EXPECT_FALSE(base64url_decode("Y+8/"));   // standard alphabet
  EXPECT_FALSE(base64url_decode("YW Jj"));  // whitespace
  EXPECT_FALSE(base64url_decode("Y"));      // impossible length
  EXPECT_TRUE(base64url_decode("YQ"));      // "a"
  EXPECT_FALSE(base64url_decode("YR"));     // "a" with non-zero unused bits
}

// libsodium alone decodes any byte from 0x80 up as '_' (found by fuzzing): "__8" and "\xff\x80\xc3" both
// gave the same bytes, so one token had many spellings.
TEST(Base64Url, RejectsBytesOutsideAsciiThatLibsodiumTakesForUnderscore) {
  ASSERT_TRUE(base64url_decode("__8"));
  for (int byte = 0x80; byte <= 0xff; ++byte) {
    const std::string text = std::string("_") + static_cast<char>(byte) + "8";
    EXPECT_FALSE(base64url_decode(text)) << "byte " << byte;
  }
  EXPECT_FALSE(base64url_decode("eyJhbGc\xc3\xa9"));
}

}  // namespace
}  // namespace superstore::server
