#include "storage/query_sessions.h"

namespace superstore::storage {

QuerySessions::QuerySessions(const query::Database& engine, size_t max_idle) : engine_(engine), max_idle_(max_idle) {}

QuerySessions::Lease QuerySessions::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      // The most recently used one: its views are the likeliest to be current.
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(session));
    }
  }
  return Lease(*this, std::make_unique<QuerySession>(engine_));
}

size_t QuerySessions::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

QuerySessions::Lease::~Lease() {
  if (!keep_ || !session_) return;
  std::lock_guard lock(pool_.mutex_);
  if (pool_.idle_.size() < pool_.max_idle_) pool_.idle_.push_back(std::move(session_));
}

}  // namespace superstore::storage
