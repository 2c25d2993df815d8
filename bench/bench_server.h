// What the benchmarks that talk to a real `superstore serve` share: starting and stopping the server,
// logging in, and reading a process's peak memory.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bench {

struct Server {
  pid_t pid = -1;
  int port = 0;
  std::filesystem::path data_dir;
};

// Environment every `superstore` child of a benchmark gets (PATH, DATA_DIR, the first user), plus `extra`
// ("NAME=value" entries, e.g. APP_ENV=dev); a later entry of the same name wins.
std::vector<std::string> child_environment(const std::filesystem::path& data_dir,
                                           const std::vector<std::string>& extra);

// Starts `binary serve` on loopback with a free port, DATA_DIR = `data_dir` (emptied and created first),
// and `extra_env`; waits for its "listening on" line and exits the benchmark if it never comes. Its standard
// output and error go to serve.out and serve.err in `data_dir`.
Server start_server(const std::string& binary, const std::filesystem::path& data_dir,
                    const std::vector<std::string>& extra_env);

// SIGTERM, wait, and remove its DATA_DIR unless told not to.
void stop_server(Server& server, bool remove_data = true);

// Logs in as the first user of child_environment and returns the bearer token; exits the benchmark on
// failure.
std::string login(httplib::Client& http);

// The peak resident set of a process (VmHWM of /proc/PID/status) in MiB, and its reset (writing "5" to
// /proc/PID/clear_refs), so that a phase's peak can be read after it. pid 0 is this process.
double peak_rss_mib(pid_t pid);
void reset_peak_rss(pid_t pid);

// The CPU time (user + system, all threads) a process has used so far, in seconds (utime and stime of
// /proc/PID/stat); the difference over a phase is that phase's. pid 0 is this process.
double cpu_seconds(pid_t pid);

}  // namespace bench
