// Slices and parallel streams of generated rows, and the Params that describe them.
#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <utility>

#include "common/error.h"
#include "fakedata/fakedata.h"

namespace superstore::fakedata {

void validate(const Params& params) {
  if (params.scale < 1 || params.scale > kMaxScale) {
    fail(ErrorCode::InvalidArgument, "fake data scale must be between 1 and " + std::to_string(kMaxScale) + ", got " +
                                         std::to_string(params.scale));
  }
  if (params.anchor_us < kMinAnchorUs || params.anchor_us >= kMaxAnchorUs) {
    fail(ErrorCode::InvalidArgument,
         "fake data anchor must lie in [1980-01-01, 2200-01-01), got " + format_timestamp_us(params.anchor_us));
  }
}

namespace {

// Large requests would grow each string buffer by doubling, copying what it holds every time; so their
// first rows are generated alone, and their strings' lengths, with room to spare, size the buffers.
constexpr size_t kSampleRows = 256;

// The rows with these indices, in this order, with the columns in `columns`, in spec order.
ColumnBatch fill_rows(const FakeTable& table, const Params& params, std::span<const uint64_t> rows,
                      ColumnMask columns) {
  const size_t n = table.spec.columns.size();
  if (n > 64) fail(ErrorCode::Internal, "fake table " + table.spec.name + " has more than 64 columns");
  ColumnBatch batch(table.spec.columns);
  for (size_t c = 0; c < n; ++c) {
    if (wants(columns, c)) batch[c].reserve(rows.size());
  }
  if (rows.size() < 4 * kSampleRows) {
    table.fill(params, rows, columns, batch);
  } else {
    table.fill(params, rows.first(kSampleRows), columns, batch);
    for (size_t c = 0; c < n; ++c) {
      if (!wants(columns, c) || batch.schema[c].type != ColumnType::String) continue;
      batch[c].reserve_chars((batch[c].chars_size() + kSampleRows) * (rows.size() / kSampleRows + 1) * 5 / 4);
    }
    table.fill(params, rows.subspan(kSampleRows), columns, batch);
  }
  if ((columns | ~((n == 64 ? 0 : ColumnMask{1} << n) - 1)) == kAllColumns) return batch;
  ColumnBatch out;  // only the wanted columns
  for (size_t c = 0; c < n; ++c) {
    if (!wants(columns, c)) continue;
    out.schema.push_back(batch.schema[c]);
    out.columns.push_back(std::move(batch.columns[c]));
  }
  return out;
}

void check_range(const FakeTable& table, const Params& params, uint64_t row_begin, uint64_t row_end) {
  validate(params);
  const uint64_t rows = table.spec.rows(params);
  if (row_begin > row_end || row_end > rows) {
    fail(ErrorCode::InvalidArgument, "rows [" + std::to_string(row_begin) + ", " + std::to_string(row_end) +
                                         ") are outside " + table.spec.name + "'s " + std::to_string(rows) + " rows");
  }
}

}  // namespace

ColumnMask column_mask(const TableSpec& spec, const std::vector<std::string>& names) {
  ColumnMask mask = 0;
  for (const auto& name : names) {
    size_t c = 0;
    while (c < spec.columns.size() && spec.columns[c].name != name) ++c;
    if (c == spec.columns.size() || c >= 64) {
      fail(ErrorCode::NotFound, "fake table " + spec.name + " has no column '" + name + "'");
    }
    mask |= ColumnMask{1} << c;
  }
  return mask;
}

ColumnBatch generate_columns(const FakeTable& table, const Params& params, uint64_t row_begin, uint64_t row_end,
                             ColumnMask columns) {
  check_range(table, params, row_begin, row_end);
  std::vector<uint64_t> indices(row_end - row_begin);
  std::iota(indices.begin(), indices.end(), row_begin);
  return fill_rows(table, params, indices, columns);
}

ColumnBatch generate(const FakeTable& table, const Params& params, uint64_t row_begin, uint64_t row_end) {
  return generate_columns(table, params, row_begin, row_end, kAllColumns);
}

ColumnBatch generate_rows(const FakeTable& table, const Params& params, std::span<const uint64_t> rows) {
  return generate_rows(table, params, rows, kAllColumns);
}

ColumnBatch generate_rows(const FakeTable& table, const Params& params, std::span<const uint64_t> rows,
                          ColumnMask columns) {
  validate(params);
  const uint64_t count = table.spec.rows(params);
  for (uint64_t row : rows) {
    if (row >= count) {
      fail(ErrorCode::InvalidArgument,
           "row " + std::to_string(row) + " is outside " + table.spec.name + "'s " + std::to_string(count) + " rows");
    }
  }
  return fill_rows(table, params, rows, columns);
}

ColumnBatch generate(std::string_view table_name, const Params& params, uint64_t row_begin, uint64_t row_end) {
  return generate(find_table(table_name), params, row_begin, row_end);
}

namespace {

// Batches in flight between the workers and the consumer. Batch k lives in slot k % slots.size() from
// the moment a worker finishes it until the consumer takes it; a worker may start batch k only once
// batch k - slots.size() has been taken, which both bounds memory and keeps slots from colliding.
class Pipeline {
 public:
  Pipeline(const FakeTable& table, const Params& params, uint64_t batch_rows, size_t window, ColumnMask columns)
      : table_(table),
        params_(params),
        batch_rows_(batch_rows),
        rows_(table.spec.rows(params)),
        batches_((rows_ + batch_rows - 1) / batch_rows),
        columns_(columns),
        slots_(window) {}

