// Changing a table's rows: POST /table/{id}/rows uploads rows (CSV, NDJSON or Parquet by Content-Type)
// and POST /table/{id}/delete deletes the rows a predicate matches. Each is one table version or none.
// Keeping its files tidy: POST /table/{id}/optimize compacts small files (one version, rows unchanged) and
// POST /table/{id}/vacuum deletes files no retained version needs; both work on fake tables too, whose
// rows they do not change, and refuse dropped ones (409).
//
// Who may change what: an unknown table is 404, a dropped one 409 (it still exists and can be read, but
// its rows no longer change), and a fake table (made by the fake-data lifecycle) 403, since its rows must
// stay what its seed and scale generate: it changes only through the /dev routes.
#include <fcntl.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "common/error.h"
#include "common/parse_int.h"
#include "common/posix_file.h"
#include "common/strings.h"
#include "common/types.h"
#include "fakedata/lifecycle.h"
#include "server/csv_parts.h"
#include "server/http_json.h"
#include "server/route_params.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

constexpr const char* kFormats = "text/csv (with a header row), application/x-ndjson or application/vnd.apache.parquet";
constexpr size_t kUploadWriteBytes = 1 << 20;

catalog::TableInfo writable_table(ServerContext& context, const Call& call) {
  catalog::TableInfo table = context.catalog.get_table(table_id(call));
  const std::string named = "table " + table.name + " (id " + std::to_string(table.id) + ")";
  if (table.status == catalog::TableStatus::Dropped) {
    fail(ErrorCode::Conflict, named + " is dropped; its rows can no longer change");
  }
  if (fakedata::is_fake(table)) {
    fail(ErrorCode::Forbidden, named +
                                   " holds fake data, which changes only through the /dev routes "
                                   "(POST /dev/fake-tables, DELETE /dev/reset-fake-data)");
  }
  return table;
}

// The format the Content-Type names, parameters such as "; charset=utf-8" aside.
std::optional<storage::FileFormat> upload_format(const httplib::Request& request) {
  std::string type = lower(request.get_header_value("Content-Type"));
  type = std::string(trim(type.substr(0, type.find(';'))));
  if (type == "text/csv") return storage::FileFormat::Csv;
  if (type == "application/x-ndjson") return storage::FileFormat::JsonLines;
  if (type == "application/vnd.apache.parquet") return storage::FileFormat::Parquet;
  return std::nullopt;
}

// One writer per table at a time in this server. Every insert takes the newest small file of each
// partition it touches into its own, so concurrent writes to one table remove the same file and all but
// one redo their work; past five tries the storage layer gives up with 409. Queueing them here turns that
// into waiting. Only the write waits: bodies still arrive in parallel. (Other processes, such as the CLI,
// still race as the storage layer describes.)
class TableLocks {
 public:
  std::unique_lock<std::mutex> lock(int64_t table_id) {
    std::mutex* table_mutex;
    {
      std::lock_guard guard(mutex_);
      auto& slot = by_table_[table_id];
      if (!slot) slot = std::make_unique<std::mutex>();
      table_mutex = slot.get();
    }
    return std::unique_lock(*table_mutex);
  }

 private:
  std::mutex mutex_;
  std::map<int64_t, std::unique_ptr<std::mutex>> by_table_;  // one small entry per table written to
};

// A fresh random name for an upload's file(s): "upload-<16 hex digits>", without an extension.
std::string upload_stem() {
  std::random_device random;
  const uint64_t name = (static_cast<uint64_t>(random()) << 32) ^ random();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(name));
  return std::string("upload-") + hex;
}

