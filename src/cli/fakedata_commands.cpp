#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/error.h"
#include "common/instant.h"
#include "fakedata/lifecycle.h"

namespace superstore::cli {
namespace {

// Progress on stderr for runs longer than a blink: rewritten in place on a terminal, a line every few
// seconds otherwise (logs). Tables are made concurrently, so it shows the rows of all of them together.
class Progress {
 public:
  void operator()(const std::string& table, uint64_t done, uint64_t total) {
    tables_[table] = {done, total};
    uint64_t all_done = 0, all_total = 0;
    for (const auto& [name, t] : tables_) {
      all_done += t.first;
      all_total += t.second;
    }
    auto now = std::chrono::steady_clock::now();
    // The writer may fetch rows after the last ones (samples), so a table reports its total more than
    // once; it is announced as done only the first time.
    bool finished = done == total && finished_.insert(table).second;
    if (done == total && !finished) return;
    auto gap = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    if (!finished && now - last_ < gap) return;
    if (now - start_ < std::chrono::seconds(1) && !(finished && shown_)) return;
    last_ = now;
    shown_ = true;
    std::cerr << (tty_ ? "\r" : "") << "fake data: " << all_done << " / " << all_total << " rows generated"
              << (finished ? " (" + table + " done)" : "") << (tty_ && !finished ? "" : "\n") << std::flush;
  }

