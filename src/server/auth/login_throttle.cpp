#include "server/auth/login_throttle.h"

#include <algorithm>

namespace superstore::server {
namespace {

std::string account_key(std::string_view email) {
  std::string key(email);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

std::chrono::seconds ceil_seconds(LoginThrottle::Clock::duration d) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(d));
}

}  // namespace

LoginThrottle::LoginThrottle(ThrottlePolicy policy) : policy_(policy) {}

std::chrono::seconds LoginThrottle::begin(std::string_view email, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::string key = account_key(email);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(std::move(key), Entry{}).first;
  }
  Entry& entry = it->second;
  if (entry.in_flight) return std::chrono::seconds(1);
  if (now < entry.locked_until) return ceil_seconds(entry.locked_until - now);
  if (entry.failures > 0 && now - entry.last_failure >= policy_.forget_after) entry.failures = 0;
  entry.in_flight = true;
  return std::chrono::seconds(0);
}

void LoginThrottle::finish(std::string_view email, Outcome outcome, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(account_key(email));
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  entry.in_flight = false;
  if (outcome == Outcome::Failure) {
    ++entry.failures;
    entry.last_failure = now;
    int over = entry.failures - policy_.free_failures;
    if (over >= 0) {
      // Doubling stops at the cap; shifting by more than ~30 would overflow, long before which the cap hit.
      auto lock_for = policy_.first_lockout * (int64_t{1} << std::min(over, 30));
      entry.locked_until = now + std::min<std::chrono::seconds>(lock_for, policy_.max_lockout);
    }
  }
  if (outcome == Outcome::Success || entry.failures == 0) entries_.erase(it);
}

size_t LoginThrottle::tracked_accounts() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void LoginThrottle::make_room(Clock::time_point now) {
  if (entries_.size() < policy_.max_tracked_accounts) return;
  std::erase_if(entries_, [&](const auto& item) {
    const Entry& e = item.second;
    return !e.in_flight && now >= e.locked_until && now - e.last_failure >= policy_.forget_after;
  });
  // Still full under a flood: forget the account whose last failure is oldest. A linear scan is cheap next
  // to the argon2id check every counted failure already paid for.
  while (entries_.size() >= policy_.max_tracked_accounts) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.in_flight) continue;
      if (oldest == entries_.end() || it->second.last_failure < oldest->second.last_failure) oldest = it;
    }
    if (oldest == entries_.end()) return;
    entries_.erase(oldest);
  }
}

}  // namespace superstore::server