// A file in DATA_DIR/tmp (which the warehouse's engines may read) that is removed when this goes out of
// scope, however the request ends.
class UploadFile {
 public:
  UploadFile(const std::filesystem::path& dir, storage::FileFormat format) {
    const char* ext = format == storage::FileFormat::Csv         ? ".csv"
                      : format == storage::FileFormat::JsonLines ? ".ndjson"
                                                                 : ".parquet";
    path_ = dir / (upload_stem() + ext);
  }
  ~UploadFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  UploadFile(const UploadFile&) = delete;
  UploadFile& operator=(const UploadFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A CSV body of known length over two parts: cut into parts (csv_parts.h) that an importer thread reads
// while the rest arrives, so that the import does not wait for the whole body. Each part's file goes as
// soon as the import has read it. The table's write lock is taken for the commit only: a slow sender must
// not hold other writers back, and an import this large adds files and removes none, so it does not
// conflict (were it to fit one file of a table with a huge target size, it would merge like a small
// insert and redo its commit on a conflict, as a writer in another process does).
void insert_rows_in_parts(ServerContext& context, TableLocks& locks, Call& call, BodyStream& body,
                          const catalog::TableInfo& table) {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<storage::CsvPart> ready;
  bool ended = false, broke_off = false;
  std::exception_ptr import_error;
  std::optional<storage::WriteResult> result;

  std::optional<std::filesystem::path> previous;  // the part the importer read last
  auto next_part = [&]() -> std::optional<storage::CsvPart> {
    if (previous) {
      std::error_code ignored;
      std::filesystem::remove(*previous, ignored);  // read whole: no longer needed
    }
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return !ready.empty() || ended || broke_off; });
    if (broke_off) fail(ErrorCode::InvalidArgument, "the upload broke off");
    if (ready.empty()) return std::nullopt;
    storage::CsvPart part = ready.front();
    ready.pop_front();
    previous = part.file;
    return part;
  };
  std::thread importer;
  auto import = [&] {
    std::exception_ptr error;
    try {
      result = context.warehouse.insert_csv_parts(table, next_part,
                                                  {.format = storage::FileFormat::Csv,
                                                   .display_name = "the request body",
                                                   .commit_lock = [&] { return locks.lock(table.id); }});
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mutex);
    import_error = error;
  };
  CsvParts parts(context.warehouse.options().data_dir / "tmp", upload_stem(), context.config.upload_part_bytes,
                 [&](const storage::CsvPart& part) {
                   {
                     std::lock_guard lock(mutex);
                     ready.push_back(part);
                   }
                   changed.notify_all();
                   if (!importer.joinable()) importer = std::thread(import);
                 });
  // However this ends, the importer is told and waited for before the parts are removed.
  struct Join {
    std::mutex& mutex;
    std::condition_variable& changed;
    bool& ended;
    bool& broke_off;
    std::thread& importer;
    ~Join() {
      {
        std::lock_guard lock(mutex);
        if (!ended) broke_off = true;
      }
      changed.notify_all();
      if (importer.joinable()) importer.join();
    }
  } join{mutex, changed, ended, broke_off, importer};

  body.read([&](const char* data, size_t size) {
    {
      std::lock_guard lock(mutex);
      if (import_error) std::rethrow_exception(import_error);  // stop receiving what cannot be imported
    }
    parts.write(data, size);
  });
  parts.finish();
  {
    std::lock_guard lock(mutex);
    ended = true;
  }
  changed.notify_all();
  if (importer.joinable()) importer.join();
  if (import_error) std::rethrow_exception(import_error);
  const int64_t version = result->version >= 0 ? result->version : context.warehouse.snapshot(table)->version;
  send_json(call.response, 200,
            {{"rows_inserted", result->rows}, {"version", version}, {"micro_partitions_added", result->files_added}});
}

