#include "storage/table_writer.h"

#include <atomic>
#include <csignal>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "common/error.h"
#include "common/log.h"
#include "query/appender.h"
#include "query/user_query.h"
#include "storage/delta_paths.h"
#include "storage/file_stats.h"
#include "query/database.h"
#include "storage/scan_sql.h"

namespace superstore::storage {
namespace {

// Parquet (snappy + dictionaries) typically stores our data in about half its raw size; used only to
// choose how many rows go into a micro-partition of the target size.
constexpr double kAssumedParquetRatio = 0.5;
constexpr int kMaxCommitAttempts = 5;
// Below this many rows in one write, the stats of all its files come from one grouped query; above it,
// from one query per file (see compute_grouped_file_stats). Measured crossover on 2 cores: ~10^5 rows.
constexpr int64_t kGroupedStatsRows = 200'000;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Raw bytes of one value of a column, as a SQL expression summed to estimate file sizes.
std::string raw_bytes_expr(const ColumnDef& c) {
  switch (c.type) {
    case ColumnType::String: return "coalesce(strlen(" + query::quote_identifier(c.name) + "), 0) + 4";
    case ColumnType::Boolean: return "1";
    case ColumnType::Int16: return "2";
    case ColumnType::Int32:
    case ColumnType::Date: return "4";
    default: return "8";
  }
}

}  // namespace

// Ids grow with time, so the highest id is the newest file; files from other writers have none (0).
static int64_t micro_partition_id(const AddFile& f) {
  auto it = f.tags.find("micro_partition_id");
  return it == f.tags.end() ? 0 : std::strtoll(it->second.c_str(), nullptr, 10);
}

void maybe_crash_before_commit() {
  if (std::getenv("SUPERSTORE_CRASH_BEFORE_COMMIT")) std::raise(SIGKILL);
}

struct TableWriter::Impl {
  query::Database& engine;
  blob::BlobStore& store;
  catalog::Catalog& catalog;
  TableContext ctx;
  DeltaLog log;
  query::Connection conn;
  std::vector<ColumnDef> data_columns;       // the columns stored in the Parquet files
  std::vector<ColumnDef> partition_columns;  // in partition-key order
  Snapshot base;
  int64_t staged_rows = 0;
  int64_t total_rows = 0;
  std::vector<AddFile> flushed;  // files written by earlier flushes of a very large insert
  bool stage_created = false;
  std::optional<query::Appender> appender;  // open while batches stream in; closed before other SQL
  // Working tables are plain tables named per writer, so writers sharing the engine never meet.
  std::string stage_name, sorted_name;

  Impl(query::Database& e, blob::BlobStore& s, catalog::Catalog& c, TableContext context)
      : engine(e), store(s), catalog(c), ctx(std::move(context)), log(s, ctx.root_key), conn(e) {
    static std::atomic<int64_t> counter{0};
    std::string n = std::to_string(++counter);
    stage_name = "ss_stage_" + n;
    sorted_name = "ss_sorted_" + n;
    const auto& t = ctx.table;
    std::set<std::string> pk(t.partition_keys.begin(), t.partition_keys.end());
    for (const auto& col : t.columns) {
      if (!pk.count(col.name)) data_columns.push_back(col);
    }
    for (const auto& k : t.partition_keys) {
      for (const auto& col : t.columns) {
        if (col.name == k) partition_columns.push_back(col);
      }
    }
  }

  std::string where() const { return "table '" + ctx.table.name + "'"; }

  void ensure_stage() {
    if (stage_created) return;
    std::string cols;
    for (const auto& c : ctx.table.columns) {
      cols += (cols.empty() ? "" : ", ") + query::quote_identifier(c.name) + " " + std::string(duckdb_type_name(c.type));
    }
    conn.execute("CREATE TABLE " + stage_name + " (" + cols + ")");
    base = log.snapshot();
    stage_created = true;
  }

  std::string order_by() const {
    std::string keys;
    for (const auto& k : ctx.table.partition_keys) keys += (keys.empty() ? "" : ", ") + query::quote_identifier(k);
    for (const auto& k : ctx.table.sort_keys) keys += (keys.empty() ? "" : ", ") + query::quote_identifier(k);
    return keys;
  }

  std::string column_names(const std::vector<ColumnDef>& cols) const {
    std::string out;
    for (const auto& c : cols) out += (out.empty() ? "" : ", ") + query::quote_identifier(c.name);
    return out;
  }

  Snapshot only(const AddFile& file) const {
    Snapshot s = base;
    s.files = {file};
    return s;
  }

