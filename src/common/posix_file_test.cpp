#include "common/posix_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "common/error.h"

namespace superstore {
namespace {

// /dev/full refuses every write with ENOSPC: a real full disk, with no root and no mount.
TEST(PosixFile, AWriteToAFullDeviceIsInsufficientStorageNamingTheFile) {
  Fd fd(::open("/dev/full", O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) GTEST_SKIP() << "no /dev/full here";
  try {
    write_all(fd.get(), "some bytes", "blob 'a/b.json'");
    ADD_FAILURE() << "the write succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InsufficientStorage);
    EXPECT_EQ(std::string(e.what()), "no space left on device while writing blob 'a/b.json'");
  }
}

TEST(PosixFile, StorageFullErrorsAreFoundInOtherLibrariesMessages) {
  EXPECT_EQ(storage_full_in_message("IO Error: Could not write file \"x.parquet\": No space left on device"), ENOSPC);
  EXPECT_EQ(storage_full_in_message("IO Error: Could not write file \"x\": File too large"), EFBIG);
  EXPECT_EQ(storage_full_in_message("IO Error: Could not write file \"x\": Permission denied"), std::nullopt);
  EXPECT_TRUE(is_storage_full(EDQUOT));
  EXPECT_FALSE(is_storage_full(EACCES));
}

}  // namespace
}  // namespace superstore