void insert_rows(ServerContext& context, TableLocks& locks, Call& call, BodyStream& body) {
  const catalog::TableInfo table = writable_table(context, call);
  const std::optional<storage::FileFormat> format = upload_format(call.request);
  if (!format) {
    const std::string sent = call.request.get_header_value("Content-Type");
    send_error(
        call.response, 415,
        (sent.empty() ? std::string("the upload has no Content-Type") : "cannot read rows of type '" + sent + "'") +
            "; send " + kFormats);
    return;
  }
  const std::optional<int64_t> length = parse_int64(call.request.get_header_value("Content-Length"));
  if (*format == storage::FileFormat::Csv && length && *length / 2 > context.config.upload_part_bytes &&
      !call.request.has_header("Content-Encoding")) {
    return insert_rows_in_parts(context, locks, call, body, table);
  }
  UploadFile file(context.warehouse.options().data_dir / "tmp", *format);
  {
    // POSIX writes, so that a full disk is told apart (507, see write_all) from other failures.
    const std::string what = "the upload's temporary file '" + file.path().string() + "'";
    Fd out(::open(file.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (out.get() < 0) fail(ErrorCode::Internal, "cannot create " + what + ": " + errno_message(errno));
    // A body of known length comes in pieces of a MiB, written as they are; one sent chunked comes from
    // httplib 4 KiB at a time, gathered into 1 MiB writes: a system call per megabyte, not per page.
    std::string pending;
    body.read([&](const char* data, size_t size) {
      if (pending.size() + size > kUploadWriteBytes) {
        write_all(out.get(), pending, what);
        pending.clear();
      }
      if (size >= kUploadWriteBytes) {
        write_all(out.get(), std::string_view(data, size), what);
        return;
      }
      if (pending.capacity() < kUploadWriteBytes) pending.reserve(kUploadWriteBytes);
      pending.append(data, size);
    });
    write_all(out.get(), pending, what);
    out.close_checked(what);
  }
  const auto lock = locks.lock(table.id);
  const storage::WriteResult r =
      context.warehouse.insert_file(table, file.path(), {.format = format, .display_name = "the request body"});
  // No new version when there were no rows: the version the table stays at is reported.
  const int64_t version = r.version >= 0 ? r.version : context.warehouse.snapshot(table)->version;
  send_json(call.response, 200,
            {{"rows_inserted", r.rows}, {"version", version}, {"micro_partitions_added", r.files_added}});
}

void delete_rows(ServerContext& context, TableLocks& locks, Call& call) {
  const nlohmann::json body = parse_json_object_body(call.request);
  if (!body.contains("where")) fail(ErrorCode::InvalidArgument, "missing field 'where', e.g. {\"where\": \"id < 10\"}");
  if (!body["where"].is_string()) {
    fail(ErrorCode::InvalidArgument, std::string("field 'where' must be a string, not ") + body["where"].type_name());
  }
  const std::string where = body["where"].get<std::string>();
  if (where.find_first_not_of(" \t\r\n") == std::string::npos) {
    fail(ErrorCode::InvalidArgument, "field 'where' is empty; give a predicate, e.g. {\"where\": \"id < 10\"}");
  }
  const catalog::TableInfo table = writable_table(context, call);
  const auto lock = locks.lock(table.id);
  const storage::WriteResult r = context.warehouse.delete_where(table, where);
  // A delete that matched nothing writes no version; the table's current one is reported.
  const int64_t version = r.version >= 0 ? r.version : context.warehouse.snapshot(table)->version;
  send_json(call.response, 200, {{"rows_deleted", r.rows}, {"version", version}});
}

// A table whose files may be tidied: any active one.
catalog::TableInfo active_table(ServerContext& context, const Call& call) {
  catalog::TableInfo table = context.catalog.get_table(table_id(call));
  if (table.status == catalog::TableStatus::Dropped) {
    fail(ErrorCode::Conflict, "table " + table.name + " (id " + std::to_string(table.id) +
                                  ") is dropped; a vacuum of an active table of that name removes it");
  }
  return table;
}

void optimize_table(ServerContext& context, TableLocks& locks, Call& call) {
  const catalog::TableInfo table = active_table(context, call);
  const auto lock = locks.lock(table.id);
  const storage::WriteResult r = context.warehouse.optimize(table);
  const int64_t version = r.version >= 0 ? r.version : context.warehouse.snapshot(table)->version;
  send_json(call.response, 200,
            {{"compacted", r.version >= 0},
             {"version", version},
             {"rows", r.rows},
             {"micro_partitions_removed", r.files_removed},
             {"micro_partitions_added", r.files_added}});
}

void vacuum_table(ServerContext& context, Call& call) {
  storage::VacuumOptions options;
  if (!call.request.body.empty()) {
    const nlohmann::json body = parse_json_object_body(call.request);
    for (const auto& [key, value] : body.items()) {
      if (key == "retain" && value.is_string()) {
        options.retention_ms = parse_duration_ms(value.get<std::string>(), "field 'retain'");
      } else if (key == "dry_run" && value.is_boolean()) {
        options.dry_run = value.get<bool>();
      } else {
        fail(ErrorCode::InvalidArgument, "unexpected field '" + key +
                                             "': the body may hold \"retain\" (a duration such as \"168h\") and "
                                             "\"dry_run\" (true or false)");
      }
    }
  }
  const catalog::TableInfo table = active_table(context, call);
  const storage::VacuumResult r = context.warehouse.vacuum(table, options);
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : r.files.files) files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"orphan", f.orphan}});
  send_json(call.response, 200,
            {{"dry_run", options.dry_run},
             {"cutoff", format_timestamp_us(r.cutoff_ms * 1000)},
             {"files", std::move(files)},
             {"bytes", r.files.bytes},
             {"dropped_tables", r.dropped_tables},
             {"dropped_bytes", r.dropped_bytes},
             {"orphans_of_unknown_age", r.files.orphans_of_unknown_age}});
}

}  // namespace

void register_table_rows_routes(Router& router, ServerContext& context) {
  auto locks = std::make_shared<TableLocks>();
  router.post_streaming(R"(/table/([^/]+)/rows)",
                        [&context, locks](Call& call, BodyStream& body) { insert_rows(context, *locks, call, body); },
                        static_cast<size_t>(context.config.max_upload_bytes));
  router.post(R"(/table/([^/]+)/delete)", [&context, locks](Call& call) { delete_rows(context, *locks, call); });
  router.post(R"(/table/([^/]+)/optimize)", [&context, locks](Call& call) { optimize_table(context, *locks, call); });
  router.post(R"(/table/([^/]+)/vacuum)", [&context](Call& call) { vacuum_table(context, call); });
}

}  // namespace superstore::server
