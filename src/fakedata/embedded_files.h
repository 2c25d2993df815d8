// The word lists of src/fakedata/data/, compiled into the library by cmake/EmbedFiles.cmake (internal).
#pragma once

#include <cstddef>

namespace superstore::fakedata {

struct EmbeddedFile {
  const char* name;           // file name inside src/fakedata/data/, e.g. "first_names.tsv"
  const unsigned char* data;  // the file's bytes, followed by a NUL that `size` does not count
  size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace superstore::fakedata
