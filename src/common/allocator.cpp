#include "common/allocator.h"

#include <malloc.h>

namespace superstore {

void tune_allocator_for_bulk_work() {
  // Blocks below 64 MiB come from the heap, and up to 512 MiB of free heap top stays mapped.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

}  // namespace superstore
