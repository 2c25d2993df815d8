#include "fakedata/ticker.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace superstore::fakedata {

std::mutex& lifecycle_mutex() {
  static std::mutex m;
  return m;
}

AdvanceTicker::AdvanceTicker(storage::Warehouse& warehouse, std::chrono::milliseconds every, OnTick on_tick,
                             OnError on_error)
    : warehouse_(warehouse), every_(every), on_tick_(std::move(on_tick)), on_error_(std::move(on_error)) {
  thread_ = std::thread([this] { run(); });
}

AdvanceTicker::~AdvanceTicker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_changed_.notify_all();
  thread_.join();
}

void AdvanceTicker::run() {
  auto next = std::chrono::steady_clock::now() + every_;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (stop_changed_.wait_until(lock, next, [&] { return stop_; })) return;
    }
    next += every_;
    // A tick that lasts longer than the period does not pile up ticks behind it.
    next = std::max(next, std::chrono::steady_clock::now());
    std::unique_lock busy(lifecycle_mutex(), std::try_to_lock);
    if (!busy.owns_lock()) {
      if (on_error_) on_error_("fake-data tick skipped: another fake-data change is running");
      continue;
    }
    try {
      AdvanceOptions options;
      options.days = 1;
      const AdvanceReport report = advance(warehouse_, options);
      if (on_tick_) on_tick_(report);
    } catch (const std::exception& e) {
      if (on_error_) on_error_(std::string("fake-data tick failed: ") + e.what());
    }
  }
}

}  // namespace superstore::fakedata
