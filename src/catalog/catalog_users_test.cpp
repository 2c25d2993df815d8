#include "catalog/test_support.h"

namespace superstore::catalog {
namespace {

using CatalogUsers = CatalogTest;

constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";

TEST_F(CatalogUsers, CreateThenFindGetAndList) {
  UserInfo created = catalog().create_user("Ada@Example.com", kHash);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.email, "Ada@Example.com");
  EXPECT_EQ(created.password_hash, kHash);
  EXPECT_TRUE(created.active);
  EXPECT_GT(created.created_at_ms, 0);

  auto found = catalog().find_user("Ada@Example.com");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, created.id);
  auto by_id = catalog().get_user(created.id);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->email, "Ada@Example.com");

  UserInfo second = catalog().create_user("bob@example.com", kHash);
  std::vector<UserInfo> users = catalog().list_users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].id, created.id);
  EXPECT_EQ(users[1].id, second.id);
}

TEST_F(CatalogUsers, FindIgnoresCase) {
  catalog().create_user("Ada@Example.com", kHash);
  auto found = catalog().find_user("ada@EXAMPLE.COM");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->email, "Ada@Example.com");
  EXPECT_FALSE(catalog().find_user("ada@example.org").has_value());
}

TEST_F(CatalogUsers, DuplicateEmailIgnoringCaseIsAConflict) {
  catalog().create_user("ada@example.com", kHash);
  Error e = error_of([&] { catalog().create_user("ADA@example.com", "other"); });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("ADA@example.com"), std::string::npos) << e.what();
  EXPECT_EQ(catalog().list_users().size(), 1u);
  EXPECT_EQ(catalog().find_user("ada@example.com")->password_hash, kHash);
}

TEST_F(CatalogUsers, DisableAndEnable) {
  UserInfo user = catalog().create_user("ada@example.com", kHash);
  catalog().set_user_active("ADA@example.com", false);
  EXPECT_FALSE(catalog().find_user("ada@example.com")->active);
  EXPECT_FALSE(catalog().get_user(user.id)->active);
  catalog().set_user_active("ada@example.com", false);  // already disabled: fine
  catalog().set_user_active("ada@example.com", true);
  EXPECT_TRUE(catalog().find_user("ada@example.com")->active);
  EXPECT_EQ(error_of([&] { catalog().set_user_active("nobody@example.com", true); }).code(), ErrorCode::NotFound);
}

TEST_F(CatalogUsers, UnknownUsersAreAbsent) {
  EXPECT_FALSE(catalog().find_user("nobody@example.com").has_value());
  EXPECT_FALSE(catalog().get_user(1).has_value());
  EXPECT_TRUE(catalog().list_users().empty());
}

TEST_F(CatalogUsers, EmailAndHashMustNotBeEmpty) {
  EXPECT_EQ(error_of([&] { catalog().create_user("", kHash); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().create_user("a@b.c", ""); }).code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_of([&] { catalog().create_user("a\n@b.c", kHash); }).code(), ErrorCode::InvalidArgument);
  EXPECT_TRUE(catalog().list_users().empty());
}

TEST_F(CatalogUsers, SurviveReopen) {
  UserInfo user = catalog().create_user("ada@example.com", kHash);
  catalog().set_user_active("ada@example.com", false);
  reopen();
  auto again = catalog().get_user(user.id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->email, "ada@example.com");
  EXPECT_EQ(again->password_hash, kHash);
  EXPECT_FALSE(again->active);
  EXPECT_EQ(again->created_at_ms, user.created_at_ms);
}

}  // namespace
}  // namespace superstore::catalog
