// SigV4 against the worked examples of AWS's S3 documentation ("Signature Calculations for the
// Authorization Header", examples with the documented example credentials).
#include "blob/s3_signer.h"

#include <gtest/gtest.h>

namespace superstore::blob {
namespace {

const S3Credentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(S3Signer, GetObjectWithRangeMatchesTheDocumentedSignature) {
  SigningInput in;
  in.method = "GET";
  in.encoded_path = "/test.txt";
  in.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                {"range", "bytes=0-9"},
                {"x-amz-content-sha256", kEmptySha},
                {"x-amz-date", "20130524T000000Z"}};
  in.payload_sha256 = kEmptySha;
  in.region = "us-east-1";
  EXPECT_EQ(sigv4_authorization(in, kExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3Signer, ListObjectsMatchesTheDocumentedSignature) {
  SigningInput in;
  in.method = "GET";
  in.encoded_path = "/";
  in.query = {{"max-keys", "2"}, {"prefix", "J"}};
  in.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                {"x-amz-content-sha256", kEmptySha},
                {"x-amz-date", "20130524T000000Z"}};
  in.payload_sha256 = kEmptySha;
  in.region = "us-east-1";
  EXPECT_EQ(sigv4_authorization(in, kExampleCredentials),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(S3Signer, AChangedSecretChangesTheSignature) {
  SigningInput in;
  in.method = "GET";
  in.encoded_path = "/";
  in.headers = {{"host", "h"}, {"x-amz-date", "20130524T000000Z"}};
  in.payload_sha256 = kEmptySha;
  in.region = "us-east-1";
  S3Credentials other = kExampleCredentials;
  other.secret_access_key += "x";
  EXPECT_NE(sigv4_authorization(in, kExampleCredentials), sigv4_authorization(in, other));
}

TEST(S3Signer, EncodingFollowsSigV4) {
  EXPECT_EQ(uri_encode("city=São Paulo/a+b~_.-", true), "city%3DS%C3%A3o%20Paulo/a%2Bb~_.-");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(canonical_query({{"prefix", "db/s/"}, {"list-type", "2"}, {"uploads", ""}}),
            "list-type=2&prefix=db%2Fs%2F&uploads=");
  EXPECT_EQ(sha256_hex(""), kEmptySha);
}

}  // namespace
}  // namespace superstore::blob
