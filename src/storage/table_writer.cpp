#include "storage/table_writer.h"

#include <map>
#include <optional>
#include <set>

#include "common/error.h"
#include "common/log.h"
#include "query/appender.h"
#include "query/batch_reader.h"
#include "query/database.h"
#include "storage/file_cache.h"
#include "storage/file_writer.h"
#include "storage/partition_index.h"
#include "storage/regenerable_writer.h"
#include "storage/scan_sql.h"
#include "storage/streamed_files.h"
#include "storage/write_base.h"

namespace superstore::storage {
namespace {

// Staged rows are clustered by partition before writing when there are more partitions than this and
// more rows (see TableWriter::Impl::staged): below, filtering the unclustered rows costs less than a sort.
constexpr size_t kClusterAbovePartitions = 16;
constexpr int64_t kClusterAboveRows = 100'000;

}  // namespace

// The insert half: rows are staged in a working table, then written and committed (see table_writer.h).
struct TableWriter::Impl : WriteBase {
  int64_t staged_rows = 0;
  int64_t total_rows = 0;
  std::vector<AddFile> flushed;  // files written by earlier flushes of a very large insert
  bool committed = false;        // else the destructor removes `flushed`: nothing will refer to them
  bool started = false;
  // Staged rows carry their partition's number in column ss_part (see partition_index.h). Working
  // tables are named per writer, so writers sharing the engine never meet.
  std::string stage_name = "ss_stage_" + writer_id, clustered_name = "ss_clustered_" + writer_id;
  std::optional<query::Appender> appender;                     // open while batches stream in; closed before other SQL
  std::map<int32_t, std::pair<int64_t, double>> staged_sizes;  // rows and raw bytes added as batches

  using WriteBase::WriteBase;

  void start() {
    if (started) return;
    std::string cols;
    for (const auto& c : ctx.table.columns) {
      cols += query::quote_identifier(c.name) + " " + std::string(duckdb_type_name(c.type)) + ", ";
    }
    conn.execute("CREATE TABLE " + stage_name + " (" + cols + "ss_part INTEGER)");
    base = latest();
    started = true;
  }

  void add(const ColumnBatch& batch) {
    std::vector<int32_t> n = partitions.number_rows(batch);
    ColumnBatch numbers({{"ss_part", ColumnType::Int32}});
    numbers[0].reserve(n.size());
    for (int32_t v : n) numbers[0].push_int(v);
    if (!appender) appender.emplace(conn, stage_name);
    appender->append(batch, &numbers);
    // Sizes per partition, the bytes pro rata: exact enough to choose file counts.
    std::vector<int64_t> rows_of;
    for (int32_t v : n) {
      if (static_cast<size_t>(v) >= rows_of.size()) rows_of.resize(static_cast<size_t>(v) + 1);
      ++rows_of[static_cast<size_t>(v)];
    }
    const double per_row = n.empty() ? 0 : raw_size(batch) / static_cast<double>(n.size());
    for (size_t v = 0; v < rows_of.size(); ++v) {
      if (rows_of[v] == 0) continue;
      auto& [rows, bytes] = staged_sizes[static_cast<int32_t>(v)];
      rows += rows_of[v];
      bytes += per_row * static_cast<double>(rows_of[v]);
    }
  }

  void close_appender() {
    if (!appender) return;
    appender->close();
    appender.reset();
  }

  // The staged rows, per partition. With many partitions the rows are first clustered by partition (one
  // parallel sort), so that each partition's scan skips the others' row groups: a filtered scan of an
  // unclustered table still reads every string of every row, once per partition.
  std::vector<PartitionRows> staged() {
    close_appender();
    std::set<int32_t> numbers;
    int64_t rows = 0;
    for (const auto& [n, size] : staged_sizes) {
      numbers.insert(n);
      rows += size.first;
    }
    std::string from = stage_name;
    if (numbers.size() > kClusterAbovePartitions && rows > kClusterAboveRows) {
      conn.execute("CREATE OR REPLACE TABLE " + clustered_name + " AS SELECT * FROM " + stage_name +
                   " ORDER BY ss_part");
      from = clustered_name;
    }
    std::vector<PartitionRows> out;
    for (int32_t n : numbers) {
      const auto& [rows_of, bytes_of] = staged_sizes.at(n);
      out.push_back({n, "SELECT * EXCLUDE (ss_part) FROM " + from + " WHERE ss_part = " + std::to_string(n), from,
                     rows_of, bytes_of});
    }
    return out;
  }

  void clear_staged() {
    close_appender();
    conn.execute("DELETE FROM " + stage_name + "; DROP TABLE IF EXISTS " + clustered_name);
    staged_sizes.clear();
  }

