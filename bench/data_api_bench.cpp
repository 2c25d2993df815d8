// Data API benchmark (issue 13): getting rows into and out of superstore, beside DuckDB doing the same work
// in this process, with the peak memory of whoever did it beside every time.
//   - Upload: a CSV of --rows rows (9 columns: integers, floats, text with quoted commas and quotes,
//     timestamps, booleans; made by DuckDB's COPY first, not timed) loaded
//       (a) through POST /table/{id}/rows (Content-Type: text/csv) on a real `superstore serve`, the body
//           streamed from the file,
//       (b) through `superstore insert NAME FILE`, a child process on the same DATA_DIR,
//       (c) the peer: DuckDB's read_csv of the same file, COPY'd to one Parquet file.
//   - Download: twice the uploaded table (UNION ALL of itself) through POST /execute with "format":
//     "parquet" and "csv", the body counted as it arrives and never kept, beside the peer: DuckDB's COPY of
//     the same query over read_parquet of the same table files to a Parquet or CSV file.
//   - Peak memory: the server's VmHWM over each of its phases (reset before each through clear_refs), the
//     CLI child's ru_maxrss, and this process's VmHWM over each peer phase (reset the same way).
//   - CPU time (user + system) of whoever did the work: the server's over its phase (/proc/PID/stat; not
//     the client's sending), the CLI child's (wait4), this process's over each peer phase.
// Usage: data_api_bench SUPERSTORE_BINARY [--rows 5000000] [--runs 1] [--work-dir DIR] [--downloads no]
// (--downloads no: the uploads only).
// The CSV, the server's DATA_DIR and the peers' files go to a fresh folder under the temporary directory,
// removed at the end; with --work-dir, to DIR, which is kept (the CSV and the tables, to look at or profile).
#include <fcntl.h>
#include <httplib.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_server.h"
#include "common/allocator.h"
#include "query/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using superstore::query::quote_literal;

namespace {

struct Column {
  const char* name;
  const char* type;    // superstore's
  const char* duckdb;  // DuckDB's, as the table stores it
};
const Column kColumns[] = {
    {"id", "Int64", "BIGINT"},         {"customer_id", "Int32", "INTEGER"},
    {"amount", "Float64", "DOUBLE"},   {"quantity", "Int32", "INTEGER"},
    {"status", "String", "VARCHAR"},   {"city", "String", "VARCHAR"},
    {"note", "String", "VARCHAR"},     {"created_at", "Timestamp", "TIMESTAMPTZ"},
    {"is_gift", "Boolean", "BOOLEAN"},
};

// About 100 bytes a row. Values are hashes of the row number, so every run writes the same file. Cities
// and notes hold commas (the writer quotes those fields) and some notes hold double quotes (doubled).
std::string generate_sql(int64_t rows, const fs::path& csv) {
  return "COPY (SELECT i AS id, (hash(i) % 200000)::INTEGER AS customer_id, "
         "round((hash(i * 7) % 10000000) / 100.0, 2) AS amount, (hash(i * 13) % 20 + 1)::INTEGER AS quantity, "
         "['pending', 'shipped', 'delivered', 'cancelled', 'returned'][(hash(i * 17) % 5)::INTEGER + 1] AS status, "
         "['Berlin', 'Paris', 'New York, NY', 'São Paulo', 'Tokyo', 'Portland, OR', 'Lagos', 'Sydney']"
         "[(hash(i * 19) % 8)::INTEGER + 1] AS city, "
         "'order ' || i || ' for customer ' || (hash(i) % 200000) || ['', ', gift wrapped', ', leave at door', "
         "', said \"ring twice\"'][(hash(i * 23) % 4)::INTEGER + 1] AS note, "
         "TIMESTAMP '2024-01-01' + to_seconds((hash(i * 29) % 31536000)::BIGINT) AS created_at, "
         "hash(i * 31) % 10 = 0 AS is_gift "
         "FROM range(" +
         std::to_string(rows) + ") t(i)) TO " + quote_literal(csv.string()) + " (FORMAT csv, HEADER true)";
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Runs `binary args...` with `env`, its output to `out`; returns its exit status and, through `maxrss_mib`
// and `cpu_s`, its peak resident set (wait4's ru_maxrss) and CPU time (user + system).
int run_child(const std::string& binary, std::vector<std::string> args, std::vector<std::string> env,
              const fs::path& out, double* maxrss_mib, double* cpu_s = nullptr) {
  std::vector<char*> argv, envp;
  std::string bin = binary;
  argv.push_back(bin.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), envp.data()) != 0) {
    std::fprintf(stderr, "cannot start %s\n", binary.c_str());
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  if (maxrss_mib) *maxrss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  if (cpu_s) *cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

bench::Server* running_server = nullptr;  // stopped by must() before the benchmark exits

void must(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "%s\n", what.c_str());
    if (running_server) bench::stop_server(*running_server, false);
    std::exit(1);
  }
}

