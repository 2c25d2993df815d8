#include "storage/regenerable_writer.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <system_error>
#include <thread>
#include <utility>

#include "common/error.h"
#include "storage/key_runs.h"
#include "storage/memory_budget.h"

namespace superstore::storage {
namespace {

// What pass one keeps of the rows of one run (consecutive rows from first_row; all of them unless the
// keys outgrow the write's share of FAKE_DATA_MEMORY).
struct Keys {
  uint64_t first_row = 0;
  std::vector<int32_t> partition;   // by row of the run
  ColumnBatch sort_keys;            // by row of the run, in sort-key order
  std::map<int32_t, int64_t> rows;  // rows by partition
};

// Bytes a run of keys takes for each row besides its key values: its partition number, its place in its
// partition's sorted rows and, while partitions are sorted (sort_packed), two items of packed keys.
int64_t bytes_per_row_besides_keys(size_t sort_keys) {
  return static_cast<int64_t>(sizeof(int32_t) + sizeof(uint64_t) +
                              (sort_keys <= 2 ? 2 * (sort_keys + 1) * sizeof(uint64_t) : 0));
}

// The bytes a run's rows hold now.
int64_t run_bytes(const Keys& keys) {
  const size_t n = keys.partition.size();
  size_t bytes = n * static_cast<size_t>(bytes_per_row_besides_keys(keys.sort_keys.columns.size()));
  for (const auto& c : keys.sort_keys.columns) {
    bytes += n * sizeof(int64_t) + (c.type() == ColumnType::String ? c.chars_size() : 0) + (c.has_nulls() ? n : 0);
  }
  return static_cast<int64_t>(bytes);
}

// Raw bytes of an average row (raw_size), measured on a sample of rows spread evenly over the source,
// since pass one reads only the keys.
double raw_bytes_per_row(const FileWriterSetup& s, const RegenerableRows& source) {
  const uint64_t n = std::min(source.rows, RegenerableRows::kSizeSampleRows);
  if (n == 0) return 0;
  std::vector<uint64_t> indices(n);
  for (uint64_t i = 0; i < n; ++i) indices[i] = i * (source.rows / n) + i * (source.rows % n) / n;
  const ColumnBatch sample = source.fetch(indices);
  if (sample.schema != s.ctx.table.columns || sample.rows() != n) {
    fail(ErrorCode::Internal, "table '" + s.ctx.table.name + "': the source gave other rows than asked for");
  }
  return raw_size(sample) / static_cast<double>(n);
}

// Compares rows a and b of one key column as DuckDB's ORDER BY does: ascending, nulls last, NaN above
// every number, strings byte by byte.
int compare_at(const Column& c, uint64_t a, uint64_t b) {
  const bool null_a = c.is_null(a), null_b = c.is_null(b);
  if (null_a || null_b) return null_a == null_b ? 0 : (null_a ? 1 : -1);
  switch (c.type()) {
    case ColumnType::String:
      return c.string_at(a).compare(c.string_at(b));
    case ColumnType::Float64: {
      const double x = c.double_at(a), y = c.double_at(b);
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) == std::isnan(y) ? 0 : (std::isnan(x) ? 1 : -1);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    default: {
      const int64_t x = c.int_at(a), y = c.int_at(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
  }
}

// Sorts row numbers, given in ascending order, by K integer-like key columns without nulls (ids,
// timestamps, dates: the usual sort keys) and then by row number. (keys, row) tuples are sorted by a
// least-significant-digit radix sort: each key becomes its offset from the key's least value, and
// stable passes over 11-bit digits, last key first, leave ties in row order. Only the digits that some
// offset uses take a pass, so a year of microsecond timestamps takes five.
template <size_t K>
void sort_packed(std::vector<uint64_t>& rows, const ColumnBatch& keys) {
  struct Item {
    std::array<uint64_t, K> key;  // offsets from the least values
    uint64_t row;
  };
  const size_t n = rows.size();
  if (n < 2) return;
  std::vector<Item> items(n);
  std::array<int64_t, K> lo, hi;
  lo.fill(std::numeric_limits<int64_t>::max());
  hi.fill(std::numeric_limits<int64_t>::min());
  bool sorted = true;  // keys already in order (ids, typically)
  for (size_t i = 0; i < n; ++i) {
    items[i].row = rows[i];
    bool same = true, after = false;  // keys equal to, or after, the previous row's (as signed values)
    for (size_t k = 0; k < K; ++k) {
      const int64_t v = keys[k].int_at(rows[i]);
      lo[k] = std::min(lo[k], v);
      hi[k] = std::max(hi[k], v);
      if (i > 0 && same) {
        const auto before = static_cast<int64_t>(items[i - 1].key[k]);
        after = v > before;
        same = v == before;
      }
      items[i].key[k] = static_cast<uint64_t>(v);
    }
    sorted = sorted && (i == 0 || same || after);
  }
  if (sorted) return;
  std::array<uint64_t, K> span;
  for (size_t k = 0; k < K; ++k) span[k] = static_cast<uint64_t>(hi[k]) - static_cast<uint64_t>(lo[k]);
  for (Item& item : items) {
    for (size_t k = 0; k < K; ++k) item.key[k] -= static_cast<uint64_t>(lo[k]);
  }
  constexpr unsigned kDigitBits = 11;
  constexpr size_t kDigits = size_t{1} << kDigitBits;
  std::vector<Item> other(n);
  std::vector<size_t> starts(kDigits);
  for (size_t k = K; k-- > 0;) {
    for (unsigned shift = 0; shift < 64 && (span[k] >> shift) != 0; shift += kDigitBits) {
      std::fill(starts.begin(), starts.end(), 0);
      for (const Item& item : items) ++starts[(item.key[k] >> shift) & (kDigits - 1)];
      if (starts[(items[0].key[k] >> shift) & (kDigits - 1)] == n) continue;  // one digit value: in order
      size_t at = 0;
      for (size_t& start : starts) at += std::exchange(start, at);
      for (const Item& item : items) other[starts[(item.key[k] >> shift) & (kDigits - 1)]++] = item;
      items.swap(other);
    }
  }
  for (size_t i = 0; i < n; ++i) rows[i] = items[i].row;
}

// The row numbers of each partition (indexed by partition number), sorted by the sort keys and then by
// row number, which makes the order total and the files reproducible. Partitions are sorted side by side.
std::vector<std::vector<uint64_t>> sorted_rows(const Keys& keys, unsigned threads) {
  std::vector<std::vector<uint64_t>> rows;
  for (const auto& [n, count] : keys.rows) {
    if (static_cast<size_t>(n) >= rows.size()) rows.resize(static_cast<size_t>(n) + 1);
    rows[static_cast<size_t>(n)].reserve(static_cast<size_t>(count));
  }
  for (uint64_t i = 0; i < keys.partition.size(); ++i) rows[static_cast<size_t>(keys.partition[i])].push_back(i);
  if (keys.sort_keys.columns.empty()) return rows;  // row order already
  auto before = [&](uint64_t a, uint64_t b) {
    for (const auto& c : keys.sort_keys.columns) {
      if (int d = compare_at(c, a, b)) return d < 0;
    }
    return a < b;
  };
  bool packable = keys.sort_keys.columns.size() <= 2;
  for (const auto& c : keys.sort_keys.columns) {
    packable = packable && !c.has_nulls() && c.type() != ColumnType::String && c.type() != ColumnType::Float64;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t p; (p = next.fetch_add(1)) < rows.size();) {
      if (!packable) {
        std::sort(rows[p].begin(), rows[p].end(), before);
      } else if (keys.sort_keys.columns.size() == 1) {
        sort_packed<1>(rows[p], keys.sort_keys);
      } else {
        sort_packed<2>(rows[p], keys.sort_keys);
      }
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads: the others sort the rest
    }
  }
  work();
  for (auto& t : helpers) t.join();
  return rows;
}

// The least share of FAKE_DATA_MEMORY a write's keys get, even past the total: runs smaller than this
// would only multiply the runs to merge.
constexpr int64_t kLeastKeyBytes = 1 << 20;

std::filesystem::path spill_dir(const FileWriterSetup& s) {
  return s.ctx.temp_dir.empty() ? std::filesystem::temp_directory_path() : s.ctx.temp_dir;
}

// Writes a run's keys, sorted, to the spill file and empties the run, keeping its buffers.
void spill(Keys& run, SpilledRuns& spilled, unsigned threads) {
  {
    const std::vector<std::vector<uint64_t>> rows = sorted_rows(run, threads);
    std::string key;
    for (const auto& [n, count] : run.rows) {
      spilled.begin_partition(n);
      for (uint64_t r : rows[static_cast<size_t>(n)]) {
        key.clear();
        append_sort_key(run.sort_keys, r, key);
        spilled.add(key, run.first_row + r);
      }
    }
    spilled.end_run();
  }
  run.first_row += run.partition.size();
  run.partition.clear();
  for (auto& c : run.sort_keys.columns) c.clear();
  run.rows.clear();
}

// Pass one: the keys of every row, in one run held in memory while they fit in `share` bytes, else in
// sorted runs spilled to `spilled` (made on the first spill). `counts` gets every partition's rows.
Keys read_keys(const FileWriterSetup& s, PartitionIndex& partitions, const RegenerableRows& source, BudgetShare& share,
               unsigned threads, std::unique_ptr<SpilledRuns>& spilled, std::map<int32_t, int64_t>& counts) {
  const auto& columns = s.ctx.table.columns;
  const auto& t = s.ctx.table;
  // Only the partition and sort keys are read, in table order.
  std::vector<std::string> names;
  std::vector<ColumnDef> read;
  for (const auto& c : columns) {
    if (std::find(t.partition_keys.begin(), t.partition_keys.end(), c.name) != t.partition_keys.end() ||
        std::find(t.sort_keys.begin(), t.sort_keys.end(), c.name) != t.sort_keys.end()) {
      names.push_back(c.name);
      read.push_back(c);
    }
  }
  // A table without partition or sort keys still needs its rows counted: the first column carries them.
  if (names.empty() && !columns.empty()) {
    names.push_back(columns.front().name);
    read.push_back(columns.front());
  }
  std::vector<ColumnDef> key_defs;
  std::vector<size_t> key_at;  // in `read`
  for (const auto& k : t.sort_keys) {
    for (size_t i = 0; i < read.size(); ++i) {
      if (read[i].name == k) key_defs.push_back(read[i]), key_at.push_back(i);
    }
  }
  Keys keys;
  keys.sort_keys = ColumnBatch(key_defs);
  // Room for the rows the share holds at most (all of them, usually), so that the buffers never grow.
  const int64_t per_row = bytes_per_row_besides_keys(key_defs.size()) + 8 * static_cast<int64_t>(key_defs.size());
  const auto room =
      static_cast<size_t>(std::min<uint64_t>(source.rows, static_cast<uint64_t>(share.bytes() / per_row) + 1));
  keys.partition.reserve(room);
  for (auto& c : keys.sort_keys.columns) c.reserve(room);
  uint64_t seen = 0;
  source.scan(names, [&](const ColumnBatch& batch) {
    if (batch.schema != read) {
      fail(ErrorCode::InvalidArgument,
           "table '" + t.name + "': the rows' columns do not match the table's partition and sort keys");
    }
    if (batch.rows() == 0) return;
    std::vector<int32_t> numbers = partitions.number_rows(batch);
    for (int32_t n : numbers) ++keys.rows[n];
    keys.partition.insert(keys.partition.end(), numbers.begin(), numbers.end());
    for (size_t k = 0; k < key_at.size(); ++k) keys.sort_keys[k].append(batch[key_at[k]]);
    seen += batch.rows();
    if (seen == source.rows) return;
    const int64_t held = run_bytes(keys);
    if (held >= share.bytes()) {
      // Strings longer than guessed: what the rest needs at this run's average, if the budget has it.
      const auto run_rows = static_cast<int64_t>(keys.partition.size());
      share.grow(held - share.bytes() + static_cast<int64_t>(source.rows - seen) * (held / run_rows + 1));
    }
    if (held >= share.bytes()) {
      if (!spilled) spilled = std::make_unique<SpilledRuns>(spill_dir(s));
      for (const auto& [n, count] : keys.rows) counts[n] += count;
      spill(keys, *spilled, threads);
    }
  });
  if (seen != source.rows) {
    fail(ErrorCode::Internal, "table '" + t.name + "': the source gave " + std::to_string(seen) + " rows, not " +
                                  std::to_string(source.rows));
  }
  for (const auto& [n, count] : keys.rows) counts[n] += count;
  if (spilled && !keys.partition.empty()) spill(keys, *spilled, threads);
  return keys;
}

struct FilePlan {
  int32_t partition;
  int64_t begin, end;  // in the partition's sorted rows
};

}  // namespace

std::vector<AddFile> write_regenerable(const FileWriterSetup& s, PartitionIndex& partitions,
                                       const RegenerableRows& source) {
  const int engine_threads = s.engine.options().threads;
  const unsigned threads =
      engine_threads > 0 ? static_cast<unsigned>(engine_threads) : std::max(1u, std::thread::hardware_concurrency());
  // The keys' share of FAKE_DATA_MEMORY, taken for the whole write: what all its keys need if that is
  // left, else what is left, but at least a small run's worth so that every write makes progress.
  const size_t key_count = s.ctx.table.sort_keys.size();
  const int64_t wanted = static_cast<int64_t>(source.rows) *
                         (bytes_per_row_besides_keys(key_count) + 8 * static_cast<int64_t>(key_count) + 1);
  static MemoryBudget unlimited(INT64_MAX);
  BudgetShare share(s.ctx.key_memory ? *s.ctx.key_memory : unlimited, wanted, std::min(wanted, kLeastKeyBytes));
  std::unique_ptr<SpilledRuns> spilled;
  std::map<int32_t, int64_t> counts;
  Keys keys = read_keys(s, partitions, source, share, threads, spilled, counts);
  const double row_bytes = raw_bytes_per_row(s, source);
  // Without a spill, every partition's rows are sorted here; with one, they are merged as files need them.
  // Either way the keys themselves are needed no more.
  std::vector<std::vector<uint64_t>> rows;
  if (!spilled) rows = sorted_rows(keys, threads);
  keys = Keys{};

  // Files in partition-value order, as write_micro_partitions numbers them.
  std::vector<int32_t> numbers;
  for (const auto& [n, count] : counts) numbers.push_back(n);
  std::sort(numbers.begin(), numbers.end(),
            [&](int32_t a, int32_t b) { return partitions.values(a) < partitions.values(b); });
  std::vector<FilePlan> files;
  for (int32_t n : numbers) {
    const int64_t count = counts.at(n);
    const int64_t per_file = rows_per_file(count, row_bytes * static_cast<double>(count), s.ctx.target_file_bytes);
    for (int64_t begin = 0; begin < count; begin += per_file)
      files.push_back({n, begin, std::min(count, begin + per_file)});
    create_folders(s.ctx.root_dir / partition_folder(s, partitions.values(n)));
  }
  if (files.empty()) return {};
  const int64_t first_id = s.reserve_ids(static_cast<int64_t>(files.size()));

  std::vector<AddFile> out(files.size());
  RemoveUnlessKept written(s.store, s.ctx.root_key, out);
  auto write_file = [&](query::Connection& c, size_t j, std::span<const uint64_t> indices) {
    const FilePlan& f = files[j];
    ColumnBatch fetched = source.fetch(indices);
    if (fetched.schema != s.ctx.table.columns || fetched.rows() != indices.size()) {
      fail(ErrorCode::Internal, "table '" + s.ctx.table.name + "': the source gave other rows than asked for");
    }
    ColumnBatch data;  // the columns stored in the file: partition columns live in folder names
    data.schema = s.data_columns;
    for (const auto& def : s.data_columns)
      data.columns.push_back(std::move(fetched.columns[fetched.index_of(def.name)]));
    out[j] = write_batch_file(s, c, first_id + static_cast<int64_t>(j), partitions.values(f.partition), data);
  };
  std::mutex merge_mutex;
  size_t next_merged = 0;  // files are merged in order, whichever connection takes them
  auto run = [&](const std::function<void(query::Connection&, size_t)>& job) {
    if (!s.ctx.file_engine) return run_on_connections(s, files.size(), job);
    run_on_connections(s.ctx.file_engine(), nullptr, engine_workers(s.engine), files.size(), job);
  };
  run([&](query::Connection& c, size_t j) {
    if (!spilled) {
      const FilePlan& f = files[j];
      const auto& mine = rows[static_cast<size_t>(f.partition)];
      write_file(c, j, std::span<const uint64_t>(mine.data() + f.begin, static_cast<size_t>(f.end - f.begin)));
      return;
    }
    std::vector<uint64_t> indices;
    {
      std::lock_guard lock(merge_mutex);
      j = next_merged++;
      const FilePlan& f = files[j];
      indices.reserve(static_cast<size_t>(f.end - f.begin));
      spilled->take(f.partition, f.end - f.begin, static_cast<size_t>(share.bytes()), indices);
    }
    write_file(c, j, indices);
  });
  written.keep();
  return out;
}

}  // namespace superstore::storage
