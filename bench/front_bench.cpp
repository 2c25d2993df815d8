// Connection-front benchmark (issues 15 and 16), against a real `superstore serve` on loopback:
//   - GET /health latency (p50, p99, max; on one kept-alive connection and on a new connection each time)
//     and POST /execute throughput (--clients kept-alive connections, each sending `SELECT 42` for
//     --seconds), first with no other client, then while --slow connections trickle a header line each
//     second and never finish their head (the server's REQUEST_HEAD_TIMEOUT is raised above the phase);
//   - POST /execute of 10,000 rows with each Accept-Encoding a browser or client sends (identity, gzip,
//     "gzip, deflate, br", br): the median time of --runs, the bytes sent, and the ratio to identity.
// Beside every figure, the server's peak resident memory over that phase (VmHWM, reset before it).
// Usage: front_bench SUPERSTORE_BINARY [--slow 1000] [--clients 4] [--seconds 3] [--runs 9]
// Any older `superstore` binary can be measured the same way, for a before and after; requests that get no
// answer within 5 s count as failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench_server.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

httplib::Client client_for(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_keep_alive(true);
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  c.set_write_timeout(5);
  c.set_decompress(false);
  return c;
}

struct Latency {
  std::vector<double> ms;
  int failed = 0;
};

Latency health_latency(int port, int requests, bool new_connection_each) {
  Latency result;
  httplib::Client kept = client_for(port);
  for (int i = 0; i < requests; ++i) {
    const auto t0 = Clock::now();
    const httplib::Result r = [&] {
      if (!new_connection_each) return kept.Get("/health");
      httplib::Client fresh = client_for(port);
      fresh.set_keep_alive(false);
      return fresh.Get("/health");
    }();
    if (r && r->status == 200) {
      result.ms.push_back(ms_since(t0));
    } else if (++result.failed == 5) {
      break;  // a server that stalls would take 5 s for each of the rest
    }
  }
  return result;
}

struct Throughput {
  double per_second = 0;
  int failed = 0;
};

