#include "storage/streamed_files.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <system_error>
#include <thread>
#include <utility>

#include "common/error.h"
#include "common/log.h"

namespace superstore::storage {
namespace {

// One file's rows, handed to the writers.
struct Job {
  int64_t id = 0;
  PartitionValues values;
  ColumnBatch rows;
  size_t slot = 0;  // in Impl::files
};

}  // namespace

struct StreamedFiles::Impl {
  const FileWriterSetup s;
  PartitionIndex& partitions;
  const int64_t held_bytes;
  const bool partitioned;
  ColumnBatch split;  // partitioned tables: the rows read, before they go to their partitions
  struct Held {
    ColumnBatch rows;
    double raw = 0;         // raw_size(rows)
    bool reserved = false;  // its first batch got room for a file (took)
  };
  std::map<int32_t, Held> held;  // by partition number; nodes stay put, so incoming() may point into one
  double held_raw = 0;
  bool handed_out = false;  // a file was given to the writers
  bool finished = false;    // finish() gave the files to the caller

  // Shared with the writers, under `mutex`.
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Job> queue;
  std::vector<ColumnBatch> spare;  // batches the writers are done with, their buffers kept for reuse
  std::vector<AddFile> files;      // by slot; a file not yet written has no path
  size_t in_flight = 0;            // jobs queued or being written
  size_t max_in_flight = 1;
  bool stopping = false;
  std::exception_ptr error;
  std::vector<std::thread> writers;

  Impl(const FileWriterSetup& setup, PartitionIndex& p, int64_t bytes)
      : s(setup), partitions(p), held_bytes(bytes), partitioned(!setup.partition_columns.empty()) {
    const size_t count = engine_workers(s.engine);
    // One job waiting for the next free writer keeps them busy without holding many files' rows.
    max_in_flight = count + 1;
    for (size_t w = 0; w < count; ++w) {
      try {
        writers.emplace_back([this] { write_loop(); });
      } catch (const std::system_error&) {
        if (writers.empty()) throw;
        break;  // no more threads: fewer writers
      }
    }
    if (partitioned) split = ColumnBatch(s.ctx.table.columns);
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
      queue.clear();
    }
    changed.notify_all();
    for (auto& t : writers) t.join();
    if (finished) return;
    RemoveUnlessKept remove(s.store, s.ctx.root_key, files);
  }

  Held& partition(int32_t n) {
    auto [it, added] = held.try_emplace(n);
    if (added) it->second.rows = ColumnBatch(s.ctx.table.columns);
    return it->second;
  }

