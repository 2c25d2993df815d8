// The seeded mutation driver: the main() of every fuzz target in builds without libFuzzer (the normal g++
// build and build-asan, where ctest runs each target for a few seconds). It reads libFuzzer's flags, so
// the command lines of ctest and scripts/run-fuzz.sh work with either:
//
//   fuzz_token -max_total_time=3 -seed=1 -timeout=30 DIR...   runs every file of DIR once, then mutated
//                                                               copies of them until the time is up
//   fuzz_token FILE...                                         runs each file once (to replay a crash)
//
// Mutations are libFuzzer's simplest ones (bit flips, byte edits, erased, repeated and spliced ranges,
// numbers swapped for extreme ones), stacked one to four deep, from a fixed seed: a run is repeatable up
// to where the time limit cuts it. A failing input (a crash, a sanitizer report, an exception the target
// let through, a run over -timeout seconds) is written to crash-<pid> in the working folder and the path
// printed, so that it can be replayed and become a unit test.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// AddressSanitizer calls this before it exits with a report; weak, so the plain build needs no ASan.
extern "C" void __asan_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

using Bytes = std::vector<uint8_t>;

struct Flags {
  double max_total_time = 0;  // seconds; 0: only the given inputs, once
  uint64_t seed = 1;
  int64_t runs = -1;  // -1: no limit
  size_t max_len = 4096;
  int timeout = 60;  // seconds one input may take
  std::vector<std::string> inputs;
};

// The input being run, for the crash handlers (written before each run, read only when dying).
const uint8_t* g_current = nullptr;
size_t g_current_size = 0;
std::atomic<int64_t> g_run_started_ms{0};
char g_crash_path[64];

