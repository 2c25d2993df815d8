// Key rules shared by every blob store (internal to the blob layer).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace superstore::blob {

// Local stores name their temp files with this prefix; keys may not use it, so a temp file can never be
// mistaken for a blob.
inline constexpr std::string_view kTempNamePrefix = ".ss-tmp-";

// Why `key` is not a valid blob key (see validate_blob_key), or nullopt if it is.
std::optional<std::string> key_problem(std::string_view key);

// "" -> "" (everything); "a/b" and "a/b/" -> "a/b/". Throws like validate_blob_key for a bad prefix.
std::string folder_prefix(std::string_view prefix);

}  // namespace superstore::blob
