#include "storage/file_writer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "common/posix_file.h"
#include "query/batch_scan.h"
#include "storage/delta_paths.h"
#include "storage/file_cache.h"
#include "storage/file_stats.h"

namespace superstore::storage {
namespace {

// One-file partitions up to this many rows are measured together in one query; larger ones each alone.
constexpr int64_t kSmallPartitionRows = 50'000;

// Raw bytes of one value of a column, as a SQL expression summed to estimate file sizes.
std::string raw_bytes_expr(const ColumnDef& c) {
  switch (c.type) {
    case ColumnType::String:
      return "coalesce(strlen(" + query::quote_identifier(c.name) + "), 0) + 4";
    case ColumnType::Boolean:
      return "1";
    case ColumnType::Int16:
      return "2";
    case ColumnType::Int32:
    case ColumnType::Date:
      return "4";
    default:
      return "8";
  }
}

// One partition of the rows: `rows` rows, written as `files` files of `per_file` rows (the last may be
// shorter), which are out[first_file, first_file + files).
struct Partition {
  int32_t number = 0;
  PartitionValues values;
  std::string folder;  // "k=v/…/", or "" without partition keys
  std::string sql;     // its rows
  std::string staged;  // when its rows are exactly those numbered `number` in this table
  int64_t rows = 0, per_file = 0, files = 0;
  size_t first_file = 0;
};

}  // namespace

// A COPY of one small file keeps about one core busy, so files are written side by side.
void run_on_connections(const FileWriterSetup& s, size_t n,
                        const std::function<void(query::Connection&, size_t)>& job) {
  run_on_connections(s.engine, &s.conn, engine_workers(s.engine), n, job);
}

size_t engine_workers(const query::Database& engine) {
  const int threads = engine.options().threads;
  return threads > 0 ? static_cast<size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
}

void run_on_connections(query::Database& engine, query::Connection* first, size_t workers, size_t n,
                        const std::function<void(query::Connection&, size_t)>& job) {
  workers = std::min(n, std::max<size_t>(1, workers));
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto record = [&] {
    std::lock_guard lock(error_mutex);
    if (!error) error = std::current_exception();
    next = n;  // the others stop after their current job
  };
  auto work = [&](query::Connection& c) {
    for (size_t j; (j = next.fetch_add(1)) < n;) {
      try {
        job(c, j);
      } catch (...) {
        record();
      }
    }
  };
  auto work_on_own_connection = [&] {
    try {
      query::Connection c(engine);
      work(c);
    } catch (...) {
      record();
    }
  };
  std::vector<std::thread> helpers;
  for (size_t w = 1; w < workers; ++w) {
    try {
      helpers.emplace_back(work_on_own_connection);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the jobs run on fewer connections
    }
  }
  if (first) {
    work(*first);
  } else if (n > 0) {
    work_on_own_connection();
  }
  for (auto& t : helpers) t.join();
  if (error) std::rethrow_exception(error);
}

int64_t rows_per_file(int64_t rows, double raw_bytes, int64_t target_file_bytes) {
  int64_t wanted = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(raw_bytes * kAssumedParquetRatio / static_cast<double>(target_file_bytes))));
  return std::max<int64_t>(1, (rows + wanted - 1) / wanted);
}

double raw_size(const ColumnBatch& batch) {
  double total = 0;
  const auto rows = static_cast<double>(batch.rows());
  for (const auto& c : batch.columns) {
    switch (c.type()) {
      case ColumnType::String:
        total += static_cast<double>(c.chars_size()) + 4 * rows;
        break;
      case ColumnType::Boolean:
        total += rows;
        break;
      case ColumnType::Int16:
        total += 2 * rows;
        break;
      case ColumnType::Int32:
      case ColumnType::Date:
        total += 4 * rows;
        break;
      default:
        total += 8 * rows;
    }
  }
  return total;
}

void create_folders(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (!ec) return;
  if (is_storage_full(ec.value())) fail_storage_full(ec.value(), "folder '" + folder.string() + "'");
  fail(ErrorCode::Internal, "cannot create folder '" + folder.string() + "': " + ec.message());
}

RemoveUnlessKept::~RemoveUnlessKept() {
  if (kept_) return;
  for (const auto& f : files_) {
    if (f.path.empty()) continue;
    try {
      store_.remove(root_key_ + "/" + f.path);
    } catch (const std::exception&) {  // keep going: the write's own error is the one to report
    }
  }
}

std::string partition_folder(const FileWriterSetup& s, const PartitionValues& values) {
  std::string folder;
  for (const auto& c : s.partition_columns) folder += hive_folder(c.name, values.at(c.name)) + "/";
  return folder;
}

