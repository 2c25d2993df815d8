#include "server/auth/login_throttle.h"

#include <gtest/gtest.h>

namespace superstore::server {
namespace {

using std::chrono::seconds;
using Clock = LoginThrottle::Clock;
using Outcome = LoginThrottle::Outcome;

ThrottlePolicy policy() {
  ThrottlePolicy p;
  p.free_failures = 3;
  p.first_lockout = seconds(10);
  p.max_lockout = seconds(60);
  p.forget_after = seconds(600);
  return p;
}

// One complete attempt; returns the wait begin() asked for (0 when the attempt ran).
seconds attempt(LoginThrottle& t, const char* email, Outcome outcome, Clock::time_point now) {
  seconds wait = t.begin(email, now);
  if (wait.count() == 0) t.finish(email, outcome, now);
  return wait;
}

TEST(LoginThrottle, LocksAfterTheFreeFailuresAndDoublesUpToTheCap) {
  LoginThrottle t(policy());
  Clock::time_point now{};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt(t, "a@x", Outcome::Failure, now), seconds(0));
  EXPECT_EQ(t.begin("a@x", now), seconds(10));
  EXPECT_EQ(t.begin("a@x", now + seconds(4)), seconds(6));
  now += seconds(10);
  EXPECT_EQ(attempt(t, "a@x", Outcome::Failure, now), seconds(0));  // 4th failure: 20 s
  EXPECT_EQ(t.begin("a@x", now), seconds(20));
  now += seconds(20);
  EXPECT_EQ(attempt(t, "a@x", Outcome::Failure, now), seconds(0));  // 5th: 40 s
  EXPECT_EQ(t.begin("a@x", now), seconds(40));
  now += seconds(40);
  EXPECT_EQ(attempt(t, "a@x", Outcome::Failure, now), seconds(0));  // 6th: 80 s, capped at 60
  EXPECT_EQ(t.begin("a@x", now), seconds(60));
}

TEST(LoginThrottle, SuccessClearsTheCount) {
  LoginThrottle t(policy());
  Clock::time_point now{};
  for (int i = 0; i < 2; ++i) attempt(t, "a@x", Outcome::Failure, now);
  attempt(t, "a@x", Outcome::Success, now);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt(t, "a@x", Outcome::Failure, now), seconds(0));
  EXPECT_GT(t.begin("a@x", now).count(), 0);
}

TEST(LoginThrottle, AccountsAreIndependentAndComparedIgnoringCase) {
  LoginThrottle t(policy());
  Clock::time_point now{};
  for (int i = 0; i < 3; ++i) attempt(t, "Ada@X.org", Outcome::Failure, now);
  EXPECT_GT(t.begin("ada@x.org", now).count(), 0);
  EXPECT_EQ(t.begin("bob@x.org", now), seconds(0));
}

TEST(LoginThrottle, OneAttemptPerAccountAtATime) {
  LoginThrottle t(policy());
  Clock::time_point now{};
  ASSERT_EQ(t.begin("a@x", now), seconds(0));
  EXPECT_EQ(t.begin("a@x", now), seconds(1));
  EXPECT_EQ(t.begin("b@x", now), seconds(0));
  t.finish("a@x", Outcome::Abandoned, now);
  EXPECT_EQ(t.begin("a@x", now), seconds(0));
}

TEST(LoginThrottle, AbandonedAttemptsAreNotCounted) {
  LoginThrottle t(policy());
  Clock::time_point now{};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(attempt(t, "a@x", Outcome::Abandoned, now), seconds(0));
  EXPECT_EQ(t.tracked_accounts(), 0u);
}

TEST(LoginThrottle, QuietAccountsAreForgiven) {
  LoginThrottle t(policy());
  Clock::time_point now{};
  for (int i = 0; i < 2; ++i) attempt(t, "a@x", Outcome::Failure, now);
  now += seconds(600);
  // The count restarted, so three more failures are free again.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt(t, "a@x", Outcome::Failure, now), seconds(0));
}

TEST(LoginThrottle, TrackedAccountsAreBounded) {
  ThrottlePolicy p = policy();
  p.max_tracked_accounts = 100;
  LoginThrottle t(p);
  Clock::time_point now{};
  for (int i = 0; i < 1000; ++i) {
    attempt(t, ("user" + std::to_string(i) + "@x").c_str(), Outcome::Failure, now + seconds(i));
  }
  EXPECT_LE(t.tracked_accounts(), 100u);
}

}  // namespace
}  // namespace superstore::server
