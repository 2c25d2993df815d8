// The dev routes: create the missing fake tables, reset them, describe them, and make tables from a
// spec sent in the body. Only with APP_ENV=dev, and like every route only with a token (the
// pre-routing hook answers 401 before these run).
#include <filesystem>
#include <memory>
#include <mutex>

#include "common/error.h"
#include "common/instant.h"
#include "fakedata/lifecycle.h"
#include "fakedata/ticker.h"
#include "server/http_json.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

constexpr const char* kBodyLabel = "request body";
constexpr int64_t kMaxPreviewRows = 1000;

void require_dev(const ServerContext& context) {
  if (!context.config.dev) {
    fail(ErrorCode::Forbidden, "the /dev routes work only when the server runs with APP_ENV=dev");
  }
}

// The spec files as they are on disk now (FAKE_DATA_SPECS): read at every call, so that status sees
// an edited file at once.
std::vector<fakedata::SpecSource> spec_files(const Config& config) {
  if (!config.fake_data_specs_explicit && !std::filesystem::exists(config.fake_data_specs)) return {};
  return fakedata::read_spec_sources(config.fake_data_specs);
}

fakedata::LifecycleOptions lifecycle_options(const ServerContext& context) {
  fakedata::LifecycleOptions options;
  options.seed = context.config.fake_data_seed;
  options.scale = context.config.fake_data_scale;
  options.anchor_us = context.config.fake_data_anchor_us.value_or(fakedata::kDefaultAnchorUs);
  options.keep_dropped = context.config.fake_data_keep_dropped;
  options.min_dropped_age =
      fakedata::dropped_generation_age(std::chrono::seconds(context.config.query_time_limit_seconds));
  return options;
}

std::optional<std::string> param(const httplib::Request& request, const char* name) {
  if (!request.has_param(name)) return std::nullopt;
  return request.get_param_value(name);
}

// The body's spec compiled with the spec files and the recorded specs (so it may refer to their
// tables); returns only the body's tables.
std::vector<fakedata::FakeTable> body_tables(ServerContext& context, const Call& call) {
  if (call.request.body.empty()) {
    fail(ErrorCode::InvalidArgument, "send a fake-data spec (YAML or JSON) as the request body");
  }
  const fakedata::SpecSource body{kBodyLabel, call.request.body};
  const std::vector<fakedata::SpecSource> files = spec_files(context.config);
  std::vector<fakedata::FakeTable> all;
  try {
    all = fakedata::spec_tables(context.warehouse, files, {body});
  } catch (const Error& e) {
    // A broken spec file must not block a body that does not need it; when the body alone fails too,
    // the first answer, which lists every problem, is the one to give.
    if (e.code() != ErrorCode::InvalidArgument || files.empty()) throw;
    try {
      all = fakedata::spec_tables(context.warehouse, {}, {body});
    } catch (const Error&) {
      throw e;
    }
  }
  std::vector<fakedata::FakeTable> mine;
  for (auto& t : all) {
    if (t.properties.value("spec_source", "") == kBodyLabel) mine.push_back(std::move(t));
  }
  return mine;
}

}  // namespace

