// Local copies of a remote store's Parquet files (WAREHOUSE_URL=s3://...), for DuckDB, which reads only
// local files here. Files are immutable once committed, so a copy never goes stale: the cache is filled
// on demand from a snapshot's file list (in parallel, sizes from the log), bounded by CACHE_BYTES, and
// evicts the least recently used files that no running query or write holds (a Pin).
//
// Layout: <dir>/<blob key>, the same tree as the store, so scan_sql reads a table below <dir>/<location>
// as it reads a local table folder. New files written by this process are put there by the writer and
// uploaded through upload(), so a fresh insert is warm at once.
//
// Thread safety: every method may be called from any thread; two queries wanting one missing file
// download it once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "storage/delta_log.h"

namespace superstore::storage {

class FileCache {
 public:
  // Copies the blob `key` into the local file `to` (replacing it); throws Error(NotFound) if absent.
  using Download = std::function<void(const std::string& key, const std::filesystem::path& to)>;
  // Uploads the local file `from` as the blob `key`.
  using Upload = std::function<void(const std::string& key, const std::filesystem::path& from)>;
  // Keeps files from eviction while held.
  using Pin = std::shared_ptr<void>;

  struct Stats {
    int64_t hits = 0, misses = 0, evictions = 0;
    uint64_t bytes = 0;  // held now
    uint64_t bytes_downloaded = 0;
  };

  // `dir` is emptied first: a copy left by an earlier run may be half written. `threads` downloads at once.
  FileCache(std::filesystem::path dir, uint64_t max_bytes, Download download, Upload upload, int threads = 8);
  ~FileCache();

  const std::filesystem::path& dir() const { return dir_; }

  // This process's folder below CACHE_DIR (several processes may share one DATA_DIR); folders of processes
  // that are gone are removed first.
  static std::filesystem::path process_dir(const std::filesystem::path& cache_dir);

  // Makes every file of `files` (paths relative to the table folder `root_key`) present below
  // dir()/root_key and keeps them there until the pin is released. Throws Error(TooLarge) if these files
  // alone exceed the cache's bound, and the download's error if one fails (nothing half-written stays).
  Pin fetch(const std::string& root_key, const std::vector<AddFile>& files);

  // The writer made dir()/key itself: uploads it and keeps it as a cached copy. On failure the local file
  // is removed and the error rethrown.
  void upload(const std::string& key);

  // Drops every copy below the folder `prefix` (a dropped table); pinned files stay until released.
  void forget(const std::string& prefix);
  // Drops the copy of one blob (a file a failed write removes), or a file the writer left without
  // uploading it.
  void discard(const std::string& key);

  Stats stats() const;

 private:
  struct Entry {
    uint64_t size = 0;
    int pins = 0;
    bool ready = false;
    std::list<std::string>::iterator lru;  // position in lru_, most recent at the front
  };

  void release(const std::vector<std::string>& keys);
  void evict_locked();
  void erase_locked(std::map<std::string, Entry>::iterator it);

  std::filesystem::path dir_;
  uint64_t max_bytes_;
  Download download_;
  Upload upload_;
  int threads_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;
  Stats stats_;
};

// The remote store as the writers see it: every call goes to `remote`, and remove also drops the local
// copy, so that a failed write leaves nothing behind in the cache either.
class CachedStore final : public blob::BlobStore {
 public:
  CachedStore(blob::BlobStore& remote, FileCache& cache) : remote_(remote), cache_(cache) {}
  void put(const std::string& key, std::string_view bytes) override { remote_.put(key, bytes); }
  bool put_if_absent(const std::string& key, std::string_view bytes) override {
    return remote_.put_if_absent(key, bytes);
  }
  std::string get(const std::string& key) override { return remote_.get(key); }
  std::optional<std::string> get_if_exists(const std::string& key) override { return remote_.get_if_exists(key); }
  bool exists(const std::string& key) override { return remote_.exists(key); }
  uint64_t size(const std::string& key) override { return remote_.size(key); }
  std::vector<std::string> list(const std::string& prefix) override { return remote_.list(prefix); }
  std::vector<blob::BlobInfo> list_info(const std::string& prefix) override { return remote_.list_info(prefix); }
  void remove(const std::string& key) override {
    remote_.remove(key);
    cache_.discard(key);
  }
  std::optional<std::filesystem::path> local_path(const std::string& key) override { return remote_.local_path(key); }

 private:
  blob::BlobStore& remote_;
  FileCache& cache_;
};

}  // namespace superstore::storage
