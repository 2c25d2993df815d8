// AWS Signature Version 4 for S3 requests (internal to the blob layer). Pure functions, so the signature
// can be checked against AWS's published examples without a server.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace superstore::blob {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never logged, never part of an error message
  std::string session_token;      // empty unless temporary credentials (STS)
};

// What a signature covers. Header names are lowercase; every header listed is signed. Query values are
// raw (unencoded): the signer encodes them as SigV4 wants.
struct SigningInput {
  std::string method;        // "GET", "PUT", ...
  std::string encoded_path;  // "/bucket/a%20b" as it goes on the wire (see uri_encode_path)
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // must include "host" and "x-amz-date"
  std::string payload_sha256;                  // lowercase hex, or "UNSIGNED-PAYLOAD"
  std::string region;
  std::string service = "s3";
};

// The value of the Authorization header.
std::string sigv4_authorization(const SigningInput& input, const S3Credentials& credentials);

// The canonical query string: sorted by key, keys and values percent-encoded ("a=1&b=x%2Fy").
std::string canonical_query(const std::map<std::string, std::string>& query);

// Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash), uppercase hex, as SigV4 does.
std::string uri_encode(std::string_view text, bool keep_slash);

std::string sha256_hex(std::string_view bytes);

// "20130524T000000Z" for the current UTC time.
std::string amz_date_now();

}  // namespace superstore::blob
