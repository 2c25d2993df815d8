#include "server/auth/first_user.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/error.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

class FirstUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.data_dir = dir.path();
    catalog = catalog::Catalog::open(config.catalog_path());
  }

  FirstUserResult ensure() { return ensure_first_user(config, *catalog, hasher, out); }

  TempFolder dir;
  Config config;
  std::unique_ptr<catalog::Catalog> catalog;
  PasswordHasher hasher{PasswordCost::minimum_for_tests()};
  std::ostringstream out;
};

TEST_F(FirstUserTest, NothingToDoWithoutUserEmail) {
  EXPECT_EQ(ensure().action, FirstUserResult::Action::NotConfigured);
  EXPECT_TRUE(catalog->list_users().empty());
}

TEST_F(FirstUserTest, CreatesTheUserWithTheConfiguredPassword) {
  config.user_email = "admin@example.com";
  config.user_password = "s3cret-pass";
  FirstUserResult result = ensure();
  EXPECT_EQ(result.action, FirstUserResult::Action::Created);
  EXPECT_EQ(result.email, "admin@example.com");
  auto user = catalog->find_user("admin@example.com");
  ASSERT_TRUE(user);
  EXPECT_TRUE(user->active);
  EXPECT_TRUE(hasher.verify(user->password_hash, "s3cret-pass"));
  EXPECT_EQ(user->password_hash.find("s3cret-pass"), std::string::npos);
  EXPECT_EQ(out.str(), "");  // a configured password is never echoed
}

TEST_F(FirstUserTest, InDevGeneratesAPasswordPrintsItOnceAndStoresOnlyItsHash) {
  config.dev = true;
  config.user_email = "dev@example.com";
  StderrCapture log;
  FirstUserResult result = ensure();
  std::string logged = log.finish();
  EXPECT_EQ(result.action, FirstUserResult::Action::CreatedWithGeneratedPassword);

  std::string printed = out.str();
  std::string marker = "generated password: ";
  size_t at = printed.find(marker);
  ASSERT_NE(at, std::string::npos) << printed;
  EXPECT_NE(printed.find("dev@example.com"), std::string::npos);
  std::string password = printed.substr(at + marker.size(), 24);
  EXPECT_EQ(password.find_first_of(" \n"), std::string::npos);
  EXPECT_TRUE(hasher.verify(catalog->find_user("dev@example.com")->password_hash, password));
  EXPECT_EQ(logged.find(password), std::string::npos) << "the password reached the log";

  out.str("");
  EXPECT_EQ(ensure().action, FirstUserResult::Action::AlreadyExists);
  EXPECT_EQ(out.str(), "");
}

TEST_F(FirstUserTest, GeneratedPasswordsDiffer) {
  config.dev = true;
  config.user_email = "one@example.com";
  ensure();
  config.user_email = "two@example.com";
  ensure();
  EXPECT_NE(catalog->find_user("one@example.com")->password_hash, catalog->find_user("two@example.com")->password_hash);
  std::string printed = out.str();
  std::string marker = "generated password: ";
  size_t first = printed.find(marker), second = printed.find(marker, first + 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_NE(printed.substr(first + marker.size(), 24), printed.substr(second + marker.size(), 24));
}

TEST_F(FirstUserTest, OutsideDevAMissingPasswordIsAnError) {
  config.user_email = "admin@example.com";
  try {
    ensure();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("USER_PASSWORD"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(catalog->list_users().empty());
}

TEST_F(FirstUserTest, AnExistingUserIsLeftAlone) {
  catalog->create_user("Admin@Example.com", hasher.hash("original"));
  catalog->set_user_active("Admin@Example.com", false);
  config.user_email = "admin@example.com";
  config.user_password = "different";
  EXPECT_EQ(ensure().action, FirstUserResult::Action::AlreadyExists);
  auto user = catalog->find_user("admin@example.com");
  EXPECT_TRUE(hasher.verify(user->password_hash, "original"));
  EXPECT_FALSE(user->active);
}

TEST_F(FirstUserTest, RejectsAMalformedEmail) {
  config.user_password = "pw";
  for (const char* email : {"no-at-sign", "@example.com", "a@", "a b@example.com", "a@b@c"}) {
    config.user_email = email;
    EXPECT_THROW(ensure(), Error) << email;
  }
  EXPECT_TRUE(catalog->list_users().empty());
}

}  // namespace
}  // namespace superstore::server