  uint64_t batches() const { return batches_; }

  void work() {
    while (true) {
      uint64_t k;
      {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return stop_ || next_claim_ >= batches_ || next_claim_ < next_take_ + slots_.size(); });
        if (stop_ || next_claim_ >= batches_) return;
        k = next_claim_++;
      }
      try {
        ColumnBatch batch =
            generate_columns(table_, params_, k * batch_rows_, std::min(rows_, (k + 1) * batch_rows_), columns_);
        std::lock_guard lock(mutex_);
        slots_[k % slots_.size()] = std::move(batch);
        ready_.notify_all();
      } catch (...) {
        abort(std::current_exception());
        return;
      }
    }
  }

  // The next batch in row order, or nothing once a worker failed.
  std::optional<ColumnBatch> take(uint64_t k) {
    std::unique_lock lock(mutex_);
    auto& slot = slots_[k % slots_.size()];
    ready_.wait(lock, [&] { return stop_ || slot.has_value(); });
    if (stop_) return std::nullopt;
    // exchange leaves the slot empty, ready for batch k + slots.size().
    std::optional<ColumnBatch> batch = std::exchange(slot, std::nullopt);
    next_take_ = k + 1;
    space_.notify_all();
    return batch;
  }

  void abort(const std::exception_ptr& error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = error;
    stop_ = true;
    space_.notify_all();
    ready_.notify_all();
  }

  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  const FakeTable& table_;
  const Params params_;
  const uint64_t batch_rows_;
  const uint64_t rows_;
  const uint64_t batches_;
  const ColumnMask columns_;
  std::mutex mutex_;
  std::condition_variable space_;  // a worker may claim another batch
  std::condition_variable ready_;  // a batch was finished
  std::vector<std::optional<ColumnBatch>> slots_;
  uint64_t next_claim_ = 0;
  uint64_t next_take_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace

void generate_parallel(const FakeTable& table, const Params& params, unsigned threads, uint64_t batch_rows,
                       const BatchConsumer& consumer, ColumnMask columns) {
  validate(params);
  if (batch_rows == 0) fail(ErrorCode::InvalidArgument, "fake data batch size must be at least one row");
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  Pipeline pipeline(table, params, batch_rows, 2 * static_cast<size_t>(threads), columns);
  const auto workers_needed = static_cast<unsigned>(std::min<uint64_t>(threads, pipeline.batches()));
  std::vector<std::thread> workers;
  workers.reserve(workers_needed);
  // Joins on every exit path, including a throwing consumer, so no worker outlives `pipeline`.
  struct Joiner {
    Pipeline& pipeline;
    std::vector<std::thread>& workers;
    ~Joiner() {
      pipeline.abort(nullptr);
      for (auto& w : workers) w.join();
    }
  } joiner{pipeline, workers};
  for (unsigned i = 0; i < workers_needed; ++i) workers.emplace_back([&pipeline] { pipeline.work(); });

  for (uint64_t k = 0; k < pipeline.batches(); ++k) {
    std::optional<ColumnBatch> batch = pipeline.take(k);
    if (!batch) break;
    try {
      consumer(std::move(*batch));
    } catch (...) {
      pipeline.abort(std::current_exception());
      throw;
    }
  }
  if (const std::exception_ptr error = pipeline.error()) std::rethrow_exception(error);
}

std::vector<uint64_t> changed_rows(const FakeTable& table, const Params& from, const Params& to) {
  validate(from);
  validate(to);
  if (from.seed != to.seed || from.scale != to.scale || to.anchor_us < from.anchor_us) {
    fail(ErrorCode::InvalidArgument, "changed rows are found between two anchors of one world, the later second");
  }
  if (!table.changed || to.anchor_us == from.anchor_us) return {};
  return table.changed(from, to);
}

nlohmann::json properties(const Params& params) {
  return {{"fake_data", true},     {"generator_version", kGeneratorVersion},          {"seed", params.seed},
          {"scale", params.scale}, {"anchor", format_timestamp_us(params.anchor_us)}, {"anchor_us", params.anchor_us}};
}

Params params_from_properties(const nlohmann::json& properties) {
  const auto field = [&](const char* name) -> const nlohmann::json& {
    if (!properties.is_object() || !properties.contains(name)) {
      fail(ErrorCode::InvalidArgument, std::string("fake data properties lack '") + name + "'");
    }
    return properties.at(name);
  };
  Params params;
  const auto& seed = field("seed");
  const auto& scale = field("scale");
  const auto& anchor = field("anchor_us");
  if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0)) {
    fail(ErrorCode::InvalidArgument, "fake data property 'seed' is not an unsigned integer");
  }
  if (!scale.is_number_integer() || !anchor.is_number_integer()) {
    fail(ErrorCode::InvalidArgument, "fake data properties 'scale' and 'anchor_us' must be integers");
  }
  params.seed = seed.get<uint64_t>();
  params.scale = scale.get<int64_t>();
  params.anchor_us = anchor.get<int64_t>();
  validate(params);
  return params;
}

}  // namespace superstore::fakedata
