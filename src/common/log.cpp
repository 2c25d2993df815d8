#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace superstore::log {
namespace {

std::atomic<bool> g_quiet{false};
std::mutex g_mutex;

void emit(const char* level, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "%s.%03dZ %s %.*s\n", stamp, static_cast<int>(ms), level, static_cast<int>(message.size()),
               message.data());
}

}  // namespace

void info(std::string_view message) {
  if (!g_quiet.load(std::memory_order_relaxed)) emit("INFO", message);
}
void warn(std::string_view message) { emit("WARN", message); }
void error(std::string_view message) { emit("ERROR", message); }
void set_quiet(bool quiet) { g_quiet.store(quiet); }

}  // namespace superstore::log
