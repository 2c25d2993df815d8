// Private to src/query: encoding Arrow data, as the Arrow C data interface holds it (what DuckDB exports),
// into messages of the Arrow IPC stream format. Knows nothing of DuckDB or queries; arrow_stream.cpp
// drives it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// The Arrow C data interface structs, whose layout is fixed by the Arrow specification; duckdb.h only
// declares them. The guard is the one the specification asks every copy to use.
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
extern "C" {
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
}
#endif

namespace superstore::query::arrow_ipc {

// Empty when the writer can encode a field of this schema and its children; otherwise why not, e.g.
// "dictionary-encoded values" or "Arrow format '+us:0'".
std::string unsupported_reason(const ArrowSchema& field);

// The Schema message for a record batch whose columns are the children of `root` (a struct, "+s").
std::string schema_message(const ArrowSchema& root);

// The RecordBatch message for `batch`, a struct array whose children are the columns `root` describes.
// Throws Error(Internal) for arrays the IPC format cannot take as they are (a non-zero offset).
std::string record_batch_message(const ArrowSchema& root, const ArrowArray& batch);

// The end-of-stream marker: continuation 0xFFFFFFFF and a metadata length of 0.
std::string_view end_of_stream();

}  // namespace superstore::query::arrow_ipc