  void write_loop() {
    try {
      // The file engine when there is one: on an engine of several threads each COPY hands its row
      // groups to a worker while this thread waits on the task queue (see TableContext::file_engine).
      query::Connection c(s.ctx.file_engine ? s.ctx.file_engine() : s.engine);
      for (;;) {
        Job job;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return stopping || !queue.empty(); });
          if (queue.empty()) return;
          job = std::move(queue.front());
          queue.pop_front();
        }
        AddFile add;
        try {
          add = write(c, job);
        } catch (...) {
          std::lock_guard lock(mutex);
          if (!error) error = std::current_exception();
          stopping = true;
          queue.clear();
        }
        for (auto& column : job.rows.columns) column.clear();
        {
          std::lock_guard lock(mutex);
          if (!add.path.empty()) files[job.slot] = std::move(add);
          spare.push_back(std::move(job.rows));
          --in_flight;
        }
        changed.notify_all();
      }
    } catch (...) {  // no connection: the reader learns it at its next batch
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
      stopping = true;
    }
    changed.notify_all();
  }

  // Writes and measures one file; its columns go back into job.rows for reuse.
  AddFile write(query::Connection& c, Job& job) {
    ColumnBatch data;  // the columns stored in the file: partition columns live in folder names
    data.schema = s.data_columns;
    std::vector<size_t> from;
    for (const auto& def : s.data_columns) {
      from.push_back(job.rows.index_of(def.name));
      data.columns.push_back(std::move(job.rows.columns[from.back()]));
    }
    struct GiveBack {  // the buffers return to job.rows whatever happens
      ColumnBatch& data;
      Job& job;
      const std::vector<size_t>& from;
      ~GiveBack() {
        for (size_t i = 0; i < from.size(); ++i) job.rows.columns[from[i]] = std::move(data.columns[i]);
      }
    } give_back{data, job, from};
    return write_batch_file(s, c, job.id, job.values, data);
  }

  void rethrow_failure() {
    std::lock_guard lock(mutex);
    if (error) std::rethrow_exception(error);
  }

  // Gives partition n's rows to the writers (waiting while they have enough to do) and empties them.
  void hand_out(int32_t n) {
    Held& h = held.at(n);
    if (h.rows.rows() == 0) return;
    const PartitionValues& values = partitions.values(n);
    create_folders(s.ctx.root_dir / partition_folder(s, values));
    Job job;
    job.id = s.reserve_ids(1);
    job.values = values;
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return error || in_flight < max_in_flight; });
    if (error) std::rethrow_exception(error);
    if (!spare.empty()) {
      job.rows = std::move(spare.back());
      spare.pop_back();
    } else {
      job.rows = ColumnBatch(s.ctx.table.columns);
      reserve_like(job.rows, h.rows, 1.05);
    }
    std::swap(job.rows, h.rows);  // the held batch keeps its identity, now empty
    job.slot = files.size();
    files.emplace_back();
    queue.push_back(std::move(job));
    ++in_flight;
    handed_out = true;
    lock.unlock();
    changed.notify_all();
    held_raw -= h.raw;
    h.raw = 0;
  }

  // Hands out partition n's rows once they make a file. Rows that overshot the target by more than a
  // file (a target below one chunk of rows, as tests set) are cut into files of the target's rows first,
  // and the rest stays held.
  void hand_out_when_full(int32_t n) {
    Held& h = held.at(n);
    if (!makes_a_file(h.raw)) return;
    const uint64_t rows = h.rows.rows();
    const double row_bytes = h.raw * kAssumedParquetRatio / static_cast<double>(rows);
    const uint64_t per =
        std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(s.ctx.target_file_bytes) / row_bytes));
    if (rows < 2 * per) return hand_out(n);
    const ColumnBatch all = std::move(h.rows);
    std::vector<uint64_t> picked;
    for (uint64_t begin = 0; begin < rows; begin += per) {
      picked.resize(std::min(per, rows - begin));
      std::iota(picked.begin(), picked.end(), begin);
      h.rows = all.take(picked);
      took(h);
      if (picked.size() == per) hand_out(n);
    }
  }

  // Whether `raw` bytes of rows make a file of the target size (Parquet's usual ratio assumed).
  bool makes_a_file(double raw) const {
    return raw * kAssumedParquetRatio >= static_cast<double>(s.ctx.target_file_bytes);
  }

  void took(Held& h) {
    const double raw = raw_size(h.rows);
    held_raw += raw - h.raw;
    h.raw = raw;
    // Once a partition's first batch holds a sixteenth of a file, its columns get room for the whole file
    // (estimated from the rows so far), so that they never grow by copying; the batches that follow get
    // the room of the one before them (hand_out), and reused ones keep theirs.
    const double file_raw = static_cast<double>(s.ctx.target_file_bytes) / kAssumedParquetRatio;
    if (h.reserved || raw < file_raw / 16) return;
    reserve_like(h.rows, h.rows, file_raw / raw * 1.05);
    h.reserved = true;
  }

  static void reserve_like(ColumnBatch& batch, const ColumnBatch& model, double ratio) {
    for (size_t i = 0; i < batch.columns.size(); ++i) {
      const Column& m = model.columns[i];
      batch.columns[i].reserve(static_cast<size_t>(static_cast<double>(m.size()) * ratio));
      if (m.type() == ColumnType::String)
        batch.columns[i].reserve_chars(static_cast<size_t>(static_cast<double>(m.chars_size()) * ratio));
    }
  }

  void took_rows(ColumnBatch& incoming) {
    rethrow_failure();
    std::vector<int32_t> touched;
    if (!partitioned) {
      const int32_t n = held.begin()->first;
      took(held.begin()->second);
      touched.push_back(n);
    } else {
      const std::vector<int32_t> numbers = partitions.number_rows(incoming);
      std::map<int32_t, std::vector<uint64_t>> rows_of;
      for (uint64_t r = 0; r < numbers.size(); ++r) rows_of[numbers[r]].push_back(r);
      for (auto& [n, rows] : rows_of) {
        Held& h = partition(n);
        for (size_t c = 0; c < incoming.columns.size(); ++c) {
          if (rows_of.size() == 1) {
            h.rows.columns[c].append(incoming.columns[c]);
          } else {
            h.rows.columns[c].append(incoming.columns[c].take(rows));
          }
        }
        took(h);
        touched.push_back(n);
      }
      for (auto& c : incoming.columns) c.clear();
    }
    for (int32_t n : touched) {
      hand_out_when_full(n);
    }
    // Too much held over all partitions: the largest goes out early, as a smaller file.
    while (held_raw > static_cast<double>(held_bytes)) {
      auto largest = std::max_element(held.begin(), held.end(),
                                      [](const auto& a, const auto& b) { return a.second.raw < b.second.raw; });
      if (largest->second.rows.rows() == 0) break;  // only rounding left in held_raw
      hand_out(largest->first);
    }
  }

  std::vector<AddFile> finish() {
    for (const auto& [n, h] : held) hand_out(n);
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return error || in_flight == 0; });
    if (error) std::rethrow_exception(error);
    finished = true;
    return files;
  }
};

StreamedFiles::StreamedFiles(const FileWriterSetup& setup, PartitionIndex& partitions, int64_t held_bytes)
    : impl_(std::make_unique<Impl>(setup, partitions, held_bytes)) {
  if (impl_->partitioned) {
    incoming_ = &impl_->split;
  } else {
    incoming_ = &impl_->partition(partitions.number_of({})).rows;
  }
}

StreamedFiles::~StreamedFiles() {
  try {
    impl_.reset();
  } catch (const std::exception& e) {
    log::warn(std::string("could not remove the files of an import that failed: ") + e.what());
  }
}

void StreamedFiles::took_rows() { impl_->took_rows(*incoming_); }

bool StreamedFiles::fits_one_file() const { return !impl_->handed_out && !impl_->makes_a_file(impl_->held_raw); }

std::vector<ColumnBatch*> StreamedFiles::held() {
  std::vector<ColumnBatch*> out;
  for (auto& [n, h] : impl_->held) {
    if (h.rows.rows() > 0) out.push_back(&h.rows);
  }
  return out;
}

std::vector<AddFile> StreamedFiles::finish() { return impl_->finish(); }

}  // namespace superstore::storage
