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

Mallctl duckdb_mallctl() { return reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "duckdb_je_mallctl")); }

}  // namespace

void tune_allocator_for_bulk_work() {
  // Blocks below 64 MiB come from the heap, and up to 512 MiB of free heap top stays mapped.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // Left as it is when the user configures DuckDB's jemalloc.
  if (std::getenv("DUCKDB_JE_MALLOC_CONF") == nullptr) set_duckdb_allocator_decay(kDuckdbAllocatorDecayMs);
}

bool set_duckdb_allocator_decay(int64_t decay_ms) {
  const Mallctl mallctl = duckdb_mallctl();
  if (mallctl == nullptr) return false;
  auto ms = static_cast<ssize_t>(decay_ms);
  // The default of arenas made later, then each arena there already is.
  for (const char* name : {"arenas.dirty_decay_ms", "arenas.muzzy_decay_ms"}) {
    if (mallctl(name, nullptr, nullptr, &ms, sizeof ms) != 0) return false;
  }
  unsigned arenas = 0;
  size_t length = sizeof arenas;
  if (mallctl("arenas.narenas", &arenas, &length, nullptr, 0) != 0) return false;
  for (unsigned i = 0; i < arenas; ++i) {
    for (const char* what : {".dirty_decay_ms", ".muzzy_decay_ms"}) {
      const std::string name = "arena." + std::to_string(i) + what;
      mallctl(name.c_str(), nullptr, nullptr, &ms, sizeof ms);  // fails for an arena not made yet
    }
  }
  return true;
}

std::optional<int64_t> duckdb_allocator_decay() {
  const Mallctl mallctl = duckdb_mallctl();
  ssize_t ms = 0;
  size_t length = sizeof ms;
  if (mallctl == nullptr || mallctl("arenas.dirty_decay_ms", &ms, &length, nullptr, 0) != 0) return std::nullopt;
  return static_cast<int64_t>(ms);
}

}  // namespace superstore
