#include "blob/s3_blob_store.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "blob/blob_key.h"
#include "blob/s3_http.h"
#include "common/error.h"
#include "common/instant.h"

namespace superstore::blob {
namespace {

// Parts of one multipart upload sent at once: a large file's upload is bound by round trips, not by the
// link; each part in flight holds S3_PART_BYTES of memory.
constexpr uint64_t kPartsInFlight = 4;

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const size_t end = text.find(';', i);
    if (end == std::string_view::npos) {
      out += text[i];
      continue;
    }
    const std::string_view entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp")
      out += '&';
    else if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "quot")
      out += '"';
    else if (entity == "apos")
      out += '\'';
    else if (entity.starts_with("#x"))
      out += static_cast<char>(std::stoi(std::string(entity.substr(2)), nullptr, 16));
    else if (entity.starts_with("#"))
      out += static_cast<char>(std::stoi(std::string(entity.substr(1))));
    else
      out += std::string(text.substr(i, end - i + 1));
    i = end;
  }
  return out;
}

// Every text of <tag>...</tag> in `xml`, in order; raw (still escaped) for an element holding others.
std::vector<std::string> xml_values(const std::string& xml, const std::string& tag, bool raw = false) {
  std::vector<std::string> values;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
    at += open.size();
    const size_t end = xml.find(close, at);
    if (end == std::string::npos) break;
    const std::string_view text = std::string_view(xml).substr(at, end - at);
    values.push_back(raw ? std::string(text) : xml_unescape(text));
    at = end + close.size();
  }
  return values;
}

std::string xml_value(const std::string& xml, const std::string& tag) {
  auto values = xml_values(xml, tag);
  return values.empty() ? std::string() : values.front();
}

}  // namespace

void parse_s3_url(const std::string& url, S3Options& options) {
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme)) {
    fail(ErrorCode::InvalidArgument, "WAREHOUSE_URL '" + url + "' is not s3://bucket/prefix");
  }
  std::string rest = url.substr(kScheme.size());
  while (rest.ends_with('/')) rest.pop_back();
  const size_t slash = rest.find('/');
  options.bucket = rest.substr(0, slash);
  options.prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  // S3's bucket rules: 3 to 63 lowercase letters, digits, '-' and '.'.
  const bool bucket_ok = options.bucket.size() >= 3 && options.bucket.size() <= 63 &&
                         std::all_of(options.bucket.begin(), options.bucket.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                         });
  if (!bucket_ok) {
    fail(ErrorCode::InvalidArgument,
         "WAREHOUSE_URL '" + url + "': the bucket name must be 3 to 63 lowercase letters, digits, '-' or '.'");
  }
  if (!options.prefix.empty()) {
    if (auto problem = key_problem(options.prefix)) {
      fail(ErrorCode::InvalidArgument, "WAREHOUSE_URL '" + url + "': the prefix is not a valid path: " + *problem);
    }
  }
}

struct S3BlobStore::Impl {
  S3Options options;
  S3Http http;

  explicit Impl(S3Options o) : options(std::move(o)), http(options) {}

  std::string object(const std::string& key) const { return options.prefix.empty() ? key : options.prefix + "/" + key; }
  std::string where(const std::string& key) const { return "s3://" + options.bucket + "/" + object(key); }

  [[noreturn]] void fail_status(const S3Response& r, const std::string& what) const {
    std::string detail = s3_error_summary(r.body);
    std::string message =
        "S3 " + what + " failed with HTTP " + std::to_string(r.status) + (detail.empty() ? "" : " (" + detail + ")");
    if (r.attempts > 1) message += " after " + std::to_string(r.attempts) + " attempts";
    if (r.status == 401 || r.status == 403) {
      message +=
          "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), S3_REGION and the "
          "bucket's permissions";
    }
    fail(ErrorCode::Internal, message);
  }

  S3Response send(S3Request request, const std::string& what) { return http.send(request, what); }