void save_current_input() {
  // Only async-signal-safe calls: this runs in signal handlers.
  int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    size_t done = 0;
    while (done < g_current_size) {
      ssize_t n = ::write(fd, g_current + done, g_current_size - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  static const char kSaved[] = "\nfuzz driver: the failing input is in ";
  (void)!::write(STDERR_FILENO, kSaved, sizeof kSaved - 1);
  (void)!::write(STDERR_FILENO, g_crash_path, std::strlen(g_crash_path));
  (void)!::write(STDERR_FILENO, "\n", 1);
}

void on_fatal_signal(int signal_number) {
  save_current_input();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Flags parse_flags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      const size_t n = std::strlen(name);
      return arg.size() > n && arg.compare(0, n, name) == 0 ? arg.c_str() + n : nullptr;
    };
    if (const char* v = value("-max_total_time=")) {
      flags.max_total_time = std::atof(v);
    } else if (const char* v = value("-seed=")) {
      flags.seed = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("-runs=")) {
      flags.runs = std::atoll(v);
    } else if (const char* v = value("-max_len=")) {
      flags.max_len = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("-timeout=")) {
      flags.timeout = std::atoi(v);
    } else if (!arg.empty() && arg[0] == '-') {
      // Another libFuzzer flag (-dict=, -jobs=, ...): meaningful to libFuzzer only.
    } else {
      flags.inputs.push_back(arg);
    }
  }
  return flags;
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void run_one(const Bytes& input) {
  g_current = input.data();
  g_current_size = input.size();
  g_run_started_ms = now_ms();
  try {
    LLVMFuzzerTestOneInput(input.data(), input.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz driver: the target let an exception through: %s\n", e.what());
    save_current_input();
    std::abort();
  }
  g_run_started_ms = 0;
}

// Stops the process when one input runs longer than the timeout: a hang is a finding too.
void watch_for_hangs(int timeout_seconds) {
  std::thread([timeout_seconds] {
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const int64_t started = g_run_started_ms;
      if (started != 0 && now_ms() - started > int64_t{timeout_seconds} * 1000) {
        std::fprintf(stderr, "fuzz driver: one input ran longer than %d s\n", timeout_seconds);
        save_current_input();
        std::_Exit(1);
      }
    }
  }).detach();
}

class Mutator {
 public:
  Mutator(uint64_t seed, size_t max_len, const std::vector<Bytes>& corpus)
      : random_(seed), max_len_(max_len), corpus_(corpus) {}

  Bytes next() {
    Bytes data = corpus_.empty() ? Bytes{} : corpus_[below(corpus_.size())];
    const size_t steps = 1 + below(4);
    for (size_t i = 0; i < steps; ++i) mutate(data);
    if (data.size() > max_len_) data.resize(max_len_);
    return data;
  }

 private:
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(random_() % n); }

  void mutate(Bytes& data) {
    static const char* const kNumbers[] = {
        "0",   "-1", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "1e400", "-0", "4294967296",
        "1.5", "NaN"};
    static const char kSpecial[] = "\"\\{}[],:\n\r\t %=&/.-+0\x00\xff\xc3";
    switch (data.empty() ? 1 : below(8)) {
      case 0:  // flip a bit
        data[below(data.size())] ^= static_cast<uint8_t>(1u << below(8));
        break;
      case 1:  // insert a byte, often one that matters to parsers
        data.insert(
            data.begin() + static_cast<std::ptrdiff_t>(below(data.size() + 1)),
            below(2) ? static_cast<uint8_t>(kSpecial[below(sizeof kSpecial - 1)]) : static_cast<uint8_t>(random_()));
        break;
      case 2:  // set a byte
        data[below(data.size())] = static_cast<uint8_t>(random_());
        break;
      case 3: {  // erase a range
        const size_t at = below(data.size());
        const size_t n = 1 + below(std::min<size_t>(16, data.size() - at));
        data.erase(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + n));
        break;
      }
      case 4: {  // repeat a range
        const size_t at = below(data.size());
        const size_t n = 1 + below(std::min<size_t>(64, data.size() - at));
        const Bytes piece(data.begin() + static_cast<std::ptrdiff_t>(at),
                          data.begin() + static_cast<std::ptrdiff_t>(at + n));
        data.insert(data.begin() + static_cast<std::ptrdiff_t>(below(data.size() + 1)), piece.begin(), piece.end());
        break;
      }
      case 5: {  // splice in a range of another input
        if (corpus_.empty()) break;
        const Bytes& other = corpus_[below(corpus_.size())];
        if (other.empty()) break;
        const size_t at = below(other.size());
        const size_t n = 1 + below(other.size() - at);
        data.insert(data.begin() + static_cast<std::ptrdiff_t>(below(data.size() + 1)),
                    other.begin() + static_cast<std::ptrdiff_t>(at),
                    other.begin() + static_cast<std::ptrdiff_t>(at + n));
        break;
      }
      case 6: {  // replace a run of digits with an extreme number
        const size_t start = below(data.size());
        auto digit = [&](size_t i) { return i < data.size() && data[i] >= '0' && data[i] <= '9'; };
        size_t at = start;
        while (at < data.size() && !digit(at)) ++at;
        if (at == data.size()) break;
        size_t end = at;
        while (digit(end)) ++end;
        const std::string number = kNumbers[below(std::size(kNumbers))];
        data.erase(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(end));
        data.insert(data.begin() + static_cast<std::ptrdiff_t>(at), number.begin(), number.end());
        break;
      }
      default:  // cut the end off
        data.resize(below(data.size() + 1));
        break;
    }
  }

  std::mt19937_64 random_;
  size_t max_len_;
  const std::vector<Bytes>& corpus_;
};

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv);
  std::snprintf(g_crash_path, sizeof g_crash_path, "crash-%d", static_cast<int>(::getpid()));
  for (int s : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) ::signal(s, on_fatal_signal);
  if (__asan_set_death_callback) __asan_set_death_callback(save_current_input);
  watch_for_hangs(flags.timeout);

  std::vector<Bytes> corpus;
  bool any_folder = false;
  for (const auto& input : flags.inputs) {
    if (std::filesystem::is_directory(input)) {
      any_folder = true;
      for (const auto& entry : std::filesystem::directory_iterator(input)) {
        if (entry.is_regular_file()) corpus.push_back(read_file(entry.path()));
      }
    } else {
      corpus.push_back(read_file(input));
    }
  }
  std::sort(corpus.begin(), corpus.end());  // directory order varies; a seed should mean one run

  const int64_t start = now_ms();
  int64_t runs = 0;
  for (const Bytes& input : corpus) {
    run_one(input);
    ++runs;
  }
  if (!any_folder || flags.max_total_time <= 0) {
    std::fprintf(stderr, "fuzz driver: ran %lld inputs\n", static_cast<long long>(runs));
    return 0;
  }
  Mutator mutator(flags.seed, flags.max_len, corpus);
  const auto limit_ms = static_cast<int64_t>(flags.max_total_time * 1000);
  while (now_ms() - start < limit_ms && (flags.runs < 0 || runs < flags.runs)) {
    run_one(mutator.next());
    ++runs;
  }
  std::fprintf(stderr, "fuzz driver: %lld runs in %.1f s (seed %llu), no failure\n", static_cast<long long>(runs),
               static_cast<double>(now_ms() - start) / 1000, static_cast<unsigned long long>(flags.seed));
  return 0;
}
