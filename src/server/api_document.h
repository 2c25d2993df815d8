// docs/openapi.json, compiled into the server by cmake/EmbedFiles.cmake (internal to src/server).
#pragma once

#include <cstddef>

namespace superstore::server {

struct ApiDocument {
  const char* name;           // "openapi.json"
  const unsigned char* data;  // the file's bytes, followed by a NUL that `size` does not count
  size_t size;
};

extern const ApiDocument kApiDocuments[];
extern const size_t kApiDocumentCount;

}  // namespace superstore::server
