#include "blob/blob_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "common/error.h"

namespace superstore::blob {
namespace {

TEST(BlobKey, AcceptsHivePathsAndOddButHarmlessBytes) {
  std::vector<std::string> keys{"a",
                                "db/s/t-1/_delta_log/00000000000000000000.json",
                                "department=Sales/x.parquet",
                                "city=S\xC3\xA3o Paulo/1.parquet",
                                "a b/c%20d+e=f",
                                ".hidden",
                                "..a",
                                "a..",
                                "x/.y/z",
                                std::string(255, 'k'),
                                ".ss-tmp"};
  for (const auto& key : keys) {
    EXPECT_NO_THROW(validate_blob_key(key)) << key;
  }
}

TEST(BlobKey, RejectsEveryKeyThatCouldEscapeOrConfuse) {
  std::string long_segment(256, 'k');
  std::string long_key;
  while (long_key.size() <= 1024) long_key += "abcdefgh/";
  long_key += "x";
  for (const std::string& key :
       {std::string(), std::string("/etc/passwd"), std::string("a//b"), std::string("a/"), std::string("./a"),
        std::string("a/./b"), std::string("../x"), std::string("a/.."), std::string("a/../../b"), std::string("a\\b"),
        std::string("a\0b", 3), std::string("a\nb"), std::string("a\x7f"), std::string("\tx"),
        std::string(".ss-tmp-123"), std::string("a/.ss-tmp-x/b"), long_segment, long_key}) {
    try {
      validate_blob_key(key);
      ADD_FAILURE() << "accepted '" << key << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
      EXPECT_TRUE(std::string(e.what()).starts_with("blob key '")) << e.what();
    }
  }
}

TEST(BlobKey, MessageShowsControlCharactersEscaped) {
  try {
    validate_blob_key(std::string("bad\0key", 7));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "blob key 'bad\\x00key' contains a control character");
  }
}

TEST(BlobKey, FolderPrefixAddsTheSlashOnce) {
  EXPECT_EQ(folder_prefix(""), "");
  EXPECT_EQ(folder_prefix("a/b"), "a/b/");
  EXPECT_EQ(folder_prefix("a/b/"), "a/b/");
  EXPECT_THROW(folder_prefix("/"), Error);
  EXPECT_THROW(folder_prefix("a//"), Error);
  EXPECT_THROW(folder_prefix("../"), Error);
}

}  // namespace
}  // namespace superstore::blob
