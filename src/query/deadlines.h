// Private to src/query: the time limit of user queries. One process-wide thread (Deadlines) interrupts
// connections whose deadline has passed; a Watchdog puts one query under it for the length of its scope.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <cstdint>

namespace superstore::query {

// A query's time limit, from construction to the end of its scope.
class Watchdog {
 public:
  Watchdog(duckdb_connection conn, std::chrono::milliseconds limit);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog();
  // Whether the deadline passed and the connection was interrupted for it.
  bool fired() const;

 private:
  uint64_t id_;
};

}  // namespace superstore::query
