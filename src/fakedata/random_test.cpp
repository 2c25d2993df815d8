#include "fakedata/random.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <set>

namespace superstore::fakedata {
namespace {

// These values pin the PRNG: if one changes, every seed's data changed, on this platform or another.
// That must never happen without bumping kRowsVersion (and kGeneratorVersion).
TEST(FakeRandom, OutputsArePinned) {
  EXPECT_EQ(mix64(0), 0u);
  EXPECT_EQ(mix64(1), 0x5692161D100B05E5ULL);
  const Stream s(Params{}, "fake_users", "age");
  EXPECT_EQ(s(0), 0xC075B5F98EB0FCE0ULL);
  EXPECT_EQ(s(1), 0xCF15A94B8D3C587AULL);
  EXPECT_EQ(s(12345, 3), 0xAAB9B7B06403ADBEULL);
}

TEST(FakeRandom, StreamsDependOnEveryInput) {
  const Params base;
  Params other_seed;
  other_seed.seed = 43;
  const Stream a(base, "fake_users", "age");
  EXPECT_NE(a(7), Stream(other_seed, "fake_users", "age")(7));
  EXPECT_NE(a(7), Stream(base, "fake_orders", "age")(7));
  EXPECT_NE(a(7), Stream(base, "fake_users", "salary")(7));
  EXPECT_NE(a(7), a(8));
  EXPECT_NE(a(7, 0), a(7, 1));
  // The anchor and scale are not inputs of the stream: rows keep their values when they change.
  Params moved;
  moved.anchor_us += 1'000'000;
  moved.scale = 9;
  EXPECT_EQ(a(7), Stream(moved, "fake_users", "age")(7));
}

TEST(FakeRandom, BitsLookUniform) {
  const Stream s(Params{}, "t", "c");
  uint64_t ones = 0;
  constexpr int kDraws = 100'000;
  for (uint64_t i = 0; i < kDraws; ++i) ones += static_cast<uint64_t>(std::popcount(s(i)));
  const double mean = static_cast<double>(ones) / kDraws;
  EXPECT_NEAR(mean, 32.0, 0.1);
}

TEST(FakeRandom, BelowAndRangeStayInBounds) {
  const Stream s(Params{}, "t", "c");
  std::vector<int> counts(10);
  for (uint64_t i = 0; i < 100'000; ++i) {
    const uint64_t v = below(s(i), 10);
    ASSERT_LT(v, 10u);
    ++counts[v];
    const int64_t r = in_range(s(i, 1), -3, 3);
    ASSERT_GE(r, -3);
    ASSERT_LE(r, 3);
  }
  for (int c : counts) EXPECT_NEAR(c, 10'000, 500);
  EXPECT_EQ(below(~0ULL, 10), 9u);
  EXPECT_EQ(below(0, 10), 0u);
}

TEST(FakeRandom, ChanceMatchesItsRate) {
  const Stream s(Params{}, "t", "c");
  int hits = 0;
  for (uint64_t i = 0; i < 100'000; ++i) hits += chance_bp(s(i), 2'500);
  EXPECT_NEAR(hits, 25'000, 600);
}

TEST(FakeRandom, BellIsStandardNormalShaped) {
  const Stream s(Params{}, "t", "c");
  double sum = 0, squares = 0;
  int within_one_sd = 0;
  constexpr int kDraws = 200'000;
  for (uint64_t i = 0; i < kDraws; ++i) {
    const int64_t z = bell_milli(s(i));
    ASSERT_LE(std::abs(z), 3'465);
    sum += static_cast<double>(z);
    squares += static_cast<double>(z) * static_cast<double>(z);
    within_one_sd += std::abs(z) <= 1'000;
  }
  const double mean = sum / kDraws;
  EXPECT_NEAR(mean, 0, 10);
  EXPECT_NEAR(std::sqrt(squares / kDraws - mean * mean), 1'000, 15);
  EXPECT_NEAR(static_cast<double>(within_one_sd) / kDraws, 0.67, 0.02);  // 0.683 for a true normal
}

TEST(FakeRandom, SkewFavoursTheHead) {
  const Stream s(Params{}, "t", "c");
  for (int factors : {2, 3}) {
    std::vector<int> counts(1'000);
    for (uint64_t i = 0; i < 100'000; ++i) {
      const uint64_t v = skewed_below(s(i), 1'000, factors);
      ASSERT_LT(v, 1'000u);
      ++counts[v];
    }
    // Average is 100 per index; the head gets several times that, the second half little.
    EXPECT_GT(counts[0], 500) << factors;
    int tail = 0;
    for (int i = 500; i < 1'000; ++i) tail += counts[static_cast<size_t>(i)];
    EXPECT_LT(tail, 20'000) << factors;
  }
}

TEST(FakeRandom, BiasedIndicesLeanTheRightWay) {
  const Stream s(Params{}, "t", "c");
  uint64_t low = 0, high = 0;
  for (uint64_t i = 0; i < 100'000; ++i) {
    low += low_biased(s(i), 100);
    high += high_biased(s(i), 100);
  }
  EXPECT_NEAR(static_cast<double>(low) / 100'000, 33, 1);
  EXPECT_NEAR(static_cast<double>(high) / 100'000, 66, 1);
}

TEST(FakeRandom, WeightedTableFollowsWeights) {
  const WeightedTable table({1, 0, 3, 6});
  const Stream s(Params{}, "t", "c");
  std::vector<int> counts(4);
  for (uint64_t i = 0; i < 100'000; ++i) ++counts[table.pick(s(i))];
  EXPECT_NEAR(counts[0], 10'000, 500);
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2], 30'000, 800);
  EXPECT_NEAR(counts[3], 60'000, 800);
}

TEST(FakeRandom, ShuffleIsAPermutation) {
  for (uint64_t n : {1ULL, 2ULL, 500ULL, 1'000ULL, 2'654'435'761ULL % 100'000, 3ULL * 7 * 11 * 13}) {
    if (n == 0) continue;
    const Shuffle shuffle(n, 0x1234567890ABCDEFULL);
    std::set<uint64_t> seen;
    for (uint64_t r = 0; r < n; ++r) seen.insert(shuffle(r));
    EXPECT_EQ(seen.size(), n);
    EXPECT_LT(*seen.rbegin(), n);
  }
}

}  // namespace
}  // namespace superstore::fakedata