 private:
  bool tty_ = isatty(STDERR_FILENO) != 0;
  bool shown_ = false;
  std::map<std::string, std::pair<uint64_t, uint64_t>> tables_;  // rows done and due, per table
  std::set<std::string> finished_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

// --anchor DATE, else FAKE_DATA_ANCHOR, else the generator's default.
int64_t anchor_of(const Config& config, const Args& args) {
  if (const auto text = args.option("anchor")) {
    const auto at = parse_instant_us(*text);
    if (!at) fail(ErrorCode::InvalidArgument, "--anchor must be an ISO date or time (2025-01-01), not '" + *text + "'");
    return *at;
  }
  return config.fake_data_anchor_us.value_or(fakedata::kDefaultAnchorUs);
}

void print_advance(const fakedata::AdvanceReport& r, double seconds) {
  std::cout << "advanced " << format_timestamp_us(r.from_us) << " -> " << format_timestamp_us(r.to_us) << " ("
            << seconds << " s):";
  for (const auto& t : r.tables) {
    std::cout << " " << t["name"].get<std::string>() << " +" << t["rows_added"].get<int64_t>() << " rows, "
              << t["rows_changed"].get<size_t>() << " changed, version " << t["version"].get<int64_t>() << ";";
  }
  std::cout << "\n" << std::flush;
}

// advance [--days N | --to DATE] [--every 10s]: once, or a simulated day per tick until stopped.
int advance_command(storage::Warehouse& wh, const Args& args) {
  fakedata::AdvanceOptions options;
  options.threads = static_cast<int>(args.int_option("threads", 0, 1024).value_or(0));
  if (const auto to = args.option("to")) {
    options.to_us = parse_instant_us(*to);
    if (!options.to_us)
      fail(ErrorCode::InvalidArgument, "--to must be an ISO date or time (2025-01-08), not '" + *to + "'");
    if (args.option("days")) fail(ErrorCode::InvalidArgument, "advance takes --days or --to, not both");
  } else {
    // Parsed without bounds so that a bad count gets advance's own message.
    options.days = args.int_option("days").value_or(1);
  }
  std::optional<std::chrono::milliseconds> every;
  if (const auto text = args.option("every")) {
    every = parse_tick("--every", *text);
    if (every->count() == 0) fail(ErrorCode::InvalidArgument, "--every must be a duration such as 10s, not 0");
    if (args.option("to") || args.option("days"))
      fail(ErrorCode::InvalidArgument, "--every advances a day per tick; drop --days and --to");
  }
  while (true) {
    const auto started = std::chrono::steady_clock::now();
    const fakedata::AdvanceReport report = fakedata::advance(wh, options);
    print_advance(report, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!every) return 0;
    std::this_thread::sleep_until(started + *every);
  }
}

std::string names(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& n : list) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

// The spec files a command uses: --specs PATH, else FAKE_DATA_SPECS, else ./fake-data if it exists.
std::vector<fakedata::SpecSource> spec_files(const Config& config, const Args& args) {
  if (auto path = args.option("specs")) return fakedata::read_spec_sources(*path);
  if (config.fake_data_specs_explicit || std::filesystem::exists(config.fake_data_specs)) {
    return fakedata::read_spec_sources(config.fake_data_specs);
  }
  return {};
}

fakedata::Params params_of(const Config& config, const Args& args) {
  fakedata::Params params;
  params.scale = args.int_option("scale", 1, kMaxFakeDataScale).value_or(config.fake_data_scale);
  auto seed = args.int_option("seed", 0, kMaxFakeDataSeed);
  params.seed = seed ? static_cast<uint64_t>(*seed) : config.fake_data_seed;
  fakedata::validate(params);
  return params;
}

// validate FILE... and preview FILE: they write nothing, so they work outside dev too.
int spec_command(const Config& config, const std::string& action, const Args& args) {
  if (args.positional().empty())
    fail(ErrorCode::InvalidArgument, "usage: superstore fake-data " + action + " FILE|FOLDER...");
  std::vector<fakedata::SpecSource> sources;
  for (const auto& path : args.positional()) {
    for (auto& s : fakedata::read_spec_sources(path)) sources.push_back(std::move(s));
  }
  std::vector<fakedata::FakeTable> tables;
  try {
    tables = fakedata::compile_specs(sources);
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  const fakedata::Params params = params_of(config, args);
  if (action == "validate") {
    for (const auto& t : tables) {
      std::cout << "ok: " << t.spec.database << "." << t.spec.schema << "." << t.spec.name << " ("
                << t.spec.columns.size() << " columns, " << t.spec.rows(params) << " rows at scale " << params.scale
                << ")\n";
    }
    return 0;
  }
  const int64_t rows = args.int_option("rows", 0, 10'000).value_or(20);
  const nlohmann::ordered_json out =
      fakedata::preview(tables, params, static_cast<uint64_t>(rows), args.option_or("table", ""));
  const OutputFormat format = parse_output_format(args.option_or("format", "table"));
  if (format == OutputFormat::Json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  bool first = true;
  for (const auto& t : out["tables"]) {
    query::QueryPage page;
    for (const auto& c : t["columns"]) page.columns.push_back({c["name"], c["type"]});
    for (const auto& r : t["rows"]) page.rows.push_back(r);
    page.total = static_cast<int64_t>(page.rows.size());
    if (format == OutputFormat::Table) {
      std::cout << (first ? "" : "\n") << t["name"].get<std::string>() << " (" << t["rows_total"].get<uint64_t>()
                << " rows at scale " << params.scale << "):\n";
    }
    first = false;
    print_result(std::cout, page, format);
  }
  return 0;
}

int fakedata_command(const Config& config, const Words& words) {
  if (words.empty()) {
    fail(ErrorCode::InvalidArgument,
         "usage: superstore fake-data create|reset|status|advance|validate|preview [--scale N] [--seed S] "
         "[--anchor DATE] [--specs PATH]");
  }
  Args args(Words(words.begin() + 1, words.end()));
  const std::string& action = words[0];
  if (action == "validate" || action == "preview") {
    args.check(action == "validate" ? std::set<std::string>{"scale", "seed"}
                                    : std::set<std::string>{"scale", "seed", "table", "rows", "format"},
               100);
    return spec_command(config, action, args);
  }
  if (!config.dev) {
    fail(ErrorCode::Forbidden, "fake data is for development only; run with APP_ENV=dev (now: production)");
  }
  if (action == "advance") {
    args.check({"days", "to", "every", "threads"}, 0);
    // The warehouse as configured (WAREHOUSE_URL, CHECKPOINT_INTERVAL, FAKE_DATA_MEMORY, ...), as every
    // other command opens it: an advance of tables on S3 must commit to S3.
    storage::Warehouse wh(storage::warehouse_options_from(config));
    return advance_command(wh, args);
  }
  args.check({"scale", "seed", "threads", "specs", "table", "anchor"}, 0);
  if (args.option("table") && action != "reset") fail(ErrorCode::InvalidArgument, "--table goes with reset");
  if (args.option("anchor") && action != "reset" && action != "create") {
    fail(ErrorCode::InvalidArgument, "--anchor goes with create and reset");
  }
  fakedata::LifecycleOptions options;
  const fakedata::Params params = params_of(config, args);
  options.scale = params.scale;
  options.seed = params.seed;
  options.anchor_us = anchor_of(config, args);
  options.threads = static_cast<int>(args.int_option("threads", 0, 1024).value_or(0));
  options.keep_dropped = config.fake_data_keep_dropped;
  options.min_dropped_age = fakedata::dropped_generation_age(std::chrono::seconds(config.query_time_limit_seconds));
  if (const auto table = args.option("table")) options.only = {*table};
  Progress progress;
  options.progress = [&](const std::string& t, uint64_t done, uint64_t total) { progress(t, done, total); };

  storage::Warehouse wh(storage::warehouse_options_from(config));
  options.spec_tables = fakedata::spec_tables(wh, spec_files(config, args));
  auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  if (action == "create") {
    auto r = fakedata::create_missing(wh, options);
    std::cout << "created: " << names(r.created) << "; already there: " << names(r.existing) << " (" << seconds()
              << " s)\n";
  } else if (action == "reset") {
    auto r = fakedata::reset(wh, options);
    std::cout << "recreated: " << names(r.created) << "; " << r.dropped_ids.size() << " old tables kept as dropped, "
              << r.removed_ids.size() << " older dropped ones removed (" << seconds() << " s)\n";
  } else if (action == "status") {
    std::cout << fakedata::status(wh, options.spec_tables).dump(2) << "\n";
  } else {
    fail(ErrorCode::InvalidArgument,
         "unknown fake-data command '" + action + "'; use create, reset, status, advance, validate or preview");
  }
  return 0;
}

}  // namespace superstore::cli
