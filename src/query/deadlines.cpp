#include "query/deadlines.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace superstore::query {
namespace {

using namespace std::chrono_literals;

// Interrupts connections whose time limit has passed, for every query of the process from one thread:
// a thread started and joined per query cost two thread switches per request, which on a busy machine
// took longer than a small query. DuckDB drops an interrupt that arrives between two statements (e.g.
// while one is being prepared), so a late query is interrupted again every 20 ms until it lets go.
class Deadlines {
 public:
  // Never destroyed: queries may still end while static objects are torn down at exit.
  static Deadlines& instance() {
    static Deadlines* deadlines = new Deadlines();
    return *deadlines;
  }

  uint64_t add(duckdb_connection conn, std::chrono::steady_clock::time_point deadline,
               std::function<bool()> cancelled) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    const auto first_check = std::chrono::steady_clock::now() + kCancelCheckInterval;
    const bool checks = static_cast<bool>(cancelled);
    entries_[id] = {conn, deadline, false, std::move(cancelled), first_check, false};
    if (deadline < planned_wake_ || (checks && first_check < planned_wake_)) wake_.notify_one();
    return id;
  }
  // Once this returns, the connection is never interrupted on behalf of this entry again.
  bool remove(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    const bool fired = it->second.fired;
    entries_.erase(it);
    return fired;
  }
  bool fired(uint64_t id) {
    std::lock_guard lock(mutex_);
    return entries_.at(id).fired;
  }
  bool cancelled(uint64_t id) {
    std::lock_guard lock(mutex_);
    return entries_.at(id).was_cancelled;
  }

 private:
  struct Entry {
    duckdb_connection conn;
    std::chrono::steady_clock::time_point deadline;
    bool fired;
    std::function<bool()> cancelled;
    std::chrono::steady_clock::time_point next_check;
    bool was_cancelled;
  };

  Deadlines() {
    std::thread([this] { run(); }).detach();
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      const auto now = std::chrono::steady_clock::now();
      planned_wake_ = std::chrono::steady_clock::time_point::max();
      for (auto& [id, e] : entries_) {
        if (e.cancelled && !e.was_cancelled && e.next_check <= now) {
          e.was_cancelled = e.cancelled();
          e.next_check = now + kCancelCheckInterval;
        }
        if (e.deadline <= now || e.was_cancelled) {
          e.fired = e.fired || e.deadline <= now;
          duckdb_interrupt(e.conn);
          planned_wake_ = std::min(planned_wake_, now + 20ms);
        } else {
          planned_wake_ = std::min(planned_wake_, e.deadline);
          if (e.cancelled) planned_wake_ = std::min(planned_wake_, e.next_check);
        }
      }
      if (planned_wake_ == std::chrono::steady_clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, planned_wake_);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> entries_;
  uint64_t next_id_ = 0;
  std::chrono::steady_clock::time_point planned_wake_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace

Watchdog::Watchdog(duckdb_connection conn, std::chrono::milliseconds limit, std::function<bool()> cancelled)
    : id_(Deadlines::instance().add(conn, std::chrono::steady_clock::now() + limit, std::move(cancelled))) {}

Watchdog::~Watchdog() { Deadlines::instance().remove(id_); }

bool Watchdog::fired() const { return Deadlines::instance().fired(id_); }

bool Watchdog::cancelled() const { return Deadlines::instance().cancelled(id_); }

}  // namespace superstore::query
