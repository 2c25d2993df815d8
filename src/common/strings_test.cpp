#include "common/strings.h"

#include <gtest/gtest.h>

namespace superstore {
namespace {

TEST(Strings, TrimsWhiteSpaceAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Strings, LowersAndComparesAsciiOnly) {
  EXPECT_EQ(lower("Fake_Users 42"), "fake_users 42");
  EXPECT_EQ(lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes stay as they are
  EXPECT_TRUE(iequals("Bearer", "bEARER"));
  EXPECT_FALSE(iequals("Bearer", "Bearers"));
  EXPECT_FALSE(iequals("", "x"));
}

TEST(Strings, SplitsListsAndJoinsThem) {
  EXPECT_EQ(split_list("a, b ,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list(""), std::vector<std::string>{});
  EXPECT_EQ(split_list(" , "), std::vector<std::string>{});
  EXPECT_EQ(split_list("x;y", ';'), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ","), "");
  EXPECT_EQ(join({"only"}, ","), "only");
}

}  // namespace
}  // namespace superstore
