#include "bench_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace bench {
namespace {

std::string proc_file(pid_t pid, const char* name) {
  return (pid == 0 ? std::string("/proc/self/") : "/proc/" + std::to_string(pid) + "/") + name;
}

}  // namespace

std::vector<std::string> child_environment(const fs::path& data_dir, const std::vector<std::string>& extra) {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "DATA_DIR=" + data_dir.string(), "USER_EMAIL=bench@example.com",
                                  "USER_PASSWORD=bench-password-1"};
  for (const auto& e : extra) {
    const std::string name = e.substr(0, e.find('=') + 1);
    std::erase_if(env, [&](const std::string& have) { return have.rfind(name, 0) == 0; });
    env.push_back(e);
  }
  return env;
}

Server start_server(const std::string& binary, const fs::path& data_dir, const std::vector<std::string>& extra_env) {
  Server s;
  s.data_dir = data_dir;
  fs::remove_all(s.data_dir);
  fs::create_directories(s.data_dir);
  fs::path out = s.data_dir / "serve.out";
  std::vector<std::string> with = {"PORT=0", "HOST=127.0.0.1"};
  with.insert(with.end(), extra_env.begin(), extra_env.end());
  std::vector<std::string> env = child_environment(s.data_dir, with);
  std::vector<char*> envp, argv;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bin = binary, serve = "serve";
  argv = {bin.data(), serve.data(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, (s.data_dir / "serve.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (posix_spawn(&s.pid, binary.c_str(), &fa, nullptr, argv.data(), envp.data()) != 0) {
    std::fprintf(stderr, "cannot start %s\n", binary.c_str());
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  for (int i = 0; i < 6000 && s.port == 0; ++i) {
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find("listening on http://");
      if (at != std::string::npos) s.port = std::stoi(line.substr(line.rfind(':') + 1));
    }
    if (s.port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (s.port == 0) {
    std::fprintf(stderr, "server did not start; see %s\n", (s.data_dir / "serve.err").c_str());
    std::exit(1);
  }
  return s;
}

void stop_server(Server& s, bool remove_data) {
  kill(s.pid, SIGTERM);
  int status = 0;
  waitpid(s.pid, &status, 0);
  if (remove_data) fs::remove_all(s.data_dir);
}

std::string login(httplib::Client& http) {
  auto res = http.Post("/auth/jwt/login", "username=bench%40example.com&password=bench-password-1",
                       "application/x-www-form-urlencoded");
  if (!res || res->status != 200) {
    std::fprintf(stderr, "login failed\n");
    std::exit(1);
  }
  return nlohmann::json::parse(res->body)["access_token"];
}

double peak_rss_mib(pid_t pid) {
  std::ifstream in(proc_file(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // "VmHWM:   123 kB"
  }
  return -1;
}

double cpu_seconds(pid_t pid) {
  std::ifstream in(proc_file(pid, "stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The fields after the command name, which is in parentheses and may hold spaces: state is field 3,
  // utime and stime are fields 14 and 15.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void reset_peak_rss(pid_t pid) {
  std::ofstream out(proc_file(pid, "clear_refs"));
  out << "5";
}

}  // namespace bench
