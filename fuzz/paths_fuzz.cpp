// Fuzz target: the path codecs between outside names and files. Modes (first byte):
//  0  a Delta add.path, percent-decoded (storage/delta_paths.cpp uri_decode) and encoded again;
//  1  "<column>\n<value>": a partition value's Hive folder name (hive_folder);
//  2  a blob key (blob/blob_key.cpp), validated, and stored in a real folder when valid;
//  3  a file name in a table's _delta_log folder, as DeltaLog lists versions.
// Properties: decode(encode(p)) == p for every p, and encode(decode(e)) decodes to decode(e) again; a
// Hive folder is one path segment that decodes back to its value; a key the validator accepts can be
// stored, listed and read back from a LocalBlobStore, and one it refuses is refused by the store too; a
// commit file name counts as the version its digits say, or not at all.
#include <charconv>
#include <filesystem>
#include <string>

#include "blob/blob_key.h"
#include "blob/blob_store.h"
#include "fuzz/fuzz_support.h"
#include "storage/delta_log.h"
#include "storage/delta_paths.h"
#include "support/temp_folder.h"

namespace {

using namespace superstore;
using namespace superstore::storage;

void check_uri(const std::string& text) {
  FUZZ_CHECK(uri_decode(uri_encode_path(text)) == text, "decode(encode(p)) != p for " + text);
  std::string decoded;
  if (!fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { decoded = uri_decode(text); })) return;
  FUZZ_CHECK(uri_decode(uri_encode_path(decoded)) == decoded, "decode(encode(decode(e))) != decode(e) for " + text);
}

void check_hive(std::string_view rest) {
  const size_t newline = rest.find('\n');
  const std::string column(rest.substr(0, newline));
  const std::string value(newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1));
  const std::string folder = hive_folder(column, value);
  const std::string escaped = folder.substr(column.size() + 1);
  FUZZ_CHECK(escaped.find('/') == std::string::npos && escaped.find('=') == std::string::npos,
             "the Hive folder of a value is not one segment: " + folder);
  FUZZ_CHECK(uri_decode(escaped) == value, "the Hive folder " + folder + " does not decode to its value");
  FUZZ_CHECK(hive_folder(column, std::nullopt) == column + "=__HIVE_DEFAULT_PARTITION__", "null folder");
}

void check_blob_key(const std::string& key) {
  static const TempFolder folder;
  // A fresh store each time: leftover folders of earlier keys would make keys clash and listing slow.
  std::filesystem::remove_all(folder.path() / "store");
  blob::LocalBlobStore store(folder.path() / "store");
  const std::optional<std::string> problem = blob::key_problem(key);
  if (problem) {
    const bool stored = fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { store.put(key, "x"); });
    FUZZ_CHECK(!stored, "the store took key '" + key + "', which the validator refuses: " + *problem);
    return;
  }
  FUZZ_CHECK(blob::folder_prefix(key) == key + "/", "folder_prefix of a valid key");
  store.put(key, key);
  FUZZ_CHECK(store.get(key) == key, "key '" + key + "' reads back other bytes");
  bool listed = false;
  for (const auto& k : store.list("")) listed = listed || k == key;
  FUZZ_CHECK(listed, "key '" + key + "' is not listed");
}

void check_log_name(const std::string& name) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  const std::string key = "t/_delta_log/" + name;
  if (blob::key_problem(key)) return;
  store.put(key, "");
  const int64_t latest = log.latest_version();
  int64_t expected = -1;
  const bool digits = name.size() == 25 && name.ends_with(".json") && name.find_first_not_of("0123456789") == 20;
  if (digits) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + 20, value);
    if (error == std::errc() && end == name.data() + 20) expected = value;
  }
  FUZZ_CHECK(latest == expected, "log file '" + name + "' read as version " + std::to_string(latest) + ", expected " +
                                     std::to_string(expected));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [mode, rest] = fuzz::split_mode(data, size, 4);
  switch (mode) {
    case 0:
      check_uri(std::string(rest));
      break;
    case 1:
      check_hive(rest);
      break;
    case 2:
      check_blob_key(std::string(rest));
      break;
    default:
      check_log_name(std::string(rest));
      break;
  }
  return 0;
}
