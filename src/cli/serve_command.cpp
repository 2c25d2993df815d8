// superstore serve: the HTTP API. Start-up order: warehouse (and catalog), first user, in dev the missing
// fake tables, then listen; SIGINT or SIGTERM stops accepting, lets in-flight requests finish, exits 0.
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strings.h"
#include "fakedata/lifecycle.h"
#include "server/auth/first_user.h"
#include "server/server.h"
#include "storage/temp_sweep.h"
#include "storage/warehouse.h"

namespace superstore::cli {
namespace {

// Turns SIGINT/SIGTERM into Server::stop() on an ordinary thread, since stop() is not async-signal-safe.
// The signals are blocked in every thread (the mask is inherited, so this must run before DuckDB and
// httplib start theirs) and taken by sigwait() here alone.
class SignalStopper {
 public:
  SignalStopper() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] { wait_loop(); });
  }
  ~SignalStopper() {
    {
      std::lock_guard lock(mutex_);
      server_ = nullptr;
      finished_ = true;
    }
    // Not a kill: SIGTERM is blocked in every thread, and this only wakes sigwait(); the flag says it was us.
    pthread_kill(thread_.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
    thread_.join();
  }

  // From now on a signal stops `server` (null: start-up, when a signal ends the process at once).
  void attach(server::Server* server) {
    std::lock_guard lock(mutex_);
    server_ = server;
  }

 private:
  void wait_loop() {
    for (;;) {
      int signal = 0;
      if (sigwait(&signals_, &signal) != 0) continue;
      std::lock_guard lock(mutex_);
      if (finished_) return;
      if (!server_ || stopping_) {
        // Start-up (e.g. creating fake data) cannot be interrupted half-way, and a second signal means
        // "now". Every write is one atomic commit, so ending here leaves nothing half-visible.
        std::cout << std::flush;
        std::cerr << "superstore: stopped by signal " << signal << "\n";
        std::_Exit(128 + signal);
      }
      stopping_ = true;
      log::info(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                ": finishing the requests in progress (send it again to quit at once)");
      server_->stop();
    }
  }

  sigset_t signals_;
  std::thread thread_;
  std::mutex mutex_;
  server::Server* server_ = nullptr;
  bool stopping_ = false;
  bool finished_ = false;
};

// Dev start-up: whatever fake tables are missing are made now, so the first request finds them all.
// Spec tables come from FAKE_DATA_SPECS (default ./fake-data when it exists). A spec with problems does
// not stop the server: its problems are printed, the built-in tables are made, and the dev panel and
// /dev/fake-data-status show the problems until the spec is fixed.
void create_missing_fake_tables(const Config& config, storage::Warehouse& warehouse) {
  fakedata::LifecycleOptions options;
  options.seed = config.fake_data_seed;
  options.scale = config.fake_data_scale;
  if (config.fake_data_specs_explicit || std::filesystem::exists(config.fake_data_specs)) {
    try {
      options.spec_tables = fakedata::spec_tables(warehouse, fakedata::read_spec_sources(config.fake_data_specs));
      std::cout << "fake-data specs: " << options.spec_tables.size() << " tables from "
                << config.fake_data_specs.string() << "\n";
    } catch (const Error& e) {
      std::cerr << "fake-data specs in " << config.fake_data_specs.string() << " were not loaded:\n"
                << e.what() << "\n";
    }
  }
  // The writer reports a table's total more than once (it also fetches samples); say it once.
  auto announced = std::make_shared<std::set<std::string>>();
  options.progress = [announced](const std::string& table, uint64_t done, uint64_t total) {
    if (done == total && announced->insert(table).second) {
      std::cout << "  created " << table << " (" << total << " rows)\n" << std::flush;
    }
  };
  std::cout << "APP_ENV=dev: creating the missing fake tables (scale " << config.fake_data_scale << ", seed "
            << config.fake_data_seed << ")\n"
            << std::flush;
  fakedata::CreateReport report = fakedata::create_missing(warehouse, options);
  auto list = [](const std::vector<std::string>& names) { return names.empty() ? "none" : join(names, ", "); };
  std::cout << "fake tables created: " << list(report.created) << "; kept as they were: " << list(report.existing)
            << "\n";
}

void print_login_help(const server::FirstUserResult& first_user, const std::string& base_url) {
  using Action = server::FirstUserResult::Action;
  if (first_user.action == Action::NotConfigured) {
    std::cout << "No USER_EMAIL set: add a user with `superstore user add EMAIL` to log in.\n";
    return;
  }
  const char* password = first_user.action == Action::Created ? "USER_PASSWORD"
                         : first_user.action == Action::CreatedWithGeneratedPassword
                             ? "the password printed above"
                             : "its password (`superstore user add` makes another user)";
  std::cout << "Log in as " << first_user.email << " with " << password << ":\n"
            << "  curl -s " << base_url << "/auth/jwt/login -d username=" << first_user.email
            << " --data-urlencode password=...\n"
            << "then send \"Authorization: Bearer <access_token>\" with every request.\n";
}

}  // namespace

int serve_command(const Config& config, const Words& words) {
  Args(words).check({}, 0);
  const server::QueryLimits limits{.time_limit = std::chrono::seconds(config.query_time_limit_seconds),
                                   .max_result_bytes = config.max_result_bytes};
  SignalStopper stopper;

  // Files in DATA_DIR/tmp older than this start belong to no request of this process.
  const auto started = std::filesystem::file_time_type::clock::now();
  storage::WarehouseOptions warehouse_options;
  warehouse_options.data_dir = config.data_dir;
  warehouse_options.checkpoint_interval = config.checkpoint_interval;
  warehouse_options.vacuum_retention_ms = config.vacuum_retention_ms;
  warehouse_options.vacuum_min_retention_ms = config.vacuum_min_retention_ms;
  warehouse_options.query_memory_limit = config.duckdb_memory_limit();
  storage::Warehouse warehouse(warehouse_options);
  const storage::SweepReport swept = storage::sweep_temp_dir(warehouse.temp_dir(), started);
  if (swept.files > 0) {
    log::info("removed " + std::to_string(swept.files) + " files (" + std::to_string(swept.bytes) +
              " bytes) that an earlier run left in " + warehouse.temp_dir().string());
  }
  server::AuthOptions auth_options;
  auth_options.address_throttle.max_failures = static_cast<int>(config.login_failures_per_address);
  server::ServerContext context(config, warehouse, auth_options, limits);
  const server::FirstUserResult first_user =
      server::ensure_first_user(config, warehouse.catalog(), context.auth.hasher(), std::cout);
  if (config.dev) create_missing_fake_tables(config, warehouse);

  server::Server server(context);
  const int port = server.bind();
  const std::string base_url = "http://" + config.host + ":" + std::to_string(port);
  std::cout << "superstore listening on " << base_url << (config.dev ? " (APP_ENV=dev)" : "") << "\n";
  print_login_help(first_user, base_url);
  // Last, so that it is what `make dev` leaves on the screen.
  std::cout << "Web console: open " << base_url << "/ in a browser\n" << std::flush;

  stopper.attach(&server);
  // Detaches on every way out of this scope, so no signal reaches a destroyed server.
  struct Detach {
    SignalStopper& stopper;
    ~Detach() { stopper.attach(nullptr); }
  } detach{stopper};
  server.run();
  log::info("server stopped");
  return 0;
}

}  // namespace superstore::cli
