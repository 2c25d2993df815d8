#include "storage/key_runs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "common/error.h"

namespace superstore::storage {
namespace {

std::atomic<uint64_t> spilled_runs{0};

void put_u64_big_endian(uint64_t v, std::string& out) {
  static_assert(std::endian::native == std::endian::little, "spilled items are written little-endian");
  const uint64_t big = __builtin_bswap64(v);
  out.append(reinterpret_cast<const char*>(&big), sizeof big);
}

[[noreturn]] void fail_io(const std::filesystem::path& dir, const char* what) {
  const int err = errno;
  const bool full = err == ENOSPC || err == EDQUOT || err == EFBIG;
  fail(full ? ErrorCode::InsufficientStorage : ErrorCode::Internal,
       std::string("cannot ") + what + " the sorted keys spilled to " + dir.string() + ": " + std::strerror(err));
}

}  // namespace

void append_sort_key(const ColumnBatch& keys, size_t row, std::string& out) {
  for (const Column& c : keys.columns) {
    if (c.is_null(row)) {
      out.push_back('\x01');  // after every value
      continue;
    }
    out.push_back('\x00');
    switch (c.type()) {
      case ColumnType::String:
        // 0x00 is escaped as 0x00 0xff and the end is 0x00 0x00, so a prefix sorts first.
        for (char ch : c.string_at(row)) {
          out.push_back(ch);
          if (ch == '\x00') out.push_back('\xff');
        }
        out.append(2, '\x00');
        break;
      case ColumnType::Float64: {
        double v = c.double_at(row);
        uint64_t bits = UINT64_MAX;  // NaN: above every number
        if (!std::isnan(v)) {
          if (v == 0) v = 0;  // -0.0 ties with 0.0
          std::memcpy(&bits, &v, sizeof bits);
          bits = (bits >> 63) != 0 ? ~bits : bits ^ (uint64_t{1} << 63);
        }
        put_u64_big_endian(bits, out);
        break;
      }
      default:
        put_u64_big_endian(static_cast<uint64_t>(c.int_at(row)) ^ (uint64_t{1} << 63), out);
    }
  }
}

// A file without a name in `dir`: O_TMPFILE where the file system has it, else a named one unlinked at
// once (the moment between is what temp_sweep's "spill-" files are). Writes are buffered.
class SpillFile {
 public:
  explicit SpillFile(const std::filesystem::path& dir) : dir_(dir) {
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::string name = (dir / "spill-XXXXXX").string();
      fd_ = ::mkstemp(name.data());
      if (fd_ < 0) fail_io(dir, "create a file for");
      ::unlink(name.c_str());
    }
    buffer_.reserve(kBufferBytes);
  }
  ~SpillFile() { ::close(fd_); }
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  void append(std::string_view bytes) {
    buffer_.append(bytes);
    if (buffer_.size() >= kBufferBytes) flush();
  }
  void flush() {
    for (size_t at = 0; at < buffer_.size();) {
      const ssize_t n = ::write(fd_, buffer_.data() + at, buffer_.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail_io(dir_, "write");
      at += static_cast<size_t>(n);
    }
    flushed_ += buffer_.size();
    buffer_.clear();
  }
  uint64_t size() const { return flushed_ + buffer_.size(); }
  // Reads what was flushed.
  size_t read(uint64_t offset, char* to, size_t n) const {
    for (size_t got = 0;;) {
      const ssize_t r = ::pread(fd_, to + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) fail_io(dir_, "read");
      got += static_cast<size_t>(r);
      if (r == 0 || got == n) return got;
    }
  }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;
  std::filesystem::path dir_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t flushed_ = 0;
};

// Reads one run's items of one partition: [u32 key length][key][u64 row], little-endian.
struct SpilledRuns::Cursor {
  const SpillFile* file = nullptr;
  uint64_t next = 0, end = 0;  // what is still to be read from the file
  std::vector<char> buffer;
  size_t at = 0, held = 0;  // the unread bytes are buffer[at, held)
  std::string_view key;
  uint64_t row = 0;

