// Slows down password guessing from one client address, whatever emails it tries: the per-account
// throttle (login_throttle.h) never sees a guesser who spreads its guesses over many emails. Each
// address may fail `max_failures` logins within a sliding `window`; past that its logins are refused
// (429) until its oldest failure in the window is old enough. Attempts being checked count against the
// budget too, so parallel requests cannot slip extra guesses in. Successful logins do not wipe the
// count, or a guesser who owns one account could reset it at will.
//
// The address is the TCP peer's: behind a reverse proxy every client shares the proxy's address and
// budget (X-Forwarded-For is not trusted, since any client can send it).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace superstore::server {

struct AddressPolicy {
  int max_failures = 20;  // LOGIN_FAILURES_PER_ADDRESS; 0: no limit per address
  std::chrono::seconds window{60};
  // Beyond this many tracked addresses the stalest are forgotten, so that a flood of addresses (IPv6
  // gives a client many) cannot exhaust memory.
  size_t max_tracked_addresses = 100'000;
};

// Thread-safe.
class AddressThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AddressThrottle(AddressPolicy policy = {});

  // Asks to check a password from `address`. Zero: go ahead, and call finish() exactly once; otherwise
  // the whole number of seconds (at least 1) after which the address may try again.
  std::chrono::seconds begin(std::string_view address, Clock::time_point now = Clock::now());
  void finish(std::string_view address, bool failed, Clock::time_point now = Clock::now());

  size_t tracked_addresses() const;

 private:
  struct Entry {
    std::deque<Clock::time_point> failures;  // within the window, oldest first
    int in_flight = 0;
  };

  void forget_old(Entry& entry, Clock::time_point now) const;
  void make_room(Clock::time_point now);

  AddressPolicy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace superstore::server
