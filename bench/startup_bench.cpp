// How long superstore takes to be useful after exec (issue 19, part 3): `serve` with dev data present until
// /health answers, and `sql "SELECT 1"` until it exits, beside the floor any DuckDB-based program pays (this
// binary re-run as `--peer`: load libduckdb, open one in-memory database, SELECT 1). Wall time per run,
// the median and minimum of --runs, and each child's peak RSS (wait4's ru_maxrss).
//
//   build-bench/bench/startup_bench build-bench/superstore [--runs 21]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_server.h"
#include "query/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  double ms = 0;
  double peak_mib = 0;
};

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> a = args, e = env;
  std::vector<char*> argv, envp;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : e) envp.push_back(s.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, a[0].c_str(), &fa, nullptr, argv.data(), envp.data()) != 0) {
    std::fprintf(stderr, "cannot start %s\n", a[0].c_str());
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// Waits for `pid`; its exit must be 0 unless it was stopped by SIGTERM. Returns its peak RSS in MiB.
double reap(pid_t pid, const std::string& what) {
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  const bool ok =
      (WIFEXITED(status) && WEXITSTATUS(status) == 0) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  if (!ok) {
    std::fprintf(stderr, "%s failed (status %d)\n", what.c_str(), status);
    std::exit(1);
  }
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// One GET /health on a fresh connection; true when it answers 200.
bool healthy(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char request[] = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    char answer[16] = {};
    if (send(fd, request, sizeof request - 1, 0) > 0 && recv(fd, answer, sizeof answer - 1, MSG_WAITALL) > 12) {
      ok = std::strncmp(answer, "HTTP/1.1 200", 12) == 0;
    }
  }
  close(fd);
  return ok;
}

Run serve_once(const std::string& binary, const std::vector<std::string>& env) {
  const int port = free_port();
  std::vector<std::string> e = env;
  e.push_back("PORT=" + std::to_string(port));
  const auto start = Clock::now();
  const pid_t pid = spawn({binary, "serve"}, e);
  while (!healthy(port)) {
    if (Clock::now() - start > std::chrono::seconds(30)) {
      std::fprintf(stderr, "serve never answered /health\n");
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  Run r;
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  kill(pid, SIGTERM);
  r.peak_mib = reap(pid, "serve");
  return r;
}

Run command_once(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  const auto start = Clock::now();
  const pid_t pid = spawn(args, env);
  const double peak = reap(pid, args[0] + " " + args[1]);
  return {std::chrono::duration<double, std::milli>(Clock::now() - start).count(), peak};
}

void report(const char* what, std::vector<Run> runs, double peer_median) {
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.ms < b.ms; });
  const Run& median = runs[runs.size() / 2];
  double peak = 0;
  for (const Run& r : runs) peak = std::max(peak, r.peak_mib);
  std::printf("%-34s median %7.1f ms  min %7.1f ms  %5.2fx peer  peak %6.1f MiB\n", what, median.ms, runs.front().ms,
              peer_median > 0 ? median.ms / peer_median : 1.0, peak);
}

double median_ms(std::vector<Run> runs) {
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.ms < b.ms; });
  return runs[runs.size() / 2].ms;
}

// The peer: what loading libduckdb, opening an in-memory database and one SELECT 1 cost (DuckDB as it
// comes: no sandbox settings).
int peer() {
  superstore::query::Database db(superstore::query::DatabaseOptions{.sandboxed = false});
  superstore::query::Connection conn(db);
  std::printf("%s\n", conn.execute("SELECT 1").get_string(0, 0).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--peer") return peer();
  if (argc < 2) {
    std::fprintf(stderr, "usage: startup_bench SUPERSTORE [--runs N]\n");
    return 2;
  }
  const std::string binary = fs::absolute(argv[1]).string();
  int runs = 21;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--runs") runs = std::max(1, std::stoi(argv[i + 1]));
  }
  const fs::path dir = fs::temp_directory_path() / ("ss-startup-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::vector<std::string> env = bench::child_environment(dir, {"APP_ENV=dev", "HOST=127.0.0.1"});
  // The dev data (scale 1) and the first user exist before the first timed run, as on every restart.
  command_once({binary, "fake-data", "create"}, env);
  serve_once(binary, env);

  const std::string self = fs::canonical("/proc/self/exe").string();
  std::vector<Run> peer_runs, serve_runs, sql_runs;
  for (int i = 0; i < runs; ++i) {  // interleaved, so that load on the machine falls on all three alike
    peer_runs.push_back(command_once({self, "--peer"}, env));
    serve_runs.push_back(serve_once(binary, env));
    sql_runs.push_back(command_once({binary, "sql", "SELECT 1"}, env));
  }
  const double peer_median = median_ms(peer_runs);
  std::printf("start-up, %d runs each (dev data at scale 1 present)\n", runs);
  report("peer: libduckdb open + SELECT 1", peer_runs, peer_median);
  report("serve: exec -> /health 200", serve_runs, peer_median);
  report("sql \"SELECT 1\": exec -> exit", sql_runs, peer_median);
  fs::remove_all(dir);
  return 0;
}
