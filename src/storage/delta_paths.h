// Encoding of partition folders and of `add.path` strings, as the Delta Lake protocol and Spark do it
// (see docs/storage-format.md): a partition value is Hive-escaped into a folder name, and the relative
// file path is then URI-encoded into the log. Readers percent-decode the log path exactly once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace superstore::storage {

// Folder name for one partition value: "department=R%26D" style Hive escaping of the characters
// " # % ' * / : = ? \ { [ ] ^, DEL and control characters; a null value becomes __HIVE_DEFAULT_PARTITION__.
std::string hive_folder(std::string_view column, const std::optional<std::string>& value);

// Percent-encodes a relative path for `add.path`: keeps unreserved characters, '/', and a few that Spark
// keeps ('+', '@', '='), encodes everything else (space -> %20, '%' -> %25).
std::string uri_encode_path(std::string_view path);

// Decodes %XX sequences only; '+' stays a plus. Throws Error(InvalidArgument) on a malformed escape.
std::string uri_decode(std::string_view encoded);

}  // namespace superstore::storage
