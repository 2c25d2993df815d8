// The dev routes: create the missing fake tables, reset them, describe them. Only with APP_ENV=dev, and
// like every route only with a token (the pre-routing hook answers 401 before these run).
#include <memory>
#include <mutex>

#include "common/error.h"
#include "fakedata/lifecycle.h"
#include "server/http_json.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

void require_dev(const ServerContext& context) {
  if (!context.config.dev) {
    fail(ErrorCode::Forbidden, "the /dev routes work only when the server runs with APP_ENV=dev");
  }
}

fakedata::LifecycleOptions lifecycle_options(const ServerContext& context) {
  fakedata::LifecycleOptions options;
  options.seed = context.config.fake_data_seed;
  options.scale = context.config.fake_data_scale;
  return options;
}

}  // namespace

void register_dev_routes(Router& router, ServerContext& context) {
  // One lifecycle call at a time: two at once would generate the same tables twice and one would lose
  // the catalog race with a 409. Queries are not held up by it.
  auto busy = std::make_shared<std::mutex>();

  router.post_without_body("/dev/create-fake-data", [&context, busy](Call& call) {
    require_dev(context);
    std::lock_guard lock(*busy);
    fakedata::CreateReport report = fakedata::create_missing(context.warehouse, lifecycle_options(context));
    send_json(call.response, 200, {{"created", report.created}, {"existing", report.existing}});
  });

  router.del("/dev/reset-fake-data", [&context, busy](Call& call) {
    require_dev(context);
    std::lock_guard lock(*busy);
    fakedata::CreateReport report = fakedata::reset(context.warehouse, lifecycle_options(context));
    send_json(call.response, 200, {{"created", report.created}, {"dropped", report.dropped_ids}});
  });

  router.get("/dev/fake-data-status", [&context](Call& call) {
    require_dev(context);
    send_json(call.response, 200, fakedata::status(context.warehouse));
  });
}

}  // namespace superstore::server
