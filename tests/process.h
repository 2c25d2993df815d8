// Runs the superstore binary as a child process and captures what it prints, for end-to-end tests.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace superstore::e2e {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// Runs `binary` with `args`, the current environment plus `env`, and `stdin_text` on its standard input.
// With `kill_when`, it is asked every millisecond while the child runs (with its process id) and a true
// answer kills the child with SIGKILL.
ProcessResult run(const std::string& binary, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "",
                  const std::function<bool(int pid)>& kill_when = {});

}  // namespace superstore::e2e