  // The newest small file of every partition the staged rows go to: merged with them and replaced, so
  // a stream of small inserts does not leave a stream of tiny files.
  std::vector<AddFile> merge_candidates() {
    std::map<PartitionValues, const AddFile*> newest;
    for (const auto& f : base.files) {
      if (f.size >= ctx.target_file_bytes / 2) continue;
      auto& slot = newest[f.partition_values];
      if (!slot || micro_partition_id(f) > micro_partition_id(*slot)) slot = &f;
    }
    if (newest.empty()) return {};
    std::set<PartitionValues> touched;
    if (partition_columns.empty()) {
      touched.insert(PartitionValues{});
    } else {
      query::Result r = conn.execute("SELECT DISTINCT " + column_names(partition_columns) + " FROM " + stage_name);
      for (size_t row = 0; row < r.row_count(); ++row) {
        PartitionValues values;
        for (size_t i = 0; i < partition_columns.size(); ++i) {
          const auto& c = partition_columns[i];
          values[c.name] = r.is_null(i, row) ? std::nullopt : partition_text(r, i, row, c);
        }
        touched.insert(values);
      }
    }
    std::vector<AddFile> out;
    for (const auto& [values, file] : newest) {
      if (touched.count(values)) out.push_back(*file);
    }
    return out;
  }

  std::optional<std::string> partition_text(const query::Result& r, size_t col, size_t row, const ColumnDef& c) {
    // Partition values as the Delta log spells them (see docs/storage-format.md).
    switch (c.type) {
      case ColumnType::Boolean: return r.get_bool(col, row) ? "true" : "false";
      case ColumnType::Date: return format_date_days(static_cast<int32_t>(r.get_int64(col, row)));
      case ColumnType::String: return r.get_string(col, row);
      default: return std::to_string(r.get_int64(col, row));
    }
  }

  // Sorts `source` and writes it as micro-partitions; returns their add actions.
  std::vector<AddFile> write_files(const std::string& source) {
    std::string order = order_by();
    conn.execute("CREATE OR REPLACE TABLE " + sorted_name + " AS SELECT * FROM (" + source + ")" +
                 (order.empty() ? "" : " ORDER BY " + order));

    std::string bytes;
    for (const auto& c : ctx.table.columns) bytes += (bytes.empty() ? "" : " + ") + raw_bytes_expr(c);
    std::string pcols = column_names(partition_columns);
    query::Result groups = conn.execute(
        "SELECT " + (pcols.empty() ? "" : pcols + ", ") + "count(*), sum(" + bytes + ") FROM " + sorted_name +
        (pcols.empty() ? "" : " GROUP BY " + pcols + " ORDER BY " + pcols));

    struct Planned {
      PartitionValues values;
      std::string folder;
      int64_t first_row, rows;
    };
    std::vector<Planned> planned;
    int64_t row = 0;
    const size_t np = partition_columns.size();
    for (size_t g = 0; g < groups.row_count(); ++g) {
      int64_t rows = groups.get_int64(np, g);
      if (rows == 0) continue;
      double raw = groups.get_double(np + 1, g);
      PartitionValues values;
      std::string folder;
      for (size_t i = 0; i < np; ++i) {
        const auto& c = partition_columns[i];
        std::optional<std::string> v;
        if (!groups.is_null(i, g)) {
          v = partition_text(groups, i, g, c);
          if (c.type == ColumnType::String && v->empty()) {
            fail(ErrorCode::InvalidArgument, where() + ": partition key '" + c.name +
                                                 "' cannot hold an empty string (Delta readers take it for "
                                                 "null); use NULL or a non-empty value");
          }
        }
        folder += hive_folder(c.name, v) + "/";
        values[c.name] = v;
      }
      int64_t files = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(raw * kAssumedParquetRatio /
                                                                          static_cast<double>(ctx.target_file_bytes))));
      int64_t per_file = (rows + files - 1) / files;
      for (int64_t start = 0; start < rows; start += per_file) {
        planned.push_back({values, folder, row + start, std::min(per_file, rows - start)});
      }
      row += rows;
    }
    if (planned.empty()) return {};