struct Figure {
  double seconds = 0;
  double cpu = 0;  // CPU seconds (user + system)
  double peak_mib = 0;
  uint64_t bytes = 0;
};

// Every line printed, by label in order of appearance, for the summary over the runs.
struct Line {
  std::string what;
  std::vector<double> seconds, ratios, peaks, cpu, cpu_ratios, tuned_ratios;
};
std::vector<Line> lines;

// `tuned`, when given, is the peer run with superstore's allocator setting: its wall ratio is shown too.
void print_line(const std::string& what, const Figure& f, const Figure& peer, const Figure* tuned = nullptr) {
  std::printf("%-40s %9.2f %10.0f %11.1f %8.2f", what.c_str(), f.seconds, f.peak_mib,
              static_cast<double>(f.bytes) / 1e6, f.cpu);
  if (&f == &peer) {
    std::printf("     (peer)\n");
  } else if (tuned) {
    std::printf(" %9.2fx %9.2fx %9.2fx\n", f.seconds / peer.seconds, f.cpu / peer.cpu, f.seconds / tuned->seconds);
  } else {
    std::printf(" %9.2fx %9.2fx\n", f.seconds / peer.seconds, f.cpu / peer.cpu);
  }
  auto it = std::find_if(lines.begin(), lines.end(), [&](const Line& l) { return l.what == what; });
  if (it == lines.end()) it = lines.insert(lines.end(), Line{what, {}, {}, {}, {}, {}, {}});
  if (tuned) it->tuned_ratios.push_back(f.seconds / tuned->seconds);
  it->seconds.push_back(f.seconds);
  it->ratios.push_back(f.seconds / peer.seconds);
  it->peaks.push_back(f.peak_mib);
  it->cpu.push_back(f.cpu);
  it->cpu_ratios.push_back(f.cpu / peer.cpu);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void print_summary(int runs) {
  std::printf("\n%-40s %9s %10s %8s %10s %17s %9s %20s\n", ("median of " + std::to_string(runs) + " runs").c_str(),
              "seconds", "max MiB", "CPU s", "vs duckdb", "ratios min..max", "CPU vs", "vs tuned (min..max)");
  for (const auto& l : lines) {
    std::printf("%-40s %9.2f %10.0f %8.2f", l.what.c_str(), median(l.seconds),
                *std::max_element(l.peaks.begin(), l.peaks.end()), median(l.cpu));
    if (std::all_of(l.ratios.begin(), l.ratios.end(), [](double r) { return r == 1.0; })) {
      std::printf("     (peer)\n");
    } else {
      std::printf(" %9.2fx %8.2f..%.2fx %8.2fx", median(l.ratios), *std::min_element(l.ratios.begin(), l.ratios.end()),
                  *std::max_element(l.ratios.begin(), l.ratios.end()), median(l.cpu_ratios));
      if (!l.tuned_ratios.empty()) {
        std::printf(" %9.2fx (%.2f..%.2fx)", median(l.tuned_ratios),
                    *std::min_element(l.tuned_ratios.begin(), l.tuned_ratios.end()),
                    *std::max_element(l.tuned_ratios.begin(), l.tuned_ratios.end()));
      }
      std::printf("\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // As superstore's main does: glibc's part applies to the peers too. DuckDB's jemalloc is set back to
  // DuckDB's own decay, so that the peer is DuckDB as it ships; the uploads also run a peer with
  // superstore's setting ("vs tuned").
  const std::optional<int64_t> shipped_decay = superstore::duckdb_allocator_decay();
  superstore::tune_allocator_for_bulk_work();
  if (shipped_decay) superstore::set_duckdb_allocator_decay(*shipped_decay);
  if (argc < 2) {
    std::fprintf(stderr, "usage: data_api_bench SUPERSTORE_BINARY [--rows 5000000] [--runs 1] [--work-dir DIR]\n");
    return 2;
  }
  const std::string binary = fs::absolute(argv[1]).string();
  int64_t rows = 5'000'000;
  int runs = 1;
  fs::path work = fs::temp_directory_path() / ("superstore-dbench-" + std::to_string(getpid()));
  bool keep = false;
  bool downloads = true;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--rows") {
      rows = std::stoll(v);
    } else if (a == "--runs") {
      runs = std::stoi(v);
    } else if (a == "--downloads") {
      downloads = v != "no";
    } else if (a == "--work-dir") {
      work = fs::absolute(v);
      keep = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }

  fs::remove_all(work);
  fs::create_directories(work);
  const fs::path csv = work / "upload.csv", data_dir = work / "data";

  superstore::query::DatabaseOptions o;
  o.sandboxed = false;
  superstore::query::Database db(o);
  superstore::query::Connection peer(db);
  auto t0 = Clock::now();
  peer.execute(generate_sql(rows, csv));
  const uint64_t csv_bytes = fs::file_size(csv);
  std::printf("upload: %lld rows, %zu columns, CSV of %.1f MB (made by DuckDB in %.1f s, not timed)\n",
              static_cast<long long>(rows), std::size(kColumns), static_cast<double>(csv_bytes) / 1e6,
              seconds_since(t0));

  // A production server (not dev: no fake tables), with room for the upload and the downloads' queries.
  bench::Server server = bench::start_server(
      binary, data_dir,
      {"APP_ENV=prod", "MAX_UPLOAD_BYTES=" + std::to_string(std::max<uint64_t>(csv_bytes * 2, 1ULL << 30)),
       "QUERY_TIME_LIMIT=3600"});
  running_server = &server;
  httplib::Client http("127.0.0.1", server.port);
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);
  http.set_read_timeout(3600, 0);
  http.set_write_timeout(3600, 0);
  const std::string token = bench::login(http);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};

  nlohmann::json columns = nlohmann::json::array();
  std::string column_list, read_columns;
  for (const auto& c : kColumns) {
    columns.push_back({{"name", c.name}, {"type", c.type}});
    column_list += (column_list.empty() ? "" : ",") + std::string(c.name) + ":" + c.type;
    read_columns += (read_columns.empty() ? "" : ", ") + quote_literal(c.name) + ": " + quote_literal(c.duckdb);
  }
  const std::vector<std::string> cli_env = bench::child_environment(data_dir, {"APP_ENV=prod"});
  const fs::path cli_out = work / "cli.out";

  std::string download_table;
  fs::path download_dir;
  std::printf("\n%-40s %9s %10s %11s %8s %10s %10s %10s\n", "upload", "seconds", "peak MiB", "MB", "CPU s", "vs duckdb",
              "CPU vs", "vs tuned");
  for (int run = 1; run <= runs; ++run) {
    // (c) The peer: DuckDB reads the CSV with the table's types and writes one Parquet file; once as
    // DuckDB ships, once with superstore's allocator setting (common/allocator.h).
    Figure duck, tuned, api, cli;
    auto peer_run = [&](Figure& duck) {
      const fs::path peer_parquet = work / "peer-upload.parquet";
      bench::reset_peak_rss(0);
      const double cpu = bench::cpu_seconds(0);
      const auto start = Clock::now();
      peer.execute("COPY (SELECT * FROM read_csv(" + quote_literal(csv.string()) + ", header = true, columns = {" +
                   read_columns + "})) TO " + quote_literal(peer_parquet.string()) + " (FORMAT parquet)");
      duck.seconds = seconds_since(start);
      duck.cpu = bench::cpu_seconds(0) - cpu;
      duck.peak_mib = bench::peak_rss_mib(0);
      duck.bytes = fs::file_size(peer_parquet);
      fs::remove(peer_parquet);
    };
    auto peer_upload = [&] { peer_run(duck); };
    auto tuned_upload = [&] {
      superstore::set_duckdb_allocator_decay(superstore::kDuckdbAllocatorDecayMs);
      peer_run(tuned);
      if (shipped_decay) superstore::set_duckdb_allocator_decay(*shipped_decay);
    };

    // (a) POST /table/{id}/rows, the body read from the file a MiB at a time as the socket takes it.
    nlohmann::json answer;
    auto api_upload = [&] {
      const std::string name = "upload_http_" + std::to_string(run);
      auto created =
          http.Post("/tables", auth, nlohmann::json{{"name", name}, {"columns", columns}}.dump(), "application/json");
      must(created && created->status == 201, "POST /tables failed: " + (created ? created->body : "no answer"));
      const auto created_json = nlohmann::json::parse(created->body);
      const auto& table = created_json.contains("table") ? created_json["table"] : created_json;
      const int64_t id = table["id"];
      const int fd = open(csv.c_str(), O_RDONLY);
      must(fd >= 0, "cannot open " + csv.string());
      std::vector<char> buffer(1 << 20);
      bench::reset_peak_rss(server.pid);
      const double cpu = bench::cpu_seconds(server.pid);
      const auto start = Clock::now();
      auto uploaded = http.Post(
          "/table/" + std::to_string(id) + "/rows", auth, csv_bytes,
          [&](size_t offset, size_t length, httplib::DataSink& sink) {
            const ssize_t n = pread(fd, buffer.data(), std::min(length, buffer.size()), static_cast<off_t>(offset));
            if (n <= 0) return false;
            sink.write(buffer.data(), static_cast<size_t>(n));
            return true;
          },
          "text/csv");
      api.seconds = seconds_since(start);
      api.cpu = bench::cpu_seconds(server.pid) - cpu;
      api.peak_mib = bench::peak_rss_mib(server.pid);
      close(fd);
      must(uploaded && uploaded->status == 200,
           "POST /table/{id}/rows failed: " + (uploaded ? std::to_string(uploaded->status) + " " + uploaded->body
                                                        : httplib::to_string(uploaded.error())));
      answer = nlohmann::json::parse(uploaded->body);
      must(answer["rows_inserted"] == rows, "rows_inserted is " + answer.dump());
      api.bytes = csv_bytes;
      if (download_table.empty()) {
        download_table = name;
        download_dir = data_dir / "warehouse" / table["location"].get<std::string>();
      }
    };

    // (b) `superstore insert`, a process of its own on the same DATA_DIR.
    auto cli_upload = [&] {
      const std::string cli_name = "upload_cli_" + std::to_string(run);
      must(run_child(binary, {"table", "create", cli_name, "--columns", column_list}, cli_env, cli_out, nullptr) == 0,
           "superstore table create failed; see " + cli_out.string());
      const auto start = Clock::now();
      must(run_child(binary, {"insert", cli_name, csv.string()}, cli_env, cli_out, &cli.peak_mib, &cli.cpu) == 0,
           "superstore insert failed; see " + cli_out.string());
      cli.seconds = seconds_since(start);
      cli.bytes = csv_bytes;
    };

    // They take turns: run 1 goes peer, API, CLI, tuned peer; run 2 API, CLI, tuned peer, peer; ...
    std::function<void()> steps[] = {peer_upload, api_upload, cli_upload, tuned_upload};
    for (int k = 0; k < 4; ++k) steps[(run - 1 + k) % 4]();

    std::printf("run %d: %lld rows in version %lld, %lld micro-partitions\n", run, static_cast<long long>(rows),
                answer["version"].get<long long>(), answer["micro_partitions_added"].get<long long>());
    print_line("POST /table/{id}/rows (text/csv)", api, duck, &tuned);
    print_line("superstore insert (CLI process)", cli, duck, &tuned);
    print_line("duckdb read_csv -> COPY parquet", duck, duck);
    print_line("duckdb, allocator as superstore's", tuned, duck);
    std::fflush(stdout);
  }

  // Downloads: the first uploaded table twice over.
  const int download_runs = downloads ? runs : 0;
  const std::string query = "SELECT * FROM " + download_table + " UNION ALL SELECT * FROM " + download_table;
  const std::string files = quote_literal((download_dir / "**" / "*.parquet").string());
  const std::string peer_query =
      "SELECT * FROM read_parquet(" + files + ") UNION ALL SELECT * FROM read_parquet(" + files + ")";
  if (downloads) {
    std::printf("\n%-40s %9s %10s %11s %8s %10s %10s\n", ("download: " + std::to_string(2 * rows) + " rows").c_str(),
                "seconds", "peak MiB", "MB", "CPU s", "vs duckdb", "CPU vs");
  }
  for (int run = 1; run <= download_runs; ++run) {
    for (const char* format : {"parquet", "csv"}) {
      Figure api, duck;
      httplib::Request request;
      request.method = "POST";
      request.path = "/execute";
      request.headers = auth;
      request.set_header("Content-Type", "application/json");
      request.body = nlohmann::json{{"query", query}, {"format", format}}.dump();
      std::string start;  // the first bytes, to show an error
      request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
        if (start.size() < 512) start.append(data, std::min<size_t>(size, 512 - start.size()));
        api.bytes += size;
        return true;
      };
      auto server_download = [&] {
        bench::reset_peak_rss(server.pid);
        const double cpu = bench::cpu_seconds(server.pid);
        const auto begin = Clock::now();
        auto res = http.send(request);
        api.seconds = seconds_since(begin);
        api.cpu = bench::cpu_seconds(server.pid) - cpu;
        api.peak_mib = bench::peak_rss_mib(server.pid);
        must(res && res->status == 200, std::string("POST /execute format ") + format + " failed: " +
                                            (res ? std::to_string(res->status) + " " + start : "no answer"));
      };
      auto peer_download = [&] {
        const fs::path out = work / (std::string("peer-download.") + format);
        bench::reset_peak_rss(0);
        const double cpu = bench::cpu_seconds(0);
        const auto begin = Clock::now();
        peer.execute("COPY (" + peer_query + ") TO " + quote_literal(out.string()) +
                     (std::string(format) == "csv" ? " (FORMAT csv, HEADER true)" : " (FORMAT parquet)"));
        duck.seconds = seconds_since(begin);
        duck.cpu = bench::cpu_seconds(0) - cpu;
        duck.peak_mib = bench::peak_rss_mib(0);
        duck.bytes = fs::file_size(out);
        fs::remove(out);
      };
      // The server goes first in odd runs, the peer in even ones.
      if (run % 2) {
        server_download();
        peer_download();
      } else {
        peer_download();
        server_download();
      }

      std::printf("run %d, %s\n", run, format);
      print_line(std::string("POST /execute \"format\": \"") + format + "\"", api, duck);
      print_line(std::string("duckdb COPY (read_parquet) ") + format, duck, duck);
      std::fflush(stdout);
    }
  }
  running_server = nullptr;
  bench::stop_server(server, !keep);
  if (!keep) fs::remove_all(work);
  if (runs > 1) print_summary(runs);
  std::printf("\ntargets (issue 13): upload within 1.3x of DuckDB, download within 1.2x\n");
  return 0;
}
