#include "server/auth/password.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <time.h>

#include <algorithm>
#include <vector>

namespace superstore::server {
namespace {

TEST(PasswordHasher, HashesWithArgon2idAndVerifies) {
  PasswordHasher hasher(PasswordCost::minimum_for_tests());
  std::string hash = hasher.hash("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  EXPECT_TRUE(hasher.verify(hash, "correct horse"));
  EXPECT_FALSE(hasher.verify(hash, "correct hors"));
  EXPECT_FALSE(hasher.verify(hash, ""));
}

TEST(PasswordHasher, SaltsEveryHash) {
  PasswordHasher hasher(PasswordCost::minimum_for_tests());
  EXPECT_NE(hasher.hash("same"), hasher.hash("same"));
}

TEST(PasswordHasher, RejectsGarbageAndOtherAlgorithms) {
  PasswordHasher hasher(PasswordCost::minimum_for_tests());
  std::string hash = hasher.hash("pw");
  EXPECT_FALSE(hasher.verify("", "pw"));
  EXPECT_FALSE(hasher.verify("not a hash", "pw"));
  EXPECT_FALSE(hasher.verify(hash.substr(0, hash.size() - 3), "pw"));
  std::string argon2i = hash;
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(hasher.verify(argon2i, "pw"));
}

TEST(PasswordHasher, HashMadeAtOneCostVerifiesAtAnother) {
  PasswordHasher cheap(PasswordCost::minimum_for_tests());
  PasswordHasher other({3, 16 * 1024});
  EXPECT_TRUE(other.verify(cheap.hash("pw"), "pw"));
  EXPECT_NE(other.hash("pw").find("t=3"), std::string::npos);
}

TEST(PasswordHasher, InteractiveCostIsLibsodiumsInteractiveLevel) {
  PasswordCost cost = PasswordCost::interactive();
  EXPECT_EQ(cost.opslimit, 2u);
  EXPECT_EQ(cost.memlimit, 64u * 1024 * 1024);
}

// The point is that no user lookup answers much faster than a password check. Timed in thread CPU time
// (other processes on a busy machine do not count) with the median of several runs, and with wide bounds:
// a dummy check that skipped the hash would be ~100x faster, far outside them.
TEST(PasswordHasher, DummyVerificationCostsAboutAsMuchAsARealOne) {
  PasswordHasher hasher({2, 4 * 1024 * 1024});
  std::string hash = hasher.hash("pw");
  auto median_cpu_seconds = [](auto&& fn) {
    std::vector<double> runs;
    for (int i = 0; i < 9; ++i) {
      timespec start{}, end{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
      fn();
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
      runs.push_back(double(end.tv_sec - start.tv_sec) + double(end.tv_nsec - start.tv_nsec) * 1e-9);
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
  };
  double real = median_cpu_seconds([&] { (void)hasher.verify(hash, "wrong"); });
  double dummy = median_cpu_seconds([&] { hasher.verify_dummy("wrong"); });
  EXPECT_GT(dummy, real / 3) << "dummy " << dummy << " s, real " << real << " s";
  EXPECT_LT(dummy, real * 3) << "dummy " << dummy << " s, real " << real << " s";
}

// The dummy hash is written, not computed: it must still say exactly the cost real hashes carry (else a
// lookup of an unknown user would take another time), be accepted by libsodium's parser, and match no
// password.
TEST(PasswordHasher, TheDummyHashCarriesTheCostOfRealHashes) {
  for (const PasswordCost cost : {PasswordCost::minimum_for_tests(), PasswordCost{3, 4 * 1024 * 1024}}) {
    PasswordHasher hasher(cost);
    const std::string& dummy = hasher.dummy_hash();
    EXPECT_EQ(dummy.substr(0, 9), hasher.hash("pw").substr(0, 9));
    EXPECT_EQ(crypto_pwhash_str_needs_rehash(dummy.c_str(), cost.opslimit, cost.memlimit), 0) << dummy;
    EXPECT_NE(crypto_pwhash_str_needs_rehash(dummy.c_str(), cost.opslimit + 1, cost.memlimit), 0) << dummy;
    EXPECT_FALSE(hasher.verify(dummy, ""));
    EXPECT_NE(dummy, PasswordHasher(cost).dummy_hash()) << "every hasher draws its own salt";
  }
}

}  // namespace
}  // namespace superstore::server
