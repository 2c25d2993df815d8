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

}  // namespace
}  // namespace superstore::server
