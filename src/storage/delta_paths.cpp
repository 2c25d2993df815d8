#include "storage/delta_paths.h"

#include <cctype>
#include <cstdio>

#include "common/error.h"

namespace superstore::storage {
namespace {

bool needs_hive_escape(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

void append_escape(std::string& out, unsigned char c) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%%%02X", c);
  out += buf;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string hive_folder(std::string_view column, const std::optional<std::string>& value) {
  std::string out(column);
  out += '=';
  if (!value) return out + "__HIVE_DEFAULT_PARTITION__";
  for (unsigned char c : *value) {
    if (needs_hive_escape(c)) {
      append_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string uri_encode_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    bool keep =
        std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '+' || c == '@' || c == '=';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      append_escape(out, c);
    }
  }
  return out;
}

std::string uri_decode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      out += encoded[i];
      continue;
    }
    int hi = i + 2 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
    int lo = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      fail(ErrorCode::InvalidArgument, "malformed percent escape in path '" + std::string(encoded) + "'");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace superstore::storage