  // Makes at least `n` bytes readable at buffer[at]; false when the segment has fewer left.
  bool ensure(size_t n) {
    if (held - at >= n) return true;
    std::memmove(buffer.data(), buffer.data() + at, held - at);
    held -= at;
    at = 0;
    if (buffer.size() < n) buffer.resize(n);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size() - held, end - next));
    const size_t got = file->read(next, buffer.data() + held, want);
    next += got;
    held += got;
    return held >= n;
  }
  // Moves to the next item; false at the end of the segment.
  bool advance() {
    if (held == at && next == end) return false;
    uint32_t length = 0;
    if (!ensure(sizeof length)) fail(ErrorCode::Internal, "a spilled run of sorted keys ends inside an item");
    std::memcpy(&length, buffer.data() + at, sizeof length);
    const size_t item = sizeof length + length + sizeof row;
    if (!ensure(item)) fail(ErrorCode::Internal, "a spilled run of sorted keys ends inside an item");
    key = std::string_view(buffer.data() + at + sizeof length, length);
    std::memcpy(&row, buffer.data() + at + sizeof length + length, sizeof row);
    at += item;
    return true;
  }
};

namespace {

// Heap order: the cursor whose item comes first is on top.
bool after(const SpilledRuns::Cursor* a, const SpilledRuns::Cursor* b) {
  const int d = a->key.compare(b->key);
  return d != 0 ? d > 0 : a->row > b->row;
}

}  // namespace

SpilledRuns::SpilledRuns(const std::filesystem::path& dir) : file_(std::make_unique<SpillFile>(dir)) {}
SpilledRuns::~SpilledRuns() = default;

uint64_t SpilledRuns::bytes() const { return file_->size(); }

void SpilledRuns::begin_partition(int32_t partition) {
  partition_ = partition;
  run_[partition] = {file_->size(), file_->size()};
}

void SpilledRuns::add(std::string_view key, uint64_t row) {
  const auto length = static_cast<uint32_t>(key.size());
  item_.assign(reinterpret_cast<const char*>(&length), sizeof length);
  item_.append(key);
  item_.append(reinterpret_cast<const char*>(&row), sizeof row);
  file_->append(item_);
  run_[partition_].end = file_->size();
}

void SpilledRuns::end_run() {
  file_->flush();
  runs_.push_back(std::move(run_));
  run_.clear();
  ++spilled_runs;
}

void SpilledRuns::take(int32_t partition, int64_t n, size_t read_bytes, std::vector<uint64_t>& out) {
  if (partition != merging_) {
    merging_ = partition;
    cursors_.clear();
    heap_.clear();
    const size_t each = std::clamp<size_t>(read_bytes / std::max<size_t>(1, runs_.size()), 64 << 10, 4 << 20);
    for (const auto& run : runs_) {
      const auto it = run.find(partition);
      if (it == run.end() || it->second.offset == it->second.end) continue;
      auto c = std::make_unique<Cursor>();
      c->file = file_.get();
      c->next = it->second.offset;
      c->end = it->second.end;
      c->buffer.resize(each);
      if (c->advance()) heap_.push_back(c.get());
      cursors_.push_back(std::move(c));
    }
    std::make_heap(heap_.begin(), heap_.end(), after);
  }
  for (int64_t i = 0; i < n; ++i) {
    if (heap_.empty()) fail(ErrorCode::Internal, "the spilled runs hold fewer rows of a partition than counted");
    std::pop_heap(heap_.begin(), heap_.end(), after);
    Cursor* c = heap_.back();
    out.push_back(c->row);
    if (c->advance()) {
      std::push_heap(heap_.begin(), heap_.end(), after);
    } else {
      heap_.pop_back();
    }
  }
}

uint64_t spilled_runs_total() { return spilled_runs.load(); }

}  // namespace superstore::storage
