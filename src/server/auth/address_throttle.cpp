#include "server/auth/address_throttle.h"

#include <algorithm>
#include <iterator>

namespace superstore::server {

AddressThrottle::AddressThrottle(AddressPolicy policy) : policy_(policy) {}

void AddressThrottle::forget_old(Entry& entry, Clock::time_point now) const {
  while (!entry.failures.empty() && now - entry.failures.front() >= policy_.window) entry.failures.pop_front();
}

std::chrono::seconds AddressThrottle::begin(std::string_view address, Clock::time_point now) {
  if (policy_.max_failures <= 0) return std::chrono::seconds(0);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(address));
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(std::string(address), Entry{}).first;
  }
  Entry& entry = it->second;
  forget_old(entry, now);
  if (static_cast<int>(entry.failures.size()) + entry.in_flight >= policy_.max_failures) {
    if (entry.failures.empty()) return std::chrono::seconds(1);  // the budget is all in flight
    auto wait = std::chrono::ceil<std::chrono::seconds>(entry.failures.front() + policy_.window - now);
    return std::max(std::chrono::seconds(1), wait);
  }
  ++entry.in_flight;
  return std::chrono::seconds(0);
}

void AddressThrottle::finish(std::string_view address, bool failed, Clock::time_point now) {
  if (policy_.max_failures <= 0) return;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(address));
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  entry.in_flight = std::max(0, entry.in_flight - 1);
  if (failed) entry.failures.push_back(now);
  forget_old(entry, now);
  if (entry.failures.empty() && entry.in_flight == 0) entries_.erase(it);
}

size_t AddressThrottle::tracked_addresses() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void AddressThrottle::make_room(Clock::time_point now) {
  if (entries_.size() < policy_.max_tracked_addresses) return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    forget_old(it->second, now);
    it = it->second.in_flight == 0 && it->second.failures.empty() ? entries_.erase(it) : std::next(it);
  }
  // Still full under a flood: forget the address whose newest failure is oldest.
  while (entries_.size() >= policy_.max_tracked_addresses) {
    auto stalest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.in_flight > 0) continue;
      if (stalest == entries_.end() || it->second.failures.back() < stalest->second.failures.back()) stalest = it;
    }
    if (stalest == entries_.end()) return;
    entries_.erase(stalest);
  }
}

}  // namespace superstore::server
