// The blob layer: named byte strings ("blobs") under '/'-separated keys, as in an object store. The table
// store's Delta log versions are written and read through it, and the rules that keep data inside the
// warehouse live here: every key is validated before it touches a file system. Parquet micro-partitions
// are the exception: DuckDB writes them itself (COPY ... TO) at the path local_path() gives, after the
// writer has validated their key; the store then reports their size and removes them.
//
// Shared semantics of every store:
// - A key is a relative path ("db/s/t-1/_delta_log/00000000000000000000.json"); see validate_blob_key.
// - Keys and folders share one namespace, as on a file system: while "a/b" exists, "a" cannot be a blob,
//   and the other way round. Writing across such a clash throws Error(Conflict).
// - Readers see a blob whole or not at all: put and put_if_absent never expose half-written content.
// - remove of an absent key is not an error (vacuum and retries may delete twice).
// - list order is byte order of the keys.
// Every method may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superstore::blob {

// Throws Error(InvalidArgument, "blob key '...' ...") unless `key` is a relative '/'-separated path: not
// empty, not absolute, no empty, "." or ".." segments, no control characters (NUL included), no
// backslashes, no segment starting with the reserved temp-file prefix ".ss-tmp-", at most 255 bytes a
// segment and 1024 in all. Any other byte is allowed (spaces, '=', '%', '+', UTF-8), since Hive partition
// folders such as "city=São Paulo" use them.
void validate_blob_key(std::string_view key);

// One blob of a listing, with what the listing itself tells about it (no request per blob).
struct BlobInfo {
  std::string key;
  uint64_t size = 0;
  std::optional<int64_t> modified_ms;  // last modified, ms since the epoch; nullopt when the store cannot tell
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Creates or atomically replaces the blob.
  virtual void put(const std::string& key, std::string_view bytes) = 0;
  // Creates the blob only if no blob has that key; returns false (writing nothing) if one does. Of any
  // number of racing writers of one key, exactly one gets true.
  virtual bool put_if_absent(const std::string& key, std::string_view bytes) = 0;
  // Throws Error(NotFound) if absent.
  virtual std::string get(const std::string& key) = 0;
  // The blob, or nullopt if absent: for probes that often miss (the log's next version, _last_checkpoint),
  // one request and no exception. The default calls get and catches Error(NotFound).
  virtual std::optional<std::string> get_if_exists(const std::string& key);
  virtual bool exists(const std::string& key) = 0;
  // Size in bytes; throws Error(NotFound) if absent.
  virtual uint64_t size(const std::string& key) = 0;
  // Every key below the folder `prefix` ("db/s/t-1/_delta_log/"; the trailing '/' is optional, and ""
  // means all keys), at any depth, sorted. "db/s/t-1" never matches keys of "db/s/t-10". A prefix that
  // names no folder gives an empty list.
  virtual std::vector<std::string> list(const std::string& prefix) = 0;
  // list with each blob's size and modification time, as cheaply as the store can: S3's listing carries
  // both, the local store stats each file. A blob removed while listing is left out. The default asks
  // size() per key and knows no times.
  virtual std::vector<BlobInfo> list_info(const std::string& prefix);
  // Deletes the blob; does nothing if it is absent.
  virtual void remove(const std::string& key) = 0;
  // Where the blob lives on the local file system, for engines (DuckDB) that read or write files
  // themselves; nullopt for stores that are not local. The file need not exist yet, and its parent folders
  // are not created. A file written directly at this path is not atomic: write to a neighbour first
  // and put/rename it into place if readers may be looking.
  virtual std::optional<std::filesystem::path> local_path(const std::string& key) = 0;
};

// Blobs as files below a root folder (created if missing). put writes a temp file in the target folder,
// fsyncs it and renames it into place; put_if_absent links the temp file to the final name, which fails
// if that name exists. Temp files are named ".ss-tmp-*"; a crashed writer may leave one behind, and list
// never shows them.
class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }

  void put(const std::string& key, std::string_view bytes) override;
  bool put_if_absent(const std::string& key, std::string_view bytes) override;
  std::string get(const std::string& key) override;
  std::optional<std::string> get_if_exists(const std::string& key) override;
  bool exists(const std::string& key) override;
  uint64_t size(const std::string& key) override;
  std::vector<std::string> list(const std::string& prefix) override;
  std::vector<BlobInfo> list_info(const std::string& prefix) override;
  void remove(const std::string& key) override;
  std::optional<std::filesystem::path> local_path(const std::string& key) override;

 private:
  std::filesystem::path root_;  // absolute, so local_path gives paths usable from any working folder
};

// Blobs in a map, for fast tests of the layers above. Same semantics as LocalBlobStore, no local paths.
class MemoryBlobStore final : public BlobStore {
 public:
  void put(const std::string& key, std::string_view bytes) override;
  bool put_if_absent(const std::string& key, std::string_view bytes) override;
  std::string get(const std::string& key) override;
  bool exists(const std::string& key) override;
  uint64_t size(const std::string& key) override;
  std::vector<std::string> list(const std::string& prefix) override;
  void remove(const std::string& key) override;
  std::optional<std::filesystem::path> local_path(const std::string& key) override;

 private:
  void check_no_folder_clash(const std::string& key) const;

  std::mutex mutex_;
  std::map<std::string, std::string> blobs_;
};

}  // namespace superstore::blob
