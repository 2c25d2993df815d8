#include "blob/s3_http.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/strings.h"

namespace superstore::blob {
namespace {

std::once_flag g_curl_init;

struct Transfer {
  const S3Request* request = nullptr;
  S3Response* response = nullptr;
  bool write_failed = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  // Only a success goes to the sink: a retried 503's XML must not end up in the downloaded file.
  if (t->request->sink && t->response->status / 100 == 2) {
    if (std::fwrite(data, 1, bytes, t->request->sink) != bytes) {
      t->write_failed = true;
      return 0;
    }
    return bytes;
  }
  t->response->body.append(data, bytes);
  return bytes;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new answer (after a redirect or 100-continue) starts over
    t->response->headers.clear();
    t->response->status = 0;
    if (auto space = line.find(' '); space != std::string_view::npos) {
      t->response->status = std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    }
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    t->response->headers[lower(std::string(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

bool transient_status(long status) { return status >= 500 || status == 429; }

bool transient_curl(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  auto start = text.find(open);
  if (start == std::string::npos) return {};
  start += open.size();
  auto end = text.find(close, start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

}  // namespace

std::string s3_error_summary(const std::string& body) {
  std::string code = between(body, "<Code>", "</Code>");
  std::string message = between(body, "<Message>", "</Message>");
  if (code.empty()) return {};
  return message.empty() ? code : code + ": " + message;
}

struct S3Http::Impl {
  S3Options options;
  std::string scheme_host;  // "https://s3.us-east-1.amazonaws.com"
  std::string host;         // for the Host header and the signature
  std::mutex pool_mutex;
  std::vector<CURL*> pool;  // idle handles, each keeping its connections open for the next request

  CURL* acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        CURL* curl = pool.back();
        pool.pop_back();
        curl_easy_reset(curl);  // keeps the handle's connection cache
        return curl;
      }
    }
    CURL* curl = curl_easy_init();
    if (!curl) fail(ErrorCode::Internal, "S3: could not create a libcurl handle");
    return curl;
  }
  void release(CURL* curl) {
    std::lock_guard lock(pool_mutex);
    pool.push_back(curl);
  }

  std::string url_host() const { return options.path_style ? host : options.bucket + "." + host; }
  std::string encoded_path(const S3Request& r) const {
    std::string path = options.path_style ? "/" + uri_encode(options.bucket, false) : "";
    path += "/" + uri_encode(r.object, true);
    if (!options.path_style && r.object.empty()) path = "/";
    return path;
  }

  // One attempt; fills `response`, returns libcurl's verdict.
  CURLcode attempt(const S3Request& r, S3Response& response, std::string& error_text) {
    CURL* curl = acquire();
    Transfer transfer{&r, &response};
    const std::string path = encoded_path(r);
    const std::string query = canonical_query(r.query);
    const std::string scheme = scheme_host.substr(0, scheme_host.find("://") + 3);
    const std::string url = scheme + url_host() + path + (query.empty() ? "" : "?" + query);

    SigningInput in;
    in.method = r.method;
    in.encoded_path = path;
    in.query = r.query;
    in.payload_sha256 = sha256_hex(r.body);
    in.region = options.region;
    in.headers = {{"host", url_host()}, {"x-amz-content-sha256", in.payload_sha256}, {"x-amz-date", amz_date_now()}};
    if (!options.credentials.session_token.empty()) {
      in.headers["x-amz-security-token"] = options.credentials.session_token;
    }
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : in.headers) {
      if (name != "host") headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    headers = curl_slist_append(headers, ("Authorization: " + sigv4_authorization(in, options.credentials)).c_str());
    for (const auto& [name, value] : r.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    headers = curl_slist_append(headers, "Content-Type:");

    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    const long timeout_ms = static_cast<long>(options.timeout.count());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, timeout_ms / 1000));
    if (r.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (r.method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
      if (r.method == "PUT" || r.method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      }
    }
    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    release(curl);
    if (transfer.write_failed) fail(ErrorCode::Internal, "S3: writing the downloaded object to a local file failed");
    error_text = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    return code;
  }
};

S3Http::S3Http(const S3Options& options) : impl_(std::make_unique<Impl>()) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->options = options;
  impl_->scheme_host = options.endpoint.empty() ? "https://s3." + options.region + ".amazonaws.com" : options.endpoint;
  while (impl_->scheme_host.ends_with('/')) impl_->scheme_host.pop_back();
  auto scheme_end = impl_->scheme_host.find("://");
  if (scheme_end == std::string::npos) {
    fail(ErrorCode::InvalidArgument,
         "S3_ENDPOINT must start with http:// or https://, not '" + impl_->scheme_host + "'");
  }
  impl_->host = impl_->scheme_host.substr(scheme_end + 3);
}

S3Http::~S3Http() {
  for (CURL* curl : impl_->pool) curl_easy_cleanup(curl);
}

S3Response S3Http::send(const S3Request& request, const std::string& what) {
  thread_local std::mt19937_64 jitter{std::random_device{}()};
  const S3Options& o = impl_->options;
  std::string last_failure;
  for (int attempt = 1;; ++attempt) {
    S3Response response;
    response.attempts = attempt;
    if (request.sink) {  // a retried download starts the file over
      std::rewind(request.sink);
      if (::ftruncate(::fileno(request.sink), 0) != 0) fail(ErrorCode::Internal, "S3: truncating a download failed");
    }
    std::string error_text;
    const CURLcode code = impl_->attempt(request, response, error_text);
    if (code == CURLE_OK && !transient_status(response.status)) return response;
    last_failure =
        code == CURLE_OK
            ? "HTTP " + std::to_string(response.status) +
                  (s3_error_summary(response.body).empty() ? "" : " (" + s3_error_summary(response.body) + ")")
            : error_text;
    if (code != CURLE_OK && !transient_curl(code)) break;
    if (attempt >= o.max_attempts) {
      if (code == CURLE_OK) return response;  // the caller reports the status it got
      break;
    }
    // Exponential, capped at 5 s, and spread over its upper half so that racing clients part ways.
    const int64_t backoff = std::min<int64_t>(5000, o.first_backoff.count() << std::min(attempt - 1, 20));
    std::uniform_int_distribution<int64_t> spread(backoff / 2, std::max<int64_t>(backoff, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(spread(jitter)));
  }
  fail(ErrorCode::Internal, "S3 " + what + " failed: " + last_failure);
}

}  // namespace superstore::blob