AddFile write_parquet_file(const FileWriterSetup& s, query::Connection& c, int64_t id, const PartitionValues& values,
                           const std::string& select) {
  AddFile add;
  add.path = partition_folder(s, values) + std::to_string(id) + ".parquet";
  std::string key = s.ctx.root_key + "/" + add.path;
  blob::validate_blob_key(key);
  try {
    c.execute("COPY (" + select + ") TO " + query::quote_literal((s.ctx.root_dir / add.path).string()) +
              " (FORMAT parquet)");
  } catch (const Error& e) {
    // DuckDB may leave the file it was writing; on a full disk those bytes are the ones most needed back.
    try {
      s.store.remove(key);
    } catch (const Error&) {  // the write's own error is the one to report
    }
    std::error_code ignored;
    if (s.ctx.remote) std::filesystem::remove(s.ctx.root_dir / add.path, ignored);
    if (auto err = storage_full_in_message(e.what())) {
      fail_storage_full(*err, "micro-partition '" + key + "' of table '" + s.ctx.table.name + "'");
    }
    throw;
  }
  add.partition_values = values;
  if (s.ctx.remote) {
    add.size = static_cast<int64_t>(std::filesystem::file_size(s.ctx.root_dir / add.path));
    s.ctx.remote->upload(key);
  } else {
    add.size = static_cast<int64_t>(s.store.size(key));
  }
  add.modification_time = now_ms();
  add.tags["micro_partition_id"] = std::to_string(id);
  return add;
}

AddFile write_batch_file(const FileWriterSetup& s, query::Connection& c, int64_t id, const PartitionValues& values,
                         const ColumnBatch& data) {
  FileStats stats = compute_batch_stats(data);
  query::BatchScan scan(c, data);
  AddFile add = write_parquet_file(s, c, id, values, "SELECT * FROM " + scan.sql());
  add.stats = std::move(stats);
  return add;
}

namespace {

// The partitions of the rows, in partition-value order, with their file counts.
std::vector<Partition> plan(const FileWriterSetup& s, const std::vector<PartitionRows>& sources) {
  std::map<int32_t, std::pair<int64_t, double>> sizes;  // rows and raw bytes, summed over the sources
  std::string bytes, unknown;
  for (const auto& c : s.ctx.table.columns) bytes += (bytes.empty() ? "" : " + ") + raw_bytes_expr(c);
  std::map<std::string, std::string> staged_numbers;  // by staging table: one grouped query each
  for (const auto& src : sources) {
    if (src.rows >= 0) {
      sizes[src.number].first += src.rows;
      sizes[src.number].second += src.raw_bytes;
    } else if (!src.staged_table.empty()) {
      auto& list = staged_numbers[src.staged_table];
      list += (list.empty() ? "" : ", ") + std::to_string(src.number);
    } else {
      unknown += std::string(unknown.empty() ? "" : " UNION ALL ") + "SELECT " + std::to_string(src.number) +
                 " AS ss_part, count(*), sum(" + bytes + ") FROM (" + src.sql + ")";
    }
  }
  for (const auto& [table, numbers] : staged_numbers) {
    unknown += std::string(unknown.empty() ? "" : " UNION ALL ") + "SELECT ss_part, count(*), sum(" + bytes +
               ") FROM " + table + " WHERE ss_part IN (" + numbers + ") GROUP BY ss_part";
  }
  if (!unknown.empty()) {
    query::Result groups = s.conn.execute(unknown);
    for (size_t g = 0; g < groups.row_count(); ++g) {
      auto& [n, raw] = sizes[static_cast<int32_t>(groups.get_int64(0, g))];
      n += groups.get_int64(1, g);
      raw += groups.is_null(2, g) ? 0.0 : groups.get_double(2, g);
    }
  }
  std::vector<Partition> out;
  for (const auto& [number, size] : sizes) {
    Partition p;
    p.number = number;
    p.rows = size.first;
    if (p.rows == 0) continue;
    p.values = s.partitions.values(p.number);
    p.folder = partition_folder(s, p.values);
    p.per_file = rows_per_file(p.rows, size.second, s.ctx.target_file_bytes);
    p.files = (p.rows + p.per_file - 1) / p.per_file;
    int source_count = 0;
    for (const auto& src : sources) {
      if (src.number != p.number) continue;
      p.sql += std::string(p.sql.empty() ? "" : " UNION ALL ") + src.sql;
      p.staged = ++source_count == 1 ? src.staged_table : "";
    }
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const Partition& a, const Partition& b) { return a.values < b.values; });
  size_t files = 0;
  for (auto& p : out) {
    p.first_file = files;
    files += static_cast<size_t>(p.files);
  }
  return out;
}

}  // namespace