  void put_single(const std::string& key, std::string_view bytes) {
    S3Request r{.method = "PUT", .object = object(key), .body = bytes};
    S3Response answer = send(r, "PUT " + where(key));
    if (answer.status != 200) fail_status(answer, "PUT " + where(key));
  }

  // Multipart upload, parts read by `read_part(offset, size)` (called from several threads at once) and
  // sent up to kPartsInFlight at a time; aborted on any failure, so that no invisible parts are left to
  // bill.
  template <typename ReadPart>
  void put_multipart(const std::string& key, uint64_t total, ReadPart read_part) {
    const std::string what = "multipart upload of " + where(key);
    S3Response created = send({.method = "POST", .object = object(key), .query = {{"uploads", ""}}}, what);
    if (created.status != 200) fail_status(created, what);
    const std::string upload_id = xml_value(created.body, "UploadId");
    if (upload_id.empty()) fail(ErrorCode::Internal, "S3 " + what + ": the answer names no UploadId");
    try {
      const uint64_t parts = (total + options.part_bytes - 1) / options.part_bytes;
      std::vector<std::string> etags(parts);
      std::atomic<uint64_t> next{0};
      std::atomic<bool> failed{false};
      std::mutex error_mutex;
      std::exception_ptr error;
      auto upload_parts = [&] {
        for (uint64_t i = next++; i < parts && !failed; i = next++) {
          try {
            const uint64_t offset = i * options.part_bytes;
            const std::string part = read_part(offset, std::min<uint64_t>(options.part_bytes, total - offset));
            const std::string number = std::to_string(i + 1);
            S3Request r{.method = "PUT",
                        .object = object(key),
                        .query = {{"partNumber", number}, {"uploadId", upload_id}},
                        .body = part};
            S3Response answer = send(r, what + " (part " + number + ")");
            if (answer.status != 200) fail_status(answer, what + " (part " + number + ")");
            etags[i] = answer.headers["etag"];
          } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            failed = true;
          }
        }
      };
      std::vector<std::thread> helpers;
      for (uint64_t t = 1; t < std::min<uint64_t>(kPartsInFlight, parts); ++t) helpers.emplace_back(upload_parts);
      upload_parts();
      for (auto& h : helpers) h.join();
      if (error) std::rethrow_exception(error);
      std::string complete = "<CompleteMultipartUpload>";
      for (uint64_t i = 0; i < parts; ++i) {
        complete += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] + "</ETag></Part>";
      }
      complete += "</CompleteMultipartUpload>";
      S3Response done =
          send({.method = "POST", .object = object(key), .query = {{"uploadId", upload_id}}, .body = complete}, what);
      // S3 may answer 200 and still report an error in the body.
      if (done.status != 200 || done.body.find("<Error>") != std::string::npos) fail_status(done, what);
    } catch (...) {
      try {
        send({.method = "DELETE", .object = object(key), .query = {{"uploadId", upload_id}}}, "abort " + what);
      } catch (...) {  // the original failure is what the caller needs to hear
      }
      throw;
    }
  }
};

S3BlobStore::S3BlobStore(S3Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.part_bytes < (5ULL << 20)) {
    fail(ErrorCode::InvalidArgument, "S3_PART_BYTES must be at least 5 MiB (S3's smallest multipart part)");
  }
  if (impl_->options.max_attempts < 1) fail(ErrorCode::InvalidArgument, "S3_MAX_ATTEMPTS must be at least 1");
}
S3BlobStore::~S3BlobStore() = default;

const S3Options& S3BlobStore::options() const { return impl_->options; }

void S3BlobStore::put(const std::string& key, std::string_view bytes) {
  validate_blob_key(key);
  if (bytes.size() <= impl_->options.part_bytes) return impl_->put_single(key, bytes);
  impl_->put_multipart(key, bytes.size(),
                       [&](uint64_t offset, uint64_t size) { return std::string(bytes.substr(offset, size)); });
}

