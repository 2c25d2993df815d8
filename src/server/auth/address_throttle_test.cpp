#include "server/auth/address_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace superstore::server {
namespace {

using std::chrono::seconds;
using Clock = AddressThrottle::Clock;

AddressPolicy policy(int max_failures) {
  AddressPolicy p;
  p.max_failures = max_failures;
  p.window = seconds(60);
  return p;
}

// One complete attempt; the wait begin() asked for (0 when the attempt ran).
seconds attempt(AddressThrottle& t, const std::string& address, bool failed, Clock::time_point now) {
  seconds wait = t.begin(address, now);
  if (wait.count() == 0) t.finish(address, failed, now);
  return wait;
}

TEST(AddressThrottle, RefusesPastTheBudgetUntilTheOldestFailureLeavesTheWindow) {
  AddressThrottle t(policy(3));
  Clock::time_point now{};
  EXPECT_EQ(attempt(t, "10.0.0.1", true, now), seconds(0));
  EXPECT_EQ(attempt(t, "10.0.0.1", true, now + seconds(10)), seconds(0));
  EXPECT_EQ(attempt(t, "10.0.0.1", true, now + seconds(20)), seconds(0));
  EXPECT_EQ(t.begin("10.0.0.1", now + seconds(25)), seconds(35));  // the first failure ages out at 60 s
  EXPECT_EQ(t.begin("10.0.0.2", now + seconds(25)), seconds(0));   // other addresses have their own budget
  t.finish("10.0.0.2", false, now + seconds(25));
  EXPECT_EQ(attempt(t, "10.0.0.1", true, now + seconds(60)), seconds(0));
  EXPECT_EQ(t.begin("10.0.0.1", now + seconds(61)), seconds(9));
}

TEST(AddressThrottle, SuccessesDoNotRefillTheBudget) {
  AddressThrottle t(policy(2));
  Clock::time_point now{};
  attempt(t, "a", true, now);
  EXPECT_EQ(attempt(t, "a", false, now), seconds(0));
  attempt(t, "a", true, now);
  EXPECT_GT(t.begin("a", now).count(), 0);
}

TEST(AddressThrottle, AttemptsInFlightCountAgainstTheBudget) {
  AddressThrottle t(policy(2));
  Clock::time_point now{};
  ASSERT_EQ(t.begin("a", now), seconds(0));
  ASSERT_EQ(t.begin("a", now), seconds(0));
  EXPECT_EQ(t.begin("a", now), seconds(1));
  t.finish("a", false, now);
  EXPECT_EQ(t.begin("a", now), seconds(0));
}

TEST(AddressThrottle, ZeroTurnsTheLimitOff) {
  AddressThrottle t(policy(0));
  Clock::time_point now{};
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(attempt(t, "a", true, now), seconds(0));
  EXPECT_EQ(t.tracked_addresses(), 0u);
}

TEST(AddressThrottle, QuietAddressesAreForgottenAndTrackingIsBounded) {
  AddressPolicy p = policy(5);
  p.max_tracked_addresses = 50;
  AddressThrottle t(p);
  Clock::time_point now{};
  attempt(t, "a", false, now);
  EXPECT_EQ(t.tracked_addresses(), 0u);  // nothing to remember of a success
  for (int i = 0; i < 500; ++i) attempt(t, "10.1." + std::to_string(i), true, now + seconds(i));
  EXPECT_LE(t.tracked_addresses(), 50u);
}

}  // namespace
}  // namespace superstore::server
