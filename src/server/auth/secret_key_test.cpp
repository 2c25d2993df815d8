#include "server/auth/secret_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "common/error.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

namespace fs = std::filesystem;

bool same_key(const SecretKey& a, const SecretKey& b) { return std::memcmp(a.data(), b.data(), SecretKey::kSize) == 0; }

TEST(SecretKey, CreatedOnFirstUseWithMode0600AndReusedAfter) {
  TempFolder dir;
  fs::path path = dir.path() / "data" / "secret.key";  // the folder does not exist yet
  SecretKey first = load_or_create_secret_key(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  SecretKey again = load_or_create_secret_key(path);
  EXPECT_TRUE(same_key(first, again));
  // Nothing but the key is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(SecretKey, ModeIs0600EvenUnderAPermissiveUmask) {
  TempFolder dir;
  mode_t old = ::umask(0);
  SecretKey key = load_or_create_secret_key(dir.path() / "secret.key");
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SecretKey, RefusesAFileOfTheWrongSize) {
  TempFolder dir;
  fs::path path = dir.path() / "secret.key";
  std::ofstream(path) << "too short";
  try {
    (void)load_or_create_secret_key(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_NE(std::string(e.what()).find("9 bytes instead of 32"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(SecretKey, RefusesAnEmptyFileAndAFolder) {
  TempFolder dir;
  { std::ofstream empty(dir.path() / "empty.key"); }
  EXPECT_THROW((void)load_or_create_secret_key(dir.path() / "empty.key"), Error);
  fs::create_directory(dir.path() / "folder.key");
  EXPECT_THROW((void)load_or_create_secret_key(dir.path() / "folder.key"), Error);
}

TEST(SecretKey, RacingCreatorsAllEndUpWithTheSameKey) {
  TempFolder dir;
  fs::path path = dir.path() / "secret.key";
  std::vector<std::array<unsigned char, SecretKey::kSize>> keys(8);
  std::vector<std::thread> threads;
  for (auto& out : keys) {
    threads.emplace_back([&path, &out] {
      SecretKey key = load_or_create_secret_key(path);
      std::memcpy(out.data(), key.data(), out.size());
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& key : keys) EXPECT_EQ(key, keys.front());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace superstore::server