  // The newest small file of every partition the staged rows go to: merged with them and replaced, so
  // a stream of small inserts does not leave a stream of tiny files.
  std::vector<AddFile> merge_candidates(const std::vector<PartitionRows>& staged_parts) {
    std::map<PartitionValues, const AddFile*> newest;
    for (const auto& f : base.files) {
      if (f.size >= ctx.target_file_bytes / 2) continue;
      auto& slot = newest[f.partition_values];
      // Ids grow with time, so the highest id is the newest file.
      if (!slot || micro_partition_id(f) > micro_partition_id(*slot)) slot = &f;
    }
    if (newest.empty()) return {};
    std::set<PartitionValues> touched;
    for (const auto& rows : staged_parts) touched.insert(partitions.values(rows.number));
    std::vector<AddFile> out;
    for (const auto& [values, file] : newest) {
      if (touched.count(values)) out.push_back(*file);
    }
    return out;
  }

  // Writes the rows as micro-partitions; returns their add actions.
  std::vector<AddFile> write_files(const std::vector<PartitionRows>& rows) {
    return write_micro_partitions(setup(), rows);
  }

  WriteResult insert() {
    start();
    const std::vector<PartitionRows> staged_parts = staged();
    struct DropClustered {  // once this insert is done, whatever its outcome
      Impl& self;
      ~DropClustered() {
        try {
          self.conn.execute("DROP TABLE IF EXISTS " + self.clustered_name);
        } catch (...) {  // the destructor drops it again
        }
      }
    } drop_clustered{*this};
    for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
      std::vector<AddFile> merged = flushed.empty() ? merge_candidates(staged_parts) : std::vector<AddFile>{};
      std::vector<PartitionRows> sources = staged_parts;
      const auto local_copies = ctx.remote && !merged.empty() ? ctx.remote->fetch(ctx.root_key, merged) : nullptr;
      for (const auto& f : merged) {
        sources.push_back({partitions.number_of(f.partition_values), scan_sql(only(f), ctx.root_dir), "", -1, 0});
      }
      std::vector<AddFile> adds = flushed;
      for (auto& a : write_files(sources)) adds.push_back(std::move(a));
      if (adds.empty()) return {base.version, 0, 0, 0};  // nothing to insert: no new version

      Commit commit;
      commit.info.operation = "WRITE";
      commit.info.operation_parameters = {{"mode", "Append"}};
      commit.info.is_blind_append = merged.empty();
      for (const auto& f : merged) commit.removes.push_back(removal_of(f));
      commit.adds = adds;
      // A commit that fails (a full disk) takes this attempt's files with it; `flushed` goes with the writer.
      const std::vector<AddFile> mine(adds.begin() + static_cast<long>(flushed.size()), adds.end());
      RemoveUnlessKept unless_committed(store, ctx.root_key, mine);
      int64_t version = try_commit(commit);
      if (version >= 0) {
        unless_committed.keep();
        committed = true;
        return {version, total_rows, static_cast<int64_t>(adds.size()), static_cast<int64_t>(merged.size())};
      }
      // Lost to a writer that replaced a file this write merged: the staged rows are intact, so redo
      // the write against the newer table (only possible while nothing was flushed early).
      remove_files(std::vector<AddFile>(adds.begin() + static_cast<long>(flushed.size()), adds.end()));
      if (!flushed.empty()) break;
      base = latest();
    }
    remove_files(flushed);
    conflict();
  }

  void flush_early() {
    for (auto& a : write_files(staged())) flushed.push_back(std::move(a));
    clear_staged();
    staged_rows = 0;
  }
};

TableWriter::TableWriter(query::Database& engine, blob::BlobStore& store, catalog::Catalog& catalog,
                         TableContext context)
    : impl_(std::make_unique<Impl>(engine, store, catalog, std::move(context))) {}

TableWriter::~TableWriter() {
  if (!impl_->committed) {
    try {
      impl_->remove_files(impl_->flushed);
    } catch (const std::exception& e) {
      log::warn(std::string("could not remove the files of a write that failed: ") + e.what());
    }
  }
  try {
    impl_->appender.reset();
    impl_->conn.execute("DROP TABLE IF EXISTS " + impl_->stage_name + "; DROP TABLE IF EXISTS " +
                        impl_->clustered_name);
  } catch (const std::exception& e) {
    log::warn(std::string("could not drop a writer's working tables: ") + e.what());
  }
}

void TableWriter::add(const ColumnBatch& batch) {
  impl_->start();
  if (batch.schema != impl_->ctx.table.columns) {
    fail(ErrorCode::InvalidArgument, impl_->where() + ": the rows' columns do not match the table's columns");
  }
  impl_->add(batch);
  impl_->staged_rows += static_cast<int64_t>(batch.rows());
  impl_->total_rows += static_cast<int64_t>(batch.rows());
  if (impl_->staged_rows >= kFlushRows) impl_->flush_early();
}

void TableWriter::add_regenerable(const RegenerableRows& rows, uint64_t max_rows) {
  impl_->start();
  if (rows.rows > max_rows) {
    std::vector<std::string> all;
    for (const auto& c : impl_->ctx.table.columns) all.push_back(c.name);
    rows.scan(all, [this](const ColumnBatch& batch) { add(batch); });
    return;
  }
  for (auto& f : write_regenerable(impl_->setup(), impl_->partitions, rows)) impl_->flushed.push_back(std::move(f));
  impl_->total_rows += static_cast<int64_t>(rows.rows);
}

