// Slows down password guessing against one account. Consecutive failed logins for an email are counted;
// after `free_failures` of them the account is locked for `first_lockout`, and each further failure doubles
// the lock up to `max_lockout`. A successful login clears the count; so does a quiet `forget_after`.
// Only one login attempt per account is checked at a time, so parallel requests cannot slip extra guesses
// in before a failure is counted.
//
// Unknown emails are counted like known ones, so a lock says nothing about whether an account exists.
// The price of per-account locking is that anybody can keep a known account locked; the cap on the lock
// bounds that nuisance. Guesses spread over many emails never meet this lock; the per-address budget
// (address_throttle.h) slows those.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace superstore::server {

struct ThrottlePolicy {
  int free_failures = 5;
  std::chrono::seconds first_lockout{1};
  std::chrono::seconds max_lockout{15 * 60};
  std::chrono::seconds forget_after{60 * 60};
  // Beyond this many tracked emails the stalest are forgotten, so a flood of made-up emails cannot
  // exhaust memory.
  size_t max_tracked_accounts = 100'000;
};

// Thread-safe.
class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Outcome { Success, Failure, Abandoned };  // Abandoned: the check itself failed (an error)

  explicit LoginThrottle(ThrottlePolicy policy = {});

  // Asks to check a password for `email` (compared ignoring ASCII case). Returns zero when the attempt
  // may go ahead — the caller must then call finish() exactly once — or else the whole number of
  // seconds (at least 1) after which to try again: the account is locked, or another attempt for it is
  // being checked right now.
  std::chrono::seconds begin(std::string_view email, Clock::time_point now = Clock::now());
  void finish(std::string_view email, Outcome outcome, Clock::time_point now = Clock::now());

  size_t tracked_accounts() const;

 private:
  struct Entry {
    int failures = 0;
    bool in_flight = false;
    Clock::time_point last_failure{};
    Clock::time_point locked_until{};
  };

  void make_room(Clock::time_point now);

  ThrottlePolicy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace superstore::server
