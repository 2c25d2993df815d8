// Private to src/query: the time limit and the cancellation of user queries. One process-wide thread
// (Deadlines) interrupts connections whose deadline has passed or whose `cancelled` check says so; a
// Watchdog puts one query under it for the length of its scope.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <cstdint>
#include <functional>

namespace superstore::query {

// How often a query's `cancelled` check runs: how late a query whose client left is stopped at most.
inline constexpr std::chrono::milliseconds kCancelCheckInterval{100};

// A query's time limit and its cancellation, from construction to the end of its scope. `cancelled` runs
// on the Deadlines thread every kCancelCheckInterval (first after one interval, so short queries never
// call it), with a process-wide lock held: it must be quick and must not start another Watchdog.
class Watchdog {
 public:
  Watchdog(duckdb_connection conn, std::chrono::milliseconds limit, std::function<bool()> cancelled = {});
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog();
  // Whether the deadline passed and the connection was interrupted for it.
  bool fired() const;
  // Whether `cancelled` said so and the connection was interrupted for it.
  bool cancelled() const;

 private:
  uint64_t id_;
};

}  // namespace superstore::query
