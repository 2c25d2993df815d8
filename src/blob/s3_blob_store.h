// Blobs on an S3-compatible object store (AWS S3, MinIO, Ceph, R2, ...), signed with SigV4, over libcurl.
// Keys live below an optional prefix in one bucket: WAREHOUSE_URL=s3://bucket/prefix.
//
// How the BlobStore contract maps onto S3:
// - put is one PUT (S3 objects appear whole), or a multipart upload above part_bytes, aborted on failure
//   so that no part stays behind; put_if_absent is a PUT with "If-None-Match: *", which S3 answers 412
//   when the key exists; of racing writers exactly one gets 200.
// - Transient failures (5xx, 429, timeouts, refused or dropped connections) are retried with exponential
//   backoff and jitter, max_attempts in all. A put_if_absent whose answer was lost and whose retry then
//   finds the key reads it back: if it holds exactly our bytes, the first attempt won.
// - S3 has no folders, so the key/folder clash rule of the local store is not enforced (the warehouse
//   never makes such keys); every other rule, key validation included, holds.
// - local_path is nullopt: files reach engines through put_file / get_to_file and a local cache.
// Credentials are never logged and never part of an error message.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "blob/blob_store.h"
#include "blob/s3_signer.h"

namespace superstore::blob {

struct S3Options {
  std::string bucket;
  std::string prefix;    // "" or a folder without leading or trailing '/' ("warehouse/prod")
  std::string endpoint;  // "http://127.0.0.1:9000"; empty: https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  bool path_style = false;  // https://host/bucket/key rather than https://bucket.host/key
  S3Credentials credentials;
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{100};  // doubled each retry, with jitter, capped at 5 s
  // A transfer that moves no byte for this long is abandoned (and retried); also the connect timeout.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  uint64_t part_bytes = 16ULL << 20;  // multipart above this; S3 wants parts of at least 5 MiB
};

// Reads "s3://bucket/prefix" into bucket and prefix; throws Error(InvalidArgument) naming WAREHOUSE_URL.
void parse_s3_url(const std::string& url, S3Options& options);

class S3BlobStore final : public BlobStore {
 public:
  explicit S3BlobStore(S3Options options);
  ~S3BlobStore() override;

  const S3Options& options() const;

  void put(const std::string& key, std::string_view bytes) override;
  bool put_if_absent(const std::string& key, std::string_view bytes) override;
  std::string get(const std::string& key) override;
  std::optional<std::string> get_if_exists(const std::string& key) override;
  bool exists(const std::string& key) override;
  uint64_t size(const std::string& key) override;
  std::vector<std::string> list(const std::string& prefix) override;
  // Size and LastModified come with ListObjectsV2's answer: no request per key.
  std::vector<BlobInfo> list_info(const std::string& prefix) override;
  void remove(const std::string& key) override;
  std::optional<std::filesystem::path> local_path(const std::string& key) override;

  // Uploads a local file as the blob (multipart above part_bytes), reading it a part at a time.
  void put_file(const std::string& key, const std::filesystem::path& file);
  // Downloads the blob into `file` (replaced); throws Error(NotFound) if absent.
  void get_to_file(const std::string& key, const std::filesystem::path& file);
  // Creates the bucket (test servers, first setup); an existing bucket of ours is fine.
  void create_bucket();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace superstore::blob