void TableWriter::add_select(query::Connection& reader, const std::string& select_sql, int64_t held_bytes) {
  bool given = false;
  add_selects(
      reader,
      [&]() -> std::optional<std::string> {
        if (given) return std::nullopt;
        given = true;
        return select_sql;
      },
      held_bytes);
}

void TableWriter::add_selects(query::Connection& reader, const std::function<std::optional<std::string>()>& next,
                              int64_t held_bytes) {
  // Each statement's rows in turn, as if one statement gave them all.
  auto read_all = [&](auto& into, auto&& after_chunk) {
    while (const std::optional<std::string> sql = next()) query::read_batches(reader, *sql, into, after_chunk);
  };
  impl_->start();
  const std::vector<ColumnDef>& columns = impl_->ctx.table.columns;
  if (impl_->ctx.table.sort_keys.empty()) {
    // No order to make: files are written as the rows arrive (streamed_files.h), and a failure part-way
    // removes them with the StreamedFiles.
    StreamedFiles files(impl_->setup(), impl_->partitions, held_bytes);
    read_all(files.incoming(), [&](ColumnBatch&) { files.took_rows(); });
    if (files.fits_one_file()) {
      for (ColumnBatch* rows : files.held()) add(*rows);
      return;
    }
    for (auto& f : files.finish()) {
      impl_->total_rows += f.stats ? f.stats->num_records : 0;
      impl_->flushed.push_back(std::move(f));
    }
    return;
  }
  // Rows are held in C++ up to about `held_bytes` and written from there as regenerable rows (sorted in
  // C++, measured in C++, handed to DuckDB's Parquet writer by a batch scan): no working table, no SQL
  // pass for the statistics. Fewer rows than one file are staged instead, so that a stream of small
  // imports is merged into the newest small file like other small inserts.
  ColumnBatch held(columns);
  const size_t flushed_before = impl_->flushed.size();
  auto write_held = [&] {
    const ColumnBatch& rows = held;
    RegenerableRows source;
    source.rows = rows.rows();
    source.scan = [&rows](const std::vector<std::string>& names, const RegenerableRows::Consumer& consume) {
      ColumnBatch keys;
      for (const auto& name : names) {
        const size_t at = rows.index_of(name);
        keys.schema.push_back(rows.schema[at]);
        keys.columns.push_back(rows.columns[at]);
      }
      consume(keys);
    };
    source.fetch = [&rows](std::span<const uint64_t> indices) { return rows.take(indices); };
    add_regenerable(source, UINT64_MAX);
    for (auto& c : held.columns) c.clear();  // the next round reuses the buffers and their pages
  };
  // Once a round has grown past a sixty-fourth of its size, its columns get room for the whole round
  // (estimated from the rows so far): growing them value by value would copy them about once more and
  // fault in twice their pages. Small imports never reach this.
  bool reserved = false;
  auto reserve_round = [&](const ColumnBatch& rows) {
    const auto so_far = static_cast<double>(rows.rows());
    const double ratio = static_cast<double>(held_bytes) / raw_size(rows) * 1.05;
    for (auto& c : held.columns) {
      c.reserve(static_cast<size_t>(so_far * ratio));
      if (c.type() == ColumnType::String)
        c.reserve_chars(static_cast<size_t>(static_cast<double>(c.chars_size()) * ratio));
    }
    reserved = true;
  };
  try {
    read_all(held, [&](ColumnBatch& rows) {
      const double size = raw_size(rows);
      if (!reserved && size >= static_cast<double>(held_bytes) / 64) reserve_round(rows);
      if (size >= static_cast<double>(held_bytes)) write_held();
    });
    if (held.rows() == 0) return;
    const bool one_file = impl_->flushed.size() == flushed_before &&
                          rows_per_file(static_cast<int64_t>(held.rows()), raw_size(held),
                                        impl_->ctx.target_file_bytes) >= static_cast<int64_t>(held.rows());
    one_file ? add(held) : write_held();
  } catch (...) {
    // Files this import wrote before it failed are never committed.
    impl_->remove_files(
        std::vector<AddFile>(impl_->flushed.begin() + static_cast<long>(flushed_before), impl_->flushed.end()));
    impl_->flushed.resize(flushed_before);
    throw;
  }
}

WriteResult TableWriter::commit_insert() { return impl_->insert(); }

WriteResult TableWriter::delete_where(const std::string& predicate) { return delete_rows(*impl_, predicate); }

WriteResult TableWriter::replace_regenerable(const RegenerableChange& change) { return replace_rows(*impl_, change); }

WriteResult TableWriter::optimize() { return optimize_files(*impl_); }

WriteResult TableWriter::restore(int64_t version) { return restore_files(*impl_, version); }

}  // namespace superstore::storage
