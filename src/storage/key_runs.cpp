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

// Reads one run's items of one partition: [u32 key length][key][u64 row], little-endian. The buffer is
// the run's for the whole merge; each partition's segment is read through it in turn.
struct SpilledRuns::Cursor {
  const SpillFile* file = nullptr;
  uint64_t next = 0, end = 0;  // what is still to be read from the file
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
  size_t at = 0, held = 0;  // the unread bytes are buffer[at, held)
  std::string_view key;
  uint64_t row = 0;
  bool done = true;  // no item: the segment is read to its end

  void start(uint64_t offset, uint64_t segment_end) {
    next = offset;
    end = segment_end;
    at = held = 0;
    done = false;
    advance();
  }
  // Makes at least `n` bytes readable at buffer[at]; false when the segment has fewer left.
  bool ensure(size_t n) {
    if (held - at >= n) return true;
    if (capacity < n) {
      auto bigger = std::make_unique_for_overwrite<char[]>(n);
      std::memcpy(bigger.get(), buffer.get() + at, held - at);
      buffer = std::move(bigger);
      capacity = n;
    } else {
      std::memmove(buffer.get(), buffer.get() + at, held - at);
    }
    held -= at;
    at = 0;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(capacity - held, end - next));
    const size_t got = file->read(next, buffer.get() + held, want);
    next += got;
    held += got;
    return held >= n;
  }
  // Moves to the next item, or sets `done` at the end of the segment.
  void advance() {
    if (held == at && next == end) {
      done = true;
      return;
    }
    uint32_t length = 0;
    if (!ensure(sizeof length)) fail(ErrorCode::Internal, "a spilled run of sorted keys ends inside an item");
    std::memcpy(&length, buffer.get() + at, sizeof length);
    const size_t item = sizeof length + length + sizeof row;
    if (!ensure(item)) fail(ErrorCode::Internal, "a spilled run of sorted keys ends inside an item");
    key = std::string_view(buffer.get() + at + sizeof length, length);
    std::memcpy(&row, buffer.get() + at + sizeof length + length, sizeof row);
    at += item;
  }
};

namespace {

// memcmp order of two keys (as unsigned bytes, a prefix first), eight bytes at a time: the keys are short
// (9 bytes a number), where a call of memcmp costs more than the comparison.
int compare_keys(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= n; i += sizeof(uint64_t)) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, sizeof x);
    std::memcpy(&y, b.data() + i, sizeof y);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// Merge order: the item of `a` comes before that of `b`; a cursor at its end comes after every other.
bool before(const SpilledRuns::Cursor* a, const SpilledRuns::Cursor* b) {
  if (a->done || b->done) return !a->done;
  const int d = compare_keys(a->key, b->key);
  return d != 0 ? d < 0 : a->row < b->row;
}

}  // namespace

SpilledRuns::SpilledRuns(const std::filesystem::path& dir) : file_(std::make_unique<SpillFile>(dir)) {}
SpilledRuns::~SpilledRuns() = default;

uint64_t SpilledRuns::bytes() const { return file_->size(); }

void SpilledRuns::begin_partition(int32_t partition) { segment_ = &(run_[partition] = {file_->size(), file_->size()}); }

void SpilledRuns::add(std::string_view key, uint64_t row) {
  const auto length = static_cast<uint32_t>(key.size());
  file_->append(std::string_view(reinterpret_cast<const char*>(&length), sizeof length));
  file_->append(key);
  file_->append(std::string_view(reinterpret_cast<const char*>(&row), sizeof row));
  segment_->end = file_->size();
}

void SpilledRuns::end_run() {
  file_->flush();
  runs_.push_back(std::move(run_));
  run_.clear();
  segment_ = nullptr;
  ++spilled_runs;
}

// The tree of losers over active_: leaves are nodes k..2k-1 (k cursors), node n's children 2n and 2n+1;
// tree_[n] is the cursor that lost at internal node n, tree_[0] the overall winner.
void SpilledRuns::start_merge(int32_t partition, size_t read_bytes) {
  merging_ = partition;
  if (cursors_.empty()) {
    const size_t each = std::clamp<size_t>(read_bytes / std::max<size_t>(1, runs_.size()), 64 << 10, 4 << 20);
    for (size_t r = 0; r < runs_.size(); ++r) {
      auto c = std::make_unique<Cursor>();
      c->file = file_.get();
      c->buffer = std::make_unique_for_overwrite<char[]>(each);
      c->capacity = each;
      cursors_.push_back(std::move(c));
    }
  }
  active_.clear();
  for (size_t r = 0; r < runs_.size(); ++r) {
    const auto it = runs_[r].find(partition);
    if (it == runs_[r].end() || it->second.offset == it->second.end) continue;
    cursors_[r]->start(it->second.offset, it->second.end);
    active_.push_back(cursors_[r].get());
  }
  const size_t k = active_.size();
  tree_.assign(std::max<size_t>(k, 1), 0);
  if (k == 0) return;
  // Plays the matches below `node` and returns its winner.
  auto play = [&](auto&& self, size_t node) -> uint32_t {
    if (node >= k) return static_cast<uint32_t>(node - k);
    const uint32_t left = self(self, 2 * node), right = self(self, 2 * node + 1);
    const bool left_wins = !before(active_[right], active_[left]);
    tree_[node] = left_wins ? right : left;
    return left_wins ? left : right;
  };
  tree_[0] = play(play, 1);
}

void SpilledRuns::take(int32_t partition, int64_t n, size_t read_bytes, std::vector<uint64_t>& out) {
  if (partition != merging_) start_merge(partition, read_bytes);
  const size_t k = active_.size();
  for (int64_t i = 0; i < n; ++i) {
    uint32_t winner = k == 0 ? 0 : tree_[0];
    if (k == 0 || active_[winner]->done) {
      fail(ErrorCode::Internal, "the spilled runs hold fewer rows of a partition than counted");
    }
    Cursor* c = active_[winner];
    out.push_back(c->row);
    c->advance();
    // Replays the winner's path to the root against the losers on it.
    for (size_t node = (winner + k) / 2; node >= 1; node /= 2) {
      if (before(active_[tree_[node]], active_[winner])) std::swap(tree_[node], winner);
    }
    tree_[0] = winner;
  }
}

uint64_t spilled_runs_total() { return spilled_runs.load(); }

}  // namespace superstore::storage