bool S3BlobStore::put_if_absent(const std::string& key, std::string_view bytes) {
  validate_blob_key(key);
  const std::string what = "conditional PUT " + impl_->where(key);
  S3Request r{.method = "PUT", .object = impl_->object(key), .headers = {{"If-None-Match", "*"}}, .body = bytes};
  S3Response answer = impl_->send(r, what);
  int attempts = answer.attempts;
  // 409 ConditionalRequestConflict: another conditional write of the key was in flight and its outcome is
  // open, so neither a win nor a loss can be told yet; AWS asks to try again.
  for (int conflicts = 1; answer.status == 409 && conflicts < impl_->options.max_attempts; ++conflicts) {
    std::this_thread::sleep_for(impl_->options.first_backoff * conflicts);
    answer = impl_->send(r, what);
    attempts += answer.attempts;
  }
  if (answer.status == 200) return true;
  if (answer.status == 412) {
    if (attempts == 1) return false;
    // An earlier attempt may have landed with its answer lost; then the key holds exactly our bytes.
    try {
      return get(key) == bytes;
    } catch (const Error& e) {
      if (e.code() == ErrorCode::NotFound) return false;
      throw;
    }
  }
  if (answer.status == 501) {
    fail(ErrorCode::Internal, "S3 " + what + ": the server does not support If-None-Match on PUT, which commits need");
  }
  impl_->fail_status(answer, what);
}

std::string S3BlobStore::get(const std::string& key) {
  std::optional<std::string> bytes = get_if_exists(key);
  if (!bytes) fail(ErrorCode::NotFound, "blob '" + key + "' does not exist");
  return std::move(*bytes);
}

std::optional<std::string> S3BlobStore::get_if_exists(const std::string& key) {
  validate_blob_key(key);
  S3Response answer = impl_->send({.method = "GET", .object = impl_->object(key)}, "GET " + impl_->where(key));
  if (answer.status == 404) return std::nullopt;
  if (answer.status != 200) impl_->fail_status(answer, "GET " + impl_->where(key));
  return std::move(answer.body);
}

bool S3BlobStore::exists(const std::string& key) {
  validate_blob_key(key);
  S3Response answer = impl_->send({.method = "HEAD", .object = impl_->object(key)}, "HEAD " + impl_->where(key));
  if (answer.status == 404) return false;
  if (answer.status != 200) impl_->fail_status(answer, "HEAD " + impl_->where(key));
  return true;
}

uint64_t S3BlobStore::size(const std::string& key) {
  validate_blob_key(key);
  S3Response answer = impl_->send({.method = "HEAD", .object = impl_->object(key)}, "HEAD " + impl_->where(key));
  if (answer.status == 404) fail(ErrorCode::NotFound, "blob '" + key + "' does not exist");
  if (answer.status != 200) impl_->fail_status(answer, "HEAD " + impl_->where(key));
  const std::string& length = answer.headers["content-length"];
  if (length.empty() || length.find_first_not_of("0123456789") != std::string::npos) {
    fail(ErrorCode::Internal, "S3 HEAD " + impl_->where(key) + ": the answer has no valid Content-Length");
  }
  return std::stoull(length);
}

