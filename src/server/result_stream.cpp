#include "server/result_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

#include "common/error.h"
#include "common/log.h"
#include "common/posix_file.h"
#include "common/strings.h"
#include "query/arrow_stream.h"
#include "query/result_export.h"
#include "server/client_watch.h"
#include "server/front.h"

namespace superstore::server {
namespace {

using namespace std::chrono_literals;

// Results complete within this size when the answer starts go out whole, with a Content-Length; the
// answer starts once this much is written or the query is done.
constexpr int64_t kWholeAnswerBytes = 4 << 20;
constexpr size_t kChunkBytes = 1 << 20;
// Room for a chunk's size line ("100000\r\n").
constexpr size_t kChunkHead = 16;

std::string random_name() {
  std::random_device rd;
  return std::to_string((static_cast<uint64_t>(rd()) << 32) | rd());
}

// One download: the query running into `path` on `worker`, and what the response has read of it.
struct Download {
  std::filesystem::path path;
  std::thread worker;
  std::mutex mutex;
  std::condition_variable progress;
  bool done = false;   // guarded by mutex
  bool bound = false;  // guarded by mutex: `answer` holds the tables the query reads
  std::exception_ptr error;
  storage::QueryAnswer answer;         // written by the worker before `bound` is set
  std::atomic<bool> abandoned{false};  // the response ended before the whole file was sent
  std::atomic<bool> too_large{false};  // the result grew past MAX_DOWNLOAD_BYTES
  int fd = -1;
  int64_t sent = 0;
  std::unique_ptr<char[]> chunk;  // send_next_chunk's buffer, off the front

  ~Download() {
    abandoned = true;
    if (worker.joinable()) worker.join();
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }

  bool finished() {
    std::lock_guard lock(mutex);
    return done;
  }
  int64_t written() const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<int64_t>(size);
  }
  // Waits until the query is done, or has written `bytes` (at most `timeout` when given). Every query
  // ends, by its time limit if not sooner.
  void wait(int64_t bytes, std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    const auto until = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::hours(24 * 365));
    std::unique_lock lock(mutex);
    while (!done && !(bound && written() >= bytes) && std::chrono::steady_clock::now() < until) {
      progress.wait_for(lock, 5ms);
    }
  }
  // Whether the file is open for reading, as `fd` (it is opened once it exists).
  bool opened() {
    if (fd < 0) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    return fd >= 0;
  }
  // How many bytes past where the response is the file holds, at most `max`; 0 when nothing new is
  // written yet.
  size_t available(size_t max) {
    struct stat st;
    if (!opened() || ::fstat(fd, &st) != 0 || st.st_size <= sent) return 0;
    return std::min(max, static_cast<size_t>(st.st_size - sent));
  }
  // Up to `max` bytes from where the response is, into `out`; 0 when nothing new is written yet.
  size_t read_next(char* out, size_t max) {
    if (!opened()) return 0;
    const ssize_t n = ::pread(fd, out, max, sent);
    const size_t got = n > 0 ? static_cast<size_t>(n) : 0;
    sent += static_cast<int64_t>(got);
    return got;
  }
};

// Sends the file's next bytes (at most kChunkBytes) as one chunk of the chunked answer; false when there
// were none yet, or when the client is gone (`failed`). On the front's connection (serving_stream()) the
// chunk's size line goes out, then its bytes straight from the file by sendfile(2), then its end: the
// kernel hands the file's cached pages to the socket, where a read into a buffer and a send from it cost
// two copies of every byte (a CSV download of 10 M rows is 1.2 GB). Off the front, through httplib's sink.
bool send_next_chunk(Download& download, httplib::DataSink& sink, bool& failed) {
  httplib::Stream* raw = serving_stream();
  if (raw == nullptr) {
    if (!download.chunk) download.chunk = std::make_unique_for_overwrite<char[]>(kChunkBytes);
    const size_t n = download.read_next(download.chunk.get(), kChunkBytes);
    if (n == 0) return false;
    failed = !sink.write(download.chunk.get(), n);
    return true;
  }
  const size_t n = download.available(kChunkBytes);
  if (n == 0) return false;
  char head[kChunkHead];
  const int head_size = std::snprintf(head, sizeof head, "%zx\r\n", n);
  failed = !send_file_piece(*raw, std::string_view(head, static_cast<size_t>(head_size)), download.fd, download.sent, n,
                            "\r\n");
  download.sent += static_cast<int64_t>(n);
  return true;
}