Throughput execute_throughput(int port, const std::string& token, int clients, int seconds) {
  std::atomic<int64_t> done{0};
  std::atomic<int> failed{0};
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  const std::string body = json{{"query", "SELECT 42 AS answer"}}.dump();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      httplib::Client c = client_for(port);
      const httplib::Headers headers = {{"Authorization", "Bearer " + token}, {"Accept-Encoding", "identity"}};
      while (Clock::now() < end) {
        auto r = c.Post("/execute", headers, body, "application/json");
        if (r && r->status == 200) {
          ++done;
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return {static_cast<double>(done.load()) / seconds, failed.load()};
}

// Connections that send a request line and then one header line a second, never the end of the head.
class SlowClients {
 public:
  SlowClients(int port, int count) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < count; ++i) {
      const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
      if (sock < 0 || ::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::fprintf(stderr, "slow client %d: cannot connect\n", i);
        if (sock >= 0) ::close(sock);
        break;
      }
      const char* line = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      (void)::send(sock, line, std::strlen(line), MSG_NOSIGNAL);
      sockets_.push_back(sock);
    }
    trickler_ = std::thread([this] {
      while (!stop_.load()) {
        for (int sock : sockets_) (void)::send(sock, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL | MSG_DONTWAIT);
        for (int i = 0; i < 10 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ~SlowClients() {
    stop_.store(true);
    trickler_.join();
    for (int sock : sockets_) ::close(sock);
  }
  size_t size() const { return sockets_.size(); }

 private:
  std::vector<int> sockets_;
  std::atomic<bool> stop_{false};
  std::thread trickler_;
};

void print_load_phase(const char* label, bench::Server& server, const std::string& token, int clients, int seconds) {
  bench::reset_peak_rss(server.pid);
  const Latency kept = health_latency(server.port, 2000, false);
  const Latency fresh = health_latency(server.port, 300, true);
  const Throughput load = execute_throughput(server.port, token, clients, seconds);
  std::printf("%-26s | %6.2f | %6.2f | %6.1f | %6.2f | %6.2f | %6d | %8.0f | %5d | %6.1f\n", label,
              percentile(kept.ms, 0.5), percentile(kept.ms, 0.99), percentile(kept.ms, 1.0), percentile(fresh.ms, 0.5),
              percentile(fresh.ms, 0.99), kept.failed + fresh.failed, load.per_second, load.failed,
              bench::peak_rss_mib(server.pid));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: front_bench SUPERSTORE_BINARY [--slow 1000] [--clients 4] [--seconds 3] [--runs 9]\n");
    return 2;
  }
  const std::string binary = argv[1];
  int slow = 1000, clients = 4, seconds = 3, runs = 9;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const int v = std::stoi(argv[i + 1]);
    if (a == "--slow") slow = v;
    if (a == "--clients") clients = v;
    if (a == "--seconds") seconds = v;
    if (a == "--runs") runs = std::max(1, v);
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(slow) + 1024);
  setrlimit(RLIMIT_NOFILE, &limit);

  const fs::path data_dir = fs::temp_directory_path() / ("front_bench_" + std::to_string(getpid()));
  bench::Server server = bench::start_server(
      binary, data_dir, {"MAX_CONNECTIONS_PER_CLIENT=100000", "MAX_CONNECTIONS=100000", "REQUEST_HEAD_TIMEOUT=3600"});
  httplib::Client http = client_for(server.port);
  const std::string token = bench::login(http);

  std::printf(
      "phase                      | /health kept-alive ms   | new conn. ms    | failed | /execute | "
      "failed | peak\n");
  std::printf(
      "                           |  p50   |  p99   |  max   |  p50   |  p99   |        | req/s    | "
      "      | MiB\n");
  print_load_phase("no other clients", server, token, clients, seconds);
  {
    bench::reset_peak_rss(server.pid);
    SlowClients slow_clients(server.port, slow);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::string label = std::to_string(slow_clients.size()) + " slow connections open";
    print_load_phase(label.c_str(), server, token, clients, seconds);
  }

  std::printf("\nPOST /execute, 10,000 rows (5 columns), per Accept-Encoding; median of %d runs, taken in turns\n",
              runs);
  std::printf("%-28s | %8s | %10s | %8s | %8s\n", "Accept-Encoding -> coding", "ms", "bytes", "ratio", "peak MiB");
  const std::string body = json{
      {"query",
       "SELECT range AS id, 'customer ' || (range * 7919 % 10007) AS name, range * 1.25 AS amount, "
       "DATE '2024-01-01' + (range % 366)::INTEGER AS day, range % 3 = 0 AS flagged FROM range(10000)"},
      {"per_page", 10000}}.dump();
  const std::vector<std::string> encodings = {"identity", "gzip", "gzip, deflate, br", "br"};
  std::vector<std::vector<double>> times(encodings.size());
  std::vector<size_t> bytes(encodings.size());
  std::vector<std::string> codings(encodings.size());
  std::vector<double> peaks(encodings.size());
  http.set_read_timeout(120);  // Brotli at quality 11 (httplib's own, before the front) took seconds
  for (int run = 0; run < runs; ++run) {
    for (size_t k = 0; k < encodings.size(); ++k) {
      const size_t e = (k + static_cast<size_t>(run)) % encodings.size();  // each follows each in turn
      bench::reset_peak_rss(server.pid);
      const auto t0 = Clock::now();
      auto r = http.Post("/execute", {{"Authorization", "Bearer " + token}, {"Accept-Encoding", encodings[e]}}, body,
                         "application/json");
      const double ms = ms_since(t0);
      if (!r || r->status != 200) {
        std::fprintf(stderr, "/execute with Accept-Encoding %s failed\n", encodings[e].c_str());
        bench::stop_server(server);
        return 1;
      }
      times[e].push_back(ms);
      bytes[e] = r->body.size();
      codings[e] = r->get_header_value("Content-Encoding");
      peaks[e] = std::max(peaks[e], bench::peak_rss_mib(server.pid));
    }
  }
  const double identity = percentile(times[0], 0.5);
  for (size_t e = 0; e < encodings.size(); ++e) {
    const std::string label = "\"" + encodings[e] + "\"" + (codings[e].empty() ? "" : " -> " + codings[e]);
    std::printf("%-28s | %8.1f | %10zu | %7.2fx | %8.1f\n", label.c_str(), percentile(times[e], 0.5), bytes[e],
                percentile(times[e], 0.5) / identity, peaks[e]);
  }
  bench::stop_server(server);
  return 0;
}
