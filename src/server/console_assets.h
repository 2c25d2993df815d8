// The web console's built files (web/ → Vite → dist/), compiled into the binary by cmake/EmbedFiles.cmake so
// that `superstore serve` needs nothing beside it. routes_console.cpp serves them.
#pragma once

#include <cstddef>

namespace superstore::server {

struct ConsoleAsset {
  const char* path;  // the URL path: "/" for index.html, else "/assets/<kind>/<name>-<hash>"
  const char* content_type;
  const char* etag;  // a quoted strong validator: the start of the file's SHA-256
  bool immutable;    // its name holds a hash of its content, so it may be cached for good
  const unsigned char* data;
  size_t size;
  // The same bytes compressed at build time (Brotli at quality 11, gzip at level 9) for the files of a text
  // type where that makes them smaller; null and 0 otherwise.
  const unsigned char* br_data;
  size_t br_size;
  const unsigned char* gzip_data;
  size_t gzip_size;
};

// Every file of the console; none when it was built with -DSUPERSTORE_WEB_CONSOLE=OFF.
extern const ConsoleAsset kConsoleAssets[];
extern const size_t kConsoleAssetCount;

}  // namespace superstore::server