void register_dev_routes(Router& router, ServerContext& context) {
  // One lifecycle call at a time: two at once would generate the same tables twice and one would lose
  // the catalog race with a 409. Queries are not held up by it. The background tick takes it too.
  std::mutex* busy = &fakedata::lifecycle_mutex();

  router.post_without_body("/dev/create-fake-data", [&context, busy](Call& call) {
    require_dev(context);
    std::lock_guard lock(*busy);
    fakedata::LifecycleOptions options = lifecycle_options(context);
    options.spec_tables = fakedata::spec_tables(context.warehouse, spec_files(context.config));
    fakedata::CreateReport report = fakedata::create_missing(context.warehouse, options);
    send_json(call.response, 200, {{"created", report.created}, {"existing", report.existing}});
  });

  // ?table=NAME resets one table only.
  router.del("/dev/reset-fake-data", [&context, busy](Call& call) {
    require_dev(context);
    std::lock_guard lock(*busy);
    fakedata::LifecycleOptions options = lifecycle_options(context);
    options.spec_tables = fakedata::spec_tables(context.warehouse, spec_files(context.config));
    if (const auto table = param(call.request, "table")) options.only = {*table};
    fakedata::CreateReport report = fakedata::reset(context.warehouse, options);
    send_json(call.response, 200,
              {{"created", report.created}, {"dropped", report.dropped_ids}, {"removed", report.removed_ids}});
  });

  // {"days": N} (default 1) or {"to": "2025-02-01"}: the fake world's clock moves forward, one version
  // per built-in table. Refused with 409 while another fake-data change (a reset, a tick) runs.
  router.post("/dev/fake-data/advance", [&context, busy](Call& call) {
    require_dev(context);
    fakedata::AdvanceOptions options;
    const nlohmann::json body =
        call.request.body.empty() ? nlohmann::json::object() : parse_json_object_body(call.request);
    for (const auto& [key, value] : body.items()) {
      if (key != "days" && key != "to") {
        fail(ErrorCode::InvalidArgument, "unknown field '" + key + "'; advance takes \"days\" or \"to\"");
      }
    }
    if (body.contains("days")) {
      if (!body["days"].is_number_integer()) fail(ErrorCode::InvalidArgument, "days must be a whole number");
      options.days = body["days"].get<int64_t>();
    }
    if (body.contains("to")) {
      const auto to = body["to"].is_string() ? parse_instant_us(body["to"].get<std::string>()) : std::nullopt;
      if (!to) fail(ErrorCode::InvalidArgument, "to must be an ISO date or time, e.g. \"2025-02-01\"");
      options.to_us = to;
    }
    if (!options.days && !options.to_us) options.days = 1;
    std::unique_lock lock(*busy, std::try_to_lock);
    if (!lock.owns_lock()) {
      fail(ErrorCode::Conflict, "another fake-data change (create, reset or a tick) is running; try again");
    }
    const fakedata::AdvanceReport report = fakedata::advance(context.warehouse, options);
    send_json(call.response, 200,
              {{"from", format_timestamp_us(report.from_us)},
               {"to", format_timestamp_us(report.to_us)},
               {"tables", report.tables}});
  });

  router.get("/dev/fake-data-status", [&context](Call& call) {
    require_dev(context);
    std::vector<fakedata::FakeTable> specs;
    std::string spec_error;
    try {
      specs = fakedata::spec_tables(context.warehouse, spec_files(context.config));
    } catch (const Error& e) {
      spec_error = e.what();  // the built-in tables are still worth showing
    }
    nlohmann::json out = fakedata::status(context.warehouse, specs);
    out["specs"] = context.config.fake_data_specs.string();
    if (!spec_error.empty()) out["spec_error"] = spec_error;
    send_json(call.response, 200, out);
  });

  // A spec in the body (YAML or JSON): validated, then its tables are created unless they exist;
  // ?replace=true makes existing ones again from this spec.
  router.post("/dev/fake-tables", [&context, busy](Call& call) {
    require_dev(context);
    std::lock_guard lock(*busy);
    std::vector<fakedata::FakeTable> tables = body_tables(context, call);
    const std::optional<std::string> replace = param(call.request, "replace");
    if (replace && *replace != "true" && *replace != "false") {
      fail(ErrorCode::InvalidArgument, "replace is true or false, not '" + *replace + "'");
    }
    fakedata::LifecycleOptions options = lifecycle_options(context);
    // Built-in tables are made first when missing, since spec tables may refer to them.
    fakedata::create_missing(context.warehouse, options);
    nlohmann::json tables_json = nlohmann::json::array();
    for (const auto& t : tables) {
      tables_json.push_back({{"name", t.spec.name},
                             {"database", t.spec.database},
                             {"schema", t.spec.schema},
                             {"spec_digest", t.properties["spec_digest"]}});
    }
    for (const auto& t : tables) options.only.insert(t.spec.name);
    options.spec_tables = std::move(tables);
    nlohmann::json answer;
    if (replace == "true") {
      fakedata::CreateReport report = fakedata::reset(context.warehouse, options);
      answer = {{"created", report.created}, {"existing", nlohmann::json::array()}, {"dropped", report.dropped_ids}};
    } else {
      fakedata::CreateReport report = fakedata::create_missing(context.warehouse, options);
      // create_missing lists the built-in tables too; the answer speaks of the body's tables.
      nlohmann::json created = nlohmann::json::array(), existing = nlohmann::json::array();
      for (const auto& t : options.spec_tables) {
        const bool made = std::find(report.created.begin(), report.created.end(), t.spec.name) != report.created.end();
        (made ? created : existing).push_back(t.spec.name);
      }
      answer = {{"created", created}, {"existing", existing}, {"dropped", nlohmann::json::array()}};
    }
    answer["tables"] = tables_json;
    send_json(call.response, 201, answer);
  });

  // Sample rows of the body's tables, written nowhere: ?table=NAME for one, ?rows=N (default 20).
  router.post("/dev/fake-tables/preview", [&context](Call& call) {
    require_dev(context);
    std::vector<fakedata::FakeTable> tables = body_tables(context, call);
    int64_t rows = 20;
    if (const auto text = param(call.request, "rows")) {
      try {
        size_t used = 0;
        rows = std::stoll(*text, &used);
        if (used != text->size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        fail(ErrorCode::InvalidArgument, "rows must be a whole number, not '" + *text + "'");
      }
      if (rows < 0 || rows > kMaxPreviewRows) {
        fail(ErrorCode::InvalidArgument, "rows must be from 0 to " + std::to_string(kMaxPreviewRows));
      }
    }
    fakedata::Params params;
    params.seed = context.config.fake_data_seed;
    params.scale = context.config.fake_data_scale;
    const nlohmann::ordered_json out =
        fakedata::preview(tables, params, static_cast<uint64_t>(rows), param(call.request, "table").value_or(""));
    call.response.status = 200;
    call.response.set_content(out.dump(), "application/json");
  });
}

}  // namespace superstore::server
