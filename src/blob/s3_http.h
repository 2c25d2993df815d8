// One signed S3 request over libcurl, with the retry policy of S3BlobStore (internal to the blob layer).
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "blob/s3_blob_store.h"

namespace superstore::blob {

struct S3Request {
  std::string method{};
  std::string object{};  // full object name in the bucket (prefix included); "" for the bucket itself
  std::map<std::string, std::string> query{};
  std::map<std::string, std::string> headers{};  // unsigned extras, e.g. "If-None-Match"
  std::string_view body{};
  std::FILE* sink = nullptr;  // when set, a 2xx answer's body goes here instead of S3Response::body
};

struct S3Response {
  long status = 0;
  std::string body;                            // S3's XML on errors
  std::map<std::string, std::string> headers;  // lowercase names
  int attempts = 0;
};

// The <Code> and <Message> of an S3 error body, "" if there is none.
std::string s3_error_summary(const std::string& body);

class S3Http {
 public:
  explicit S3Http(const S3Options& options);
  ~S3Http();

  // Sends with retries on 5xx, 429 and transport failures; returns the last answer, whatever its status.
  // Throws Error(Internal) when no attempt got an answer. `what` names the operation in messages.
  S3Response send(const S3Request& request, const std::string& what);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::blob
