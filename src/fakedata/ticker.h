// The fake world's background clock (`fake-data advance --every`, FAKE_DATA_TICK for `serve`): a
// simulated day per tick, each an ordinary advance (one version per built-in table). Queries are never
// held up: a reader keeps the snapshot it started with, and a tick's commit is one atomic step per table.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "fakedata/lifecycle.h"

namespace superstore::fakedata {

// One lifecycle change (create, reset, advance) at a time in this process: the dev routes and the
// ticker take it. An advance that finds it taken answers Conflict instead of waiting.
std::mutex& lifecycle_mutex();

class AdvanceTicker {
 public:
  using OnTick = std::function<void(const AdvanceReport&)>;
  using OnError = std::function<void(const std::string&)>;
  // Starts ticking `every` from now. A tick that finds another lifecycle change running is skipped; a
  // failed tick is reported and the next one tries again.
  AdvanceTicker(storage::Warehouse& warehouse, std::chrono::milliseconds every, OnTick on_tick, OnError on_error);
  // Stops, waiting for a tick in progress to commit.
  ~AdvanceTicker();
  AdvanceTicker(const AdvanceTicker&) = delete;
  AdvanceTicker& operator=(const AdvanceTicker&) = delete;

 private:
  void run();

  storage::Warehouse& warehouse_;
  const std::chrono::milliseconds every_;
  OnTick on_tick_;
  OnError on_error_;
  std::mutex mutex_;
  std::condition_variable stop_changed_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace superstore::fakedata
