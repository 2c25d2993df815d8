// `superstore serve` as a background child process on an ephemeral loopback port, for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>

namespace superstore::e2e {

class ServerProcess {
 public:
  // Starts `binary serve` with the current environment plus `env` (HOST=127.0.0.1 and PORT=0 unless
  // given) and waits until it prints "listening on http://127.0.0.1:PORT"; throws std::runtime_error with
  // what it printed if it exits or stays silent for `startup_seconds`.
  ServerProcess(const std::string& binary, std::map<std::string, std::string> env, int startup_seconds = 120);
  // Kills the server (SIGKILL) if it still runs.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and returns the exit status (128 + signal when killed, -1 after `timeout_seconds`).
  int terminate(int timeout_seconds = 30);
  // What the server has printed so far.
  std::string out() const;
  std::string err() const;

 private:
  void cleanup();

  std::filesystem::path folder_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace superstore::e2e
