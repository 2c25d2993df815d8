// Work run in a forked child process and measured there, so that its CPU seconds and peak resident
// memory (wait4's rusage) are its own: nothing the benchmark did before counts.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <vector>

namespace superstore::bench {

struct ChildFigures {
  std::vector<double> values;  // what the work returned, through a pipe
  double wall_s = 0, cpu_s = 0, peak_mib = 0;
};

// Runs `work` in a child; a failure (an exception, a non-zero exit) aborts the benchmark. Fork while the
// process holds no DuckDB or warehouse, so that the child starts small and without threads.
inline ChildFigures in_child(const std::function<std::vector<double>()>& work) {
  std::fflush(stdout);
  int fds[2];
  if (::pipe(fds) != 0) std::abort();
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::close(fds[0]);
    int code = 0;
    try {
      const std::vector<double> values = work();
      const auto bytes = static_cast<ssize_t>(values.size() * sizeof(double));
      if (::write(fds[1], values.data(), values.size() * sizeof(double)) != bytes) code = 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "failed: %s\n", e.what());
      code = 1;
    }
    std::fflush(stdout);
    ::_exit(code);
  }
  ::close(fds[1]);
  ChildFigures f;
  double v = 0;
  while (::read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) f.values.push_back(v);
  ::close(fds[0]);
  int status = 0;
  rusage u{};
  if (::wait4(pid, &status, 0, &u) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) std::abort();
  f.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  f.cpu_s = seconds(u.ru_utime) + seconds(u.ru_stime);
  f.peak_mib = static_cast<double>(u.ru_maxrss) / 1024.0;
  return f;
}

}  // namespace superstore::bench
