// Process-wide tuning of glibc's malloc for bulk data work.
#pragma once

namespace superstore {

// Keeps large freed blocks in the heap for reuse instead of handing them back to the kernel at once.
// Writing micro-partitions allocates and frees buffers of megabytes per file (ours and DuckDB's); with
// glibc's defaults many are fresh mmaps whose pages fault in again: about 12 % of the CPU time of a
// large fake-data write (bench/README.md). Memory above the thresholds is still returned.
// Call once, first thing in main(), before any thread starts.
void tune_allocator_for_bulk_work();

}  // namespace superstore
