#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace superstore::e2e {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits for the child up to `timeout`; its exit status as in process.h, or -1 if it still runs.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (done < 0 || std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

ServerProcess::ServerProcess(const std::string& binary, std::map<std::string, std::string> env, int startup_seconds) {
  char pattern[] = "/tmp/ss-e2e-server-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  folder_ = pattern;
  env.try_emplace("HOST", "127.0.0.1");
  env.try_emplace("PORT", "0");

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    if (!env.count(kv.substr(0, kv.find('=')))) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string program = binary, command = "serve";
  char* argv[] = {program.data(), command.data(), nullptr};

  // Files rather than pipes: the server may print any amount without anyone reading.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, (folder_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, (folder_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);

  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(startup_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string printed = out();
    if (std::regex_search(printed, m, kListening)) {
      port_ = std::stoi(m[1]);
      return;
    }
    int status = wait_for(pid_, std::chrono::milliseconds(20));
    if (status >= 0) {
      pid_ = -1;
      std::string message = "superstore serve exited with " + std::to_string(status) + ":\n" + printed + err();
      cleanup();
      throw std::runtime_error(message);
    }
  }
  std::string message = "superstore serve did not start listening:\n" + out() + err();
  cleanup();
  throw std::runtime_error(message);
}

ServerProcess::~ServerProcess() { cleanup(); }

void ServerProcess::cleanup() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::error_code ec;
  std::filesystem::remove_all(folder_, ec);
}

int ServerProcess::terminate(int timeout_seconds) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = wait_for(pid_, std::chrono::seconds(timeout_seconds));
  if (status >= 0) pid_ = -1;
  return status;
}

std::string ServerProcess::out() const { return slurp(folder_ / "out"); }
std::string ServerProcess::err() const { return slurp(folder_ / "err"); }

}  // namespace superstore::e2e