    int64_t first_id = catalog.next_id("micro_partition", static_cast<int64_t>(planned.size()));
    std::vector<AddFile> out;
    std::string data_cols = column_names(data_columns);
    std::map<int64_t, FileStats> grouped;
    if (row <= kGroupedStatsRows) {
      // Each row's file is the planned range it falls in: an ASOF join on the ranges' first rows.
      std::string bounds;
      for (size_t i = 0; i < planned.size(); ++i) {
        bounds += (i ? ", (" : "(") + std::to_string(i) + ", " + std::to_string(planned[i].first_row) + ")";
      }
      grouped = compute_grouped_file_stats(
          conn,
          "(SELECT s.*, b.file_no FROM " + sorted_name + " s ASOF JOIN (VALUES " + bounds +
              ") b(file_no, lo) ON s.rowid >= b.lo)",
          "file_no", data_columns);
    }
    for (size_t i = 0; i < planned.size(); ++i) {
      const auto& p = planned[i];
      int64_t id = first_id + static_cast<int64_t>(i);
      AddFile add;
      add.path = p.folder + std::to_string(id) + ".parquet";
      std::string key = ctx.root_key + "/" + add.path;
      blob::validate_blob_key(key);
      std::filesystem::path local = ctx.root_dir / add.path;
      std::filesystem::create_directories(local.parent_path());
      std::string range = "FROM " + sorted_name + " WHERE rowid >= " + std::to_string(p.first_row) + " AND rowid < " +
                          std::to_string(p.first_row + p.rows);
      conn.execute("COPY (SELECT " + data_cols + " " + range + ") TO " + query::quote_literal(local.string()) +
                   " (FORMAT parquet)");
      add.partition_values = p.values;
      add.size = static_cast<int64_t>(store.size(key));
      add.modification_time = now_ms();
      add.stats = grouped.empty() ? compute_file_stats(conn, "(SELECT " + data_cols + " " + range + ")", data_columns)
                                  : grouped.at(static_cast<int64_t>(i));
      add.tags["micro_partition_id"] = std::to_string(id);
      out.push_back(std::move(add));
    }
    return out;
  }

  void remove_files(const std::vector<AddFile>& files) {
    for (const auto& f : files) store.remove(ctx.root_key + "/" + f.path);
  }

  RemoveFile removal_of(const AddFile& f) const {
    RemoveFile r;
    r.path = f.path;
    r.deletion_timestamp = now_ms();
    r.data_change = true;
    r.partition_values = f.partition_values;
    r.size = f.size;
    return r;
  }

  // Tries to commit at base.version + 1, moving past versions that do not touch the files this write
  // removes. Returns the version, or -1 when a newer version conflicts (the caller may redo the write).
  int64_t try_commit(Commit& commit) {
    std::set<std::string> removing;
    for (const auto& r : commit.removes) removing.insert(r.path);
    commit.info.read_version = base.version;
    commit.info.timestamp = now_ms();
    maybe_crash_before_commit();
    for (int64_t version = base.version + 1;; ++version) {
      if (log.try_commit(version, commit)) return version;
      Commit other = log.read_commit(version);
      if (other.metadata || other.protocol) return -1;
      for (const auto& r : other.removes) {
        if (removing.count(r.path)) return -1;
      }
    }
  }

  [[noreturn]] void conflict() {
    fail(ErrorCode::Conflict, where() + " kept changing while this write ran (" +
                                  std::to_string(kMaxCommitAttempts) +
                                  " attempts lost to other writers); nothing was written, try again");
  }

  void close_appender() {
    if (!appender) return;
    appender->close();
    appender.reset();
  }

  WriteResult insert() {
    ensure_stage();
    close_appender();
    for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
      std::vector<AddFile> merged = flushed.empty() ? merge_candidates() : std::vector<AddFile>{};
      std::string source = "SELECT * FROM " + stage_name;
      for (const auto& f : merged) source += " UNION ALL SELECT * FROM (" + scan_sql(only(f), ctx.root_dir) + ")";
      std::vector<AddFile> adds = flushed;
      for (auto& a : write_files(source)) adds.push_back(std::move(a));
      if (adds.empty()) return {base.version, 0, 0, 0};  // nothing to insert: no new version

      Commit commit;
      commit.info.operation = "WRITE";
      commit.info.operation_parameters = {{"mode", "Append"}};
      commit.info.is_blind_append = merged.empty();
      for (const auto& f : merged) commit.removes.push_back(removal_of(f));
      commit.adds = adds;
      int64_t version = try_commit(commit);
      if (version >= 0) {
        return {version, total_rows, static_cast<int64_t>(adds.size()), static_cast<int64_t>(merged.size())};
      }
      // Lost to a writer that replaced a file this write merged: the staged rows are intact, so redo
      // the write against the newer table (only possible while nothing was flushed early).
      remove_files(std::vector<AddFile>(adds.begin() + static_cast<long>(flushed.size()), adds.end()));
      if (!flushed.empty()) break;
      base = log.snapshot();
    }
    remove_files(flushed);
    conflict();
  }

  void flush_early() {
    close_appender();
    for (auto& a : write_files("SELECT * FROM " + stage_name)) flushed.push_back(std::move(a));
    conn.execute("DELETE FROM " + stage_name);
    staged_rows = 0;
  }

  WriteResult delete_rows(const std::string& predicate) {
    for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
      base = log.snapshot();
      std::string scan = scan_sql(base, ctx.root_dir, {.with_filename = true});
      std::string count_sql = "SELECT filename, count(*) FROM (" + scan + ") WHERE (" + predicate + ") GROUP BY filename";
      query::check_read_only(conn, count_sql);
      query::Result matches = conn.execute(count_sql);
      if (matches.row_count() == 0) return {-1, 0, 0, 0};

      std::map<std::string, const AddFile*> by_path;
      for (const auto& f : base.files) by_path[(ctx.root_dir / f.path).string()] = &f;
      Commit commit;
      commit.info.operation = "DELETE";
      commit.info.operation_parameters = {{"predicate", predicate}};
      int64_t deleted = 0;
      std::vector<const AddFile*> rewrite;
      for (size_t i = 0; i < matches.row_count(); ++i) {
        const AddFile* f = by_path.at(matches.get_string(0, i));
        int64_t n = matches.get_int64(1, i);
        deleted += n;
        commit.removes.push_back(removal_of(*f));
        if (!f->stats || f->stats->num_records != n) rewrite.push_back(f);
      }
      std::vector<AddFile> written;
      if (!rewrite.empty()) {
        int64_t first_id = catalog.next_id("micro_partition", static_cast<int64_t>(rewrite.size()));
        std::string data_cols = column_names(data_columns);
        for (size_t i = 0; i < rewrite.size(); ++i) {
          const AddFile& old = *rewrite[i];
          int64_t id = first_id + static_cast<int64_t>(i);
          std::string folder = old.path.substr(0, old.path.rfind('/') + 1);
          AddFile add;
          add.path = (old.path.find('/') == std::string::npos ? "" : folder) + std::to_string(id) + ".parquet";
          std::string kept = "(SELECT " + data_cols + " FROM (" + scan_sql(only(old), ctx.root_dir) + ") WHERE (" +
                             predicate + ") IS NOT TRUE)";
          std::filesystem::path local = ctx.root_dir / add.path;
          query::Result copied = conn.execute("COPY " + kept + " TO " + query::quote_literal(local.string()) + " (FORMAT parquet)");
          add.partition_values = old.partition_values;
          add.size = static_cast<int64_t>(store.size(ctx.root_key + "/" + add.path));
          add.modification_time = now_ms();
          add.stats = compute_file_stats(conn, kept, data_columns);
          add.tags["micro_partition_id"] = std::to_string(id);
          if (add.stats->num_records == 0) {  // every row matched after all (no stats in the old file)
            store.remove(ctx.root_key + "/" + add.path);
            continue;
          }
          written.push_back(std::move(add));
        }
      }
      commit.adds = written;
      int64_t version = try_commit(commit);
      if (version >= 0) {
        return {version, deleted, static_cast<int64_t>(written.size()), static_cast<int64_t>(commit.removes.size())};
      }
      remove_files(written);
    }
    conflict();
  }
};

