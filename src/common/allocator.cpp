#include "common/allocator.h"

#include <dlfcn.h>
#include <malloc.h>
#include <sys/types.h>

#include <cstdlib>
#include <string>

namespace superstore {
namespace {

// jemalloc's mallctl, as DuckDB's build names it; looked up rather than linked, so that a DuckDB built
// without jemalloc (or renaming it) only loses the tuning.
using Mallctl = int (*)(const char* name, void* old_value, size_t* old_length, void* new_value, size_t new_length);

void set_duckdb_decay(ssize_t ms) {
  if (std::getenv("DUCKDB_JE_MALLOC_CONF") != nullptr) return;  // the user's choice stands
  const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "duckdb_je_mallctl"));
  if (mallctl == nullptr) return;
  // The default of arenas made later, then each arena there already is.
  for (const char* name : {"arenas.dirty_decay_ms", "arenas.muzzy_decay_ms"})
    mallctl(name, nullptr, nullptr, &ms, sizeof ms);
  unsigned arenas = 0;
  size_t length = sizeof arenas;
  if (mallctl("arenas.narenas", &arenas, &length, nullptr, 0) != 0) return;
  for (unsigned i = 0; i < arenas; ++i) {
    for (const char* what : {".dirty_decay_ms", ".muzzy_decay_ms"}) {
      const std::string name = "arena." + std::to_string(i) + what;
      mallctl(name.c_str(), nullptr, nullptr, &ms, sizeof ms);
    }
  }
}

}  // namespace

void tune_allocator_for_bulk_work() {
  // Blocks below 64 MiB come from the heap, and up to 512 MiB of free heap top stays mapped.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  set_duckdb_decay(10'000);
}

}  // namespace superstore
