#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "fakedata/lifecycle.h"

namespace superstore::cli {
namespace {

// Progress on stderr for runs longer than a blink: rewritten in place on a terminal, a line every few
// seconds otherwise (logs). Tables are made concurrently, so it shows the rows of all of them together.
class Progress {
 public:
  void operator()(const std::string& table, uint64_t done, uint64_t total) {
    tables_[table] = {done, total};
    uint64_t all_done = 0, all_total = 0;
    for (const auto& [name, t] : tables_) {
      all_done += t.first;
      all_total += t.second;
    }
    auto now = std::chrono::steady_clock::now();
    bool finished = done == total;
    auto gap = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    if (!finished && now - last_ < gap) return;
    if (now - start_ < std::chrono::seconds(1) && !(finished && shown_)) return;
    last_ = now;
    shown_ = true;
    std::cerr << (tty_ ? "\r" : "") << "fake data: " << all_done << " / " << all_total << " rows generated"
              << (finished ? " (" + table + " done)" : "") << (tty_ && !finished ? "" : "\n") << std::flush;
  }

 private:
  bool tty_ = isatty(STDERR_FILENO) != 0;
  bool shown_ = false;
  std::map<std::string, std::pair<uint64_t, uint64_t>> tables_;  // rows done and due, per table
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

std::string names(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& n : list) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

int fakedata_command(const Config& config, const Words& words) {
  if (words.empty()) fail(ErrorCode::InvalidArgument, "usage: superstore fake-data create|reset|status [--scale N] [--seed S]");
  if (!config.dev) {
    fail(ErrorCode::Forbidden, "fake data is for development only; run with APP_ENV=dev (now: production)");
  }
  Args args(Words(words.begin() + 1, words.end()));
  args.check({"scale", "seed", "threads"}, 0);
  fakedata::LifecycleOptions options;
  options.scale = args.int_option("scale", 1, kMaxFakeDataScale).value_or(config.fake_data_scale);
  auto seed = args.int_option("seed", 0, kMaxFakeDataSeed);
  options.seed = seed ? static_cast<uint64_t>(*seed) : config.fake_data_seed;
  options.threads = static_cast<int>(args.int_option("threads", 0, 1024).value_or(0));
  Progress progress;
  options.progress = [&](const std::string& t, uint64_t done, uint64_t total) { progress(t, done, total); };

  storage::WarehouseOptions wo;
  wo.data_dir = config.data_dir;
  storage::Warehouse wh(wo);
  const std::string& action = words[0];
  auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  if (action == "create") {
    auto r = fakedata::create_missing(wh, options);
    std::cout << "created: " << names(r.created) << "; already there: " << names(r.existing) << " (" << seconds()
              << " s)\n";
  } else if (action == "reset") {
    auto r = fakedata::reset(wh, options);
    std::cout << "recreated: " << names(r.created) << "; " << r.dropped_ids.size()
              << " old tables kept as dropped (" << seconds() << " s)\n";
  } else if (action == "status") {
    std::cout << fakedata::status(wh).dump(2) << "\n";
  } else {
    fail(ErrorCode::InvalidArgument, "unknown fake-data command '" + action + "'; use create, reset or status");
  }
  return 0;
}

}  // namespace superstore::cli