TableWriter::TableWriter(query::Database& engine, blob::BlobStore& store, catalog::Catalog& catalog,
                         TableContext context)
    : impl_(std::make_unique<Impl>(engine, store, catalog, std::move(context))) {}

TableWriter::~TableWriter() {
  try {
    impl_->appender.reset();
    impl_->conn.execute("DROP TABLE IF EXISTS " + impl_->stage_name + "; DROP TABLE IF EXISTS " + impl_->sorted_name);
  } catch (const std::exception& e) {
    log::warn(std::string("could not drop a writer's working tables: ") + e.what());
  }
}

void TableWriter::add(const ColumnBatch& batch) {
  impl_->ensure_stage();
  if (batch.schema != impl_->ctx.table.columns) {
    fail(ErrorCode::InvalidArgument, impl_->where() + ": the rows' columns do not match the table's columns");
  }
  if (!impl_->appender) impl_->appender.emplace(impl_->conn, impl_->stage_name);
  impl_->appender->append(batch);
  impl_->staged_rows += static_cast<int64_t>(batch.rows());
  impl_->total_rows += static_cast<int64_t>(batch.rows());
  if (impl_->staged_rows >= kFlushRows) impl_->flush_early();
}

void TableWriter::add_select(const std::string& select_sql) {
  impl_->ensure_stage();
  impl_->close_appender();
  query::Result r = impl_->conn.execute("INSERT INTO " + impl_->stage_name + " " + select_sql);
  int64_t n = r.row_count() > 0 ? r.get_int64(0, 0) : 0;
  impl_->staged_rows += n;
  impl_->total_rows += n;
  if (impl_->staged_rows >= kFlushRows) impl_->flush_early();
}

WriteResult TableWriter::commit_insert() { return impl_->insert(); }

WriteResult TableWriter::delete_where(const std::string& predicate) { return impl_->delete_rows(predicate); }

}  // namespace superstore::storage
