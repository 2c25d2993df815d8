#include "blob/blob_key.h"
#include "blob/blob_store.h"
#include "common/error.h"

namespace superstore::blob {

// Mirrors the file system's rule that a name is either a blob or a folder, so that code tested against
// this store does not fail later against LocalBlobStore.
void MemoryBlobStore::check_no_folder_clash(const std::string& key) const {
  for (size_t slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1)) {
    std::string ancestor = key.substr(0, slash);
    if (blobs_.contains(ancestor)) {
      fail(ErrorCode::Conflict, "blob key '" + key + "': '" + ancestor + "' is a blob, not a folder");
    }
  }
  std::string as_folder = key + "/";
  auto next = blobs_.lower_bound(as_folder);
  if (next != blobs_.end() && next->first.starts_with(as_folder)) {
    fail(ErrorCode::Conflict, "blob key '" + key + "' is a folder holding other blobs");
  }
}

void MemoryBlobStore::put(const std::string& key, std::string_view bytes) {
  validate_blob_key(key);
  std::lock_guard lock(mutex_);
  check_no_folder_clash(key);
  blobs_[key] = std::string(bytes);
}

bool MemoryBlobStore::put_if_absent(const std::string& key, std::string_view bytes) {
  validate_blob_key(key);
  std::lock_guard lock(mutex_);
  if (blobs_.contains(key)) return false;
  check_no_folder_clash(key);
  blobs_.emplace(key, std::string(bytes));
  return true;
}

std::string MemoryBlobStore::get(const std::string& key) {
  validate_blob_key(key);
  std::lock_guard lock(mutex_);
  auto it = blobs_.find(key);
  if (it == blobs_.end()) fail(ErrorCode::NotFound, "blob '" + key + "' does not exist");
  return it->second;
}

bool MemoryBlobStore::exists(const std::string& key) {
  validate_blob_key(key);
  std::lock_guard lock(mutex_);
  return blobs_.contains(key);
}

uint64_t MemoryBlobStore::size(const std::string& key) {
  validate_blob_key(key);
  std::lock_guard lock(mutex_);
  auto it = blobs_.find(key);
  if (it == blobs_.end()) fail(ErrorCode::NotFound, "blob '" + key + "' does not exist");
  return it->second.size();
}

std::vector<std::string> MemoryBlobStore::list(const std::string& prefix) {
  std::string folder = folder_prefix(prefix);
  std::lock_guard lock(mutex_);
  std::vector<std::string> keys;
  for (auto it = blobs_.lower_bound(folder); it != blobs_.end() && it->first.starts_with(folder); ++it) {
    keys.push_back(it->first);
  }
  return keys;
}

void MemoryBlobStore::remove(const std::string& key) {
  validate_blob_key(key);
  std::lock_guard lock(mutex_);
  blobs_.erase(key);
}

std::optional<std::filesystem::path> MemoryBlobStore::local_path(const std::string& key) {
  validate_blob_key(key);
  return std::nullopt;
}

}  // namespace superstore::blob
