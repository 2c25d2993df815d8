// The blob tests' temp folder is the shared one (common/temp_folder.h).
#pragma once

#include "common/temp_folder.h"

namespace superstore::blob {
using TempFolder = superstore::TempFolder;
}  // namespace superstore::blob