std::string column_names(const std::vector<ColumnDef>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + query::quote_identifier(c.name);
  return out;
}

std::vector<AddFile> write_micro_partitions(const FileWriterSetup& s, const std::vector<PartitionRows>& sources) {
  if (sources.empty()) return {};
  std::vector<Partition> parts = plan(s, sources);
  if (parts.empty()) return {};
  const size_t total_files = parts.back().first_file + static_cast<size_t>(parts.back().files);
  const int64_t first_id = s.reserve_ids(static_cast<int64_t>(total_files));
  for (const auto& p : parts) create_folders(s.ctx.root_dir / p.folder);

  const std::string data_cols = column_names(s.data_columns);
  std::string order;
  for (const auto& k : s.ctx.table.sort_keys) order += (order.empty() ? "" : ", ") + query::quote_identifier(k);
  const std::string order_by = order.empty() ? "" : " ORDER BY " + order;
  std::vector<AddFile> out(total_files);
  std::map<int64_t, FileStats> stats;  // by file index
  std::mutex stats_mutex;
  // Files' stats by key, and where key k's file is.
  auto keep_stats = [&](const std::map<int64_t, FileStats>& found, const std::function<size_t(int64_t)>& file_of) {
    std::lock_guard lock(stats_mutex);
    for (const auto& [k, st] : found) stats[static_cast<int64_t>(file_of(k))] = st;
  };

  // Writes file `index` from `select` and fills in all but its stats.
  auto write_file = [&](query::Connection& c, const Partition& p, size_t index, const std::string& select) {
    out[index] = write_parquet_file(s, c, first_id + static_cast<int64_t>(index), p.values, select);
  };

  // Job 0 measures the small one-file partitions of each staging table in one grouped query, since DuckDB
  // statements have a fixed cost of milliseconds, which would dominate small tables with many
  // partitions. Job 1 + i writes partition i and, unless small, measures it: a one-file partition straight
  // from its rows, sorted; a larger one is sorted into a scratch table first, then cut into row ranges.
  auto small = [](const Partition& p) { return p.files == 1 && p.rows <= kSmallPartitionRows && !p.staged.empty(); };
  std::map<std::string, std::string> small_numbers;  // by staging table
  std::map<int64_t, size_t> file_of_number;
  for (const auto& p : parts) {
    if (!small(p)) continue;
    auto& list = small_numbers[p.staged];
    list += (list.empty() ? "" : ", ") + std::to_string(p.number);
    file_of_number[p.number] = p.first_file;
  }
  auto in_partition = [](size_t first) { return [first](int64_t k) { return first + static_cast<size_t>(k); }; };
  RemoveUnlessKept written(s.store, s.ctx.root_key, out);
  run_on_connections(s, parts.size() + 1, [&](query::Connection& c, size_t job) {
    if (job == 0) {
      for (const auto& [table, numbers] : small_numbers) {
        keep_stats(compute_grouped_file_stats(c, "(SELECT * FROM " + table + " WHERE ss_part IN (" + numbers + "))",
                                              "ss_part", s.data_columns),
                   [&](int64_t number) { return file_of_number.at(number); });
      }
      return;
    }
    const Partition& p = parts[job - 1];
    const std::string mine = " FROM (" + p.sql + ")";
    if (p.files == 1) {
      write_file(c, p, p.first_file, "SELECT " + data_cols + mine + order_by);
      if (!small(p))
        keep_stats({{0, compute_file_stats(c, "(" + p.sql + ")", s.data_columns)}}, in_partition(p.first_file));
      return;
    }
    // A temporary table goes with its connection, even when a job fails half-way.
    const std::string sorted = s.scratch_prefix + std::to_string(p.number);
    c.execute("CREATE OR REPLACE TEMP TABLE " + sorted + " AS SELECT " + data_cols + mine + order_by);
    for (int64_t k = 0; k < p.files; ++k) {
      write_file(c, p, p.first_file + static_cast<size_t>(k),
                 "SELECT * FROM " + sorted + " WHERE rowid >= " + std::to_string(k * p.per_file) + " AND rowid < " +
                     std::to_string((k + 1) * p.per_file));
    }
    keep_stats(compute_grouped_file_stats(
                   c, "(SELECT *, rowid // " + std::to_string(p.per_file) + " AS ss_file FROM " + sorted + ")",
                   "ss_file", s.data_columns),
               in_partition(p.first_file));
    c.execute("DROP TABLE " + sorted);
  });
  written.keep();
  for (size_t i = 0; i < out.size(); ++i) out[i].stats = stats.at(static_cast<int64_t>(i));
  return out;
}

}  // namespace superstore::storage
