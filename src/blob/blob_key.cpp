#include "blob/blob_key.h"

#include "blob/blob_store.h"
#include "common/error.h"

namespace superstore::blob {
namespace {

constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxSegmentBytes = 255;  // NAME_MAX of common Linux file systems

bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Control characters would garble logs and terminals, so messages show them escaped.
std::string printable(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string shown;
  for (char c : key) {
    if (is_control(c)) {
      auto u = static_cast<unsigned char>(c);
      shown += "\\x";
      shown += kHex[u >> 4];
      shown += kHex[u & 0xf];
    } else {
      shown += c;
    }
  }
  return shown;
}

std::optional<std::string> segment_problem(std::string_view segment) {
  if (segment.empty()) return "has an empty segment (a leading, trailing or doubled '/')";
  if (segment == "." || segment == "..") return "has a '.' or '..' segment";
  if (segment.size() > kMaxSegmentBytes) return "has a segment longer than 255 bytes";
  if (segment.starts_with(kTempNamePrefix)) {
    return "has a segment starting with the reserved prefix '" + std::string(kTempNamePrefix) + "'";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) return "is empty";
  if (key.size() > kMaxKeyBytes) return "is longer than 1024 bytes";
  if (key.front() == '/') return "is an absolute path; keys are relative to the store's root";
  for (char c : key) {
    if (is_control(c)) return "contains a control character";
    if (c == '\\') return "contains a backslash; use '/' to separate folders";
  }
  size_t start = 0;
  while (true) {
    size_t slash = key.find('/', start);
    size_t length = slash == std::string_view::npos ? std::string_view::npos : slash - start;
    if (auto problem = segment_problem(key.substr(start, length))) return problem;
    if (slash == std::string_view::npos) return std::nullopt;
    start = slash + 1;
  }
}

void validate_blob_key(std::string_view key) {
  if (auto problem = key_problem(key)) {
    std::string shown = key.size() > kMaxKeyBytes ? printable(key.substr(0, 64)) + "..." : printable(key);
    fail(ErrorCode::InvalidArgument, "blob key '" + shown + "' " + *problem);
  }
}

std::string folder_prefix(std::string_view prefix) {
  if (prefix.empty()) return {};
  std::string_view folder = prefix.ends_with('/') ? prefix.substr(0, prefix.size() - 1) : prefix;
  if (folder.empty()) {
    fail(ErrorCode::InvalidArgument, "blob prefix '/' is not a folder; use \"\" to list every key");
  }
  validate_blob_key(folder);
  return std::string(folder) + "/";
}

}  // namespace superstore::blob