// The worker. `download` outlives it: ~Download joins it.
void run_query(Download* download, storage::Warehouse& warehouse, const std::string& sql,
               const storage::QueryOptions& options, ResultFormat format,
               const std::vector<std::string>& required_tables, int64_t max_bytes) {
  try {
    warehouse.query_with(
        sql, options,
        [&](query::Connection& connection, const storage::QueryAnswer& tables) {
          {
            std::lock_guard lock(download->mutex);
            download->answer = tables;
            download->bound = true;
          }
          query::QueryControl control{options.time_limit, options.cancelled,
                                      options.started.value_or(std::chrono::steady_clock::now())};
          switch (format) {
            case ResultFormat::Csv:
              return query::export_user_query(connection, sql, query::ExportFormat::Csv, download->path, control);
            case ResultFormat::Ndjson:
              return query::export_user_query(connection, sql, query::ExportFormat::Ndjson, download->path, control);
            case ResultFormat::Parquet:
              return query::export_user_query(connection, sql, query::ExportFormat::Parquet, download->path, control);
            case ResultFormat::Arrow: {
              // DuckDB has no Arrow file writer of its own; query::write_arrow_stream encodes its Arrow
              // export, and the bytes go to the file the response tails, like the COPY formats'.
              Fd out(::open(download->path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
              if (out.get() < 0) fail(ErrorCode::Internal, "cannot create " + download->path.string());
              int64_t written = 0;
              query::write_arrow_stream(connection, sql, control, [&](std::string_view bytes) {
                written += static_cast<int64_t>(bytes.size());
                if (written > max_bytes) download->too_large = true;
                if (download->abandoned || download->too_large) return false;
                write_all(out.get(), bytes, "the result file '" + download->path.string() + "'");
                return true;
              });
              out.close_checked("the result file '" + download->path.string() + "'");
              return;
            }
            case ResultFormat::Json:
              break;
          }
          fail(ErrorCode::Internal, "no download writer for this format");
        },
        required_tables);
  } catch (const Error& e) {
    download->error = std::current_exception();
    // DuckDB's COPY reports a full DATA_DIR/tmp in its own words; it is the disk, not the query.
    if (e.code() == ErrorCode::Internal) {
      if (const auto err = storage_full_in_message(e.what())) {
        try {
          fail_storage_full(*err, "the result file of this query");
        } catch (...) {
          download->error = std::current_exception();
        }
      }
    }
  } catch (...) {
    download->error = std::current_exception();
  }
  if (download->too_large) {
    download->error = std::make_exception_ptr(
        Error(ErrorCode::TooLarge, "the result is larger than MAX_DOWNLOAD_BYTES (" + std::to_string(max_bytes) +
                                       " bytes); narrow the query (WHERE, LIMIT, fewer columns) or raise the limit"));
  }
  std::lock_guard lock(download->mutex);
  download->done = true;
  download->progress.notify_all();
}

// "fake_orders.csv" for a query of one table, "result.csv" otherwise.
std::string file_name(const storage::QueryAnswer& answer, ResultFormat format) {
  std::string stem = answer.tables.size() == 1 ? answer.tables.front() : "result";
  return stem + std::string(format_info(format).extension);
}

void set_headers(httplib::Response& response, const storage::QueryAnswer& answer, ResultFormat format) {
  response.set_header("Content-Disposition", "attachment; filename=\"" + file_name(answer, format) + "\"");
  // What the JSON answer's stats say about versions, for a body that has no room for them.
  std::string versions;
  int64_t files = 0, scanned = 0;
  for (const auto& t : answer.read) {
    versions += (versions.empty() ? "" : ", ") + t.name + "=" + std::to_string(t.version);
    files += t.files;
    scanned += t.files_scanned;
  }
  if (!versions.empty()) response.set_header("X-Table-Versions", versions);
  // stats.files_scanned / files_in_tables of the JSON answer.
  if (!answer.read.empty())
    response.set_header("X-Files-Scanned", std::to_string(scanned) + "/" + std::to_string(files));
}

}  // namespace

const std::vector<ResultFormatInfo>& result_formats() {
  static const std::vector<ResultFormatInfo> formats = {
      {ResultFormat::Json, "json", "application/json", ".json"},
      {ResultFormat::Csv, "csv", "text/csv", ".csv"},
      {ResultFormat::Ndjson, "ndjson", "application/x-ndjson", ".ndjson"},
      {ResultFormat::Parquet, "parquet", "application/vnd.apache.parquet", ".parquet"},
      {ResultFormat::Arrow, "arrow", "application/vnd.apache.arrow.stream", ".arrows"},
  };
  return formats;
}

const ResultFormatInfo& format_info(ResultFormat format) {
  for (const auto& f : result_formats()) {
    if (f.format == format) return f;
  }
  return result_formats().front();
}

void send_result_download(ServerContext& context, Call& call, const std::string& sql, storage::QueryOptions options,
                          ResultFormat format, const std::vector<std::string>& required_tables) {
  auto download = std::make_shared<Download>();
  download->path =
      context.warehouse.temp_dir() / ("result-" + random_name() + std::string(format_info(format).extension));
  // The query stops when the client leaves while it runs (the handler still waits), once the response
  // was abandoned (the client left while the file was being sent), or when the file passes the limit.
  const int64_t max_bytes = context.config.max_download_bytes;
  options.cancelled = [gone = client_gone_check(call.request), download = download.get(), max_bytes] {
    if (download->written() > max_bytes) download->too_large = true;
    return download->abandoned.load() || download->too_large.load() || gone();
  };
  download->worker = std::thread(run_query, download.get(), std::ref(context.warehouse), sql, options, format,
                                 required_tables, max_bytes);
  // Under a limit below the whole-answer size, the answer waits for the end, so that a result over the
  // limit is always a 413 rather than a cut transfer.
  download->wait(max_bytes > kWholeAnswerBytes ? kWholeAnswerBytes : std::numeric_limits<int64_t>::max());

  if (download->finished()) {
    download->worker.join();
    if (download->error) std::rethrow_exception(download->error);
    if (download->written() <= kWholeAnswerBytes) {
      set_headers(call.response, download->answer, format);
      std::string body(static_cast<size_t>(download->written()), '\0');
      body.resize(download->read_next(body.data(), body.size()));
      call.response.set_content(body, std::string(format_info(format).media_type));  // httplib 0.11 copies
      return;
    }
  }
  // The answer's tables are known once the views are made, which precedes the first byte of the file.
  set_headers(call.response, download->answer, format);
  call.response.set_chunked_content_provider(
      std::string(format_info(format).media_type),
      [download](size_t, httplib::DataSink& sink) {
        bool failed = false;
        if (send_next_chunk(*download, sink, failed)) return !failed;
        if (download->finished()) {
          // Nothing more will come; but the writer may have added bytes since the read above.
          if (send_next_chunk(*download, sink, failed)) return !failed;
          if (download->error) {
            try {
              std::rethrow_exception(download->error);
            } catch (const std::exception& e) {
              log::warn(std::string("download cut short: ") + e.what());
            }
            return false;  // closes the connection before the last chunk: the client sees a cut transfer
          }
          sink.done();
          return true;
        }
        // Nothing new yet: wait a little, and let httplib ask again (it checks that the client is still there).
        download->wait(download->sent + 1, 50ms);
        return true;
      },
      [download](bool) { download->abandoned = true; });
}

}  // namespace superstore::server
