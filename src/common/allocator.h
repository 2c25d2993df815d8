// Process-wide tuning of the allocators (glibc's malloc, and the jemalloc inside DuckDB) for bulk data work.
#pragma once

#include <cstdint>
#include <optional>

namespace superstore {

// Keeps large freed blocks in the heap for reuse instead of handing them back to the kernel at once.
// Writing micro-partitions allocates and frees buffers of megabytes per file (ours and DuckDB's); with
// glibc's defaults many are fresh mmaps whose pages fault in again: about 12 % of the CPU time of a
// large fake-data write (bench/README.md). Memory above the thresholds is still returned.
// DuckDB allocates through a jemalloc of its own, built to purge freed pages after one second; an import
// frees and allocates its CSV buffers and result chunks faster than pages come back, so each is faulted
// in again. Its decay is set to jemalloc's usual ten seconds (unless DUCKDB_JE_MALLOC_CONF, which that
// jemalloc reads, is set): about a fifth less CPU for a 5 M-row CSV import (bench/README.md); idle
// memory still goes back within seconds.
// Call once, first thing in main(), before any thread starts.
void tune_allocator_for_bulk_work();

// The decay tune_allocator_for_bulk_work() gives DuckDB's jemalloc, in milliseconds.
inline constexpr int64_t kDuckdbAllocatorDecayMs = 10'000;

// Sets, and reads, the dirty and muzzy decay of DuckDB's jemalloc for every arena (benchmarks set it back
// to DuckDB's own to measure DuckDB as it ships). Both do nothing, false or nullopt, when that jemalloc is
// not there.
bool set_duckdb_allocator_decay(int64_t ms);
std::optional<int64_t> duckdb_allocator_decay();

}  // namespace superstore
