// The BlobStore methods a store may leave to others: each has a cheaper form in the stores that can do
// better (local_blob_store.cpp, s3_blob_store.cpp).
#include "blob/blob_store.h"

#include "common/error.h"

namespace superstore::blob {

std::optional<std::string> BlobStore::get_if_exists(const std::string& key) {
  try {
    return get(key);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::NotFound) return std::nullopt;
    throw;
  }
}

std::vector<BlobInfo> BlobStore::list_info(const std::string& prefix) {
  std::vector<BlobInfo> out;
  for (auto& key : list(prefix)) {
    try {
      const uint64_t bytes = size(key);
      out.push_back({std::move(key), bytes, std::nullopt});
    } catch (const Error& e) {
      if (e.code() != ErrorCode::NotFound) throw;  // removed since the listing
    }
  }
  return out;
}

}  // namespace superstore::blob