std::vector<BlobInfo> S3BlobStore::list_info(const std::string& prefix) {
  const std::string folder = folder_prefix(prefix);
  const std::string root = impl_->options.prefix.empty() ? "" : impl_->options.prefix + "/";
  const std::string what = "LIST s3://" + impl_->options.bucket + "/" + root + folder;
  std::vector<BlobInfo> blobs;
  std::string token;
  do {
    S3Request r{.method = "GET", .query = {{"list-type", "2"}, {"prefix", root + folder}}};
    if (!token.empty()) r.query["continuation-token"] = token;
    S3Response answer = impl_->send(r, what);
    if (answer.status != 200) impl_->fail_status(answer, what);
    for (const std::string& object : xml_values(answer.body, "Contents", /*raw=*/true)) {
      std::string key = xml_value(object, "Key").substr(root.size());
      // As the local store skips its temp files: only names a key could have are blobs.
      if (key_problem(key)) continue;
      const std::string size = xml_value(object, "Size");
      if (size.empty() || size.size() > 19 || size.find_first_not_of("0123456789") != std::string::npos) {
        fail(ErrorCode::Internal, "S3 " + what + ": the listing gives '" + key + "' no valid Size");
      }
      std::optional<int64_t> modified;
      if (auto us = parse_instant_us(xml_value(object, "LastModified"))) modified = *us / 1000;
      blobs.push_back({std::move(key), std::stoull(size), modified});
    }
    token = xml_value(answer.body, "IsTruncated") == "true" ? xml_value(answer.body, "NextContinuationToken") : "";
  } while (!token.empty());
  std::sort(blobs.begin(), blobs.end(), [](const BlobInfo& a, const BlobInfo& b) { return a.key < b.key; });
  return blobs;
}

std::vector<std::string> S3BlobStore::list(const std::string& prefix) {
  std::vector<std::string> keys;
  for (auto& blob : list_info(prefix)) keys.push_back(std::move(blob.key));
  return keys;
}

void S3BlobStore::remove(const std::string& key) {
  validate_blob_key(key);
  S3Response answer = impl_->send({.method = "DELETE", .object = impl_->object(key)}, "DELETE " + impl_->where(key));
  if (answer.status != 204 && answer.status != 200 && answer.status != 404) {
    impl_->fail_status(answer, "DELETE " + impl_->where(key));
  }
}

std::optional<std::filesystem::path> S3BlobStore::local_path(const std::string& key) {
  validate_blob_key(key);
  return std::nullopt;
}

void S3BlobStore::put_file(const std::string& key, const std::filesystem::path& file) {
  validate_blob_key(key);
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(ErrorCode::Internal, "S3 upload: cannot open '" + file.string() + "'");
  const uint64_t total = std::filesystem::file_size(file);
  std::mutex reading;  // parts are read by several upload threads
  auto read_part = [&](uint64_t offset, uint64_t size) {
    std::string part(size, '\0');
    std::lock_guard lock(reading);
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(part.data(), static_cast<std::streamsize>(size))) {
      fail(ErrorCode::Internal, "S3 upload: reading '" + file.string() + "' failed");
    }
    return part;
  };
  if (total <= impl_->options.part_bytes) return impl_->put_single(key, read_part(0, total));
  impl_->put_multipart(key, total, read_part);
}

void S3BlobStore::get_to_file(const std::string& key, const std::filesystem::path& file) {
  validate_blob_key(key);
  std::FILE* out = std::fopen(file.c_str(), "wb");
  if (!out) fail(ErrorCode::Internal, "S3 download: cannot create '" + file.string() + "'");
  S3Response answer;
  try {
    answer = impl_->send({.method = "GET", .object = impl_->object(key), .sink = out}, "GET " + impl_->where(key));
  } catch (...) {
    std::fclose(out);
    throw;
  }
  const bool closed = std::fclose(out) == 0;
  if (answer.status == 404) fail(ErrorCode::NotFound, "blob '" + key + "' does not exist");
  if (answer.status != 200) impl_->fail_status(answer, "GET " + impl_->where(key));
  if (!closed) fail(ErrorCode::Internal, "S3 download: writing '" + file.string() + "' failed");
}

void S3BlobStore::create_bucket() {
  const std::string what = "create bucket " + impl_->options.bucket;
  std::string body;
  if (impl_->options.region != "us-east-1") {
    body = "<CreateBucketConfiguration><LocationConstraint>" + impl_->options.region +
           "</LocationConstraint></CreateBucketConfiguration>";
  }
  S3Response answer = impl_->send({.method = "PUT", .body = body}, what);
  if (answer.status == 200) return;
  if (answer.status == 409 && s3_error_summary(answer.body).starts_with("BucketAlreadyOwnedByYou")) return;
  impl_->fail_status(answer, what);
}

}  // namespace superstore::blob
