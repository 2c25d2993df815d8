#include "storage/file_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

#include "common/error.h"
#include "query/database.h"
#include "storage/scan_sql.h"

namespace superstore::storage {
namespace {

std::string stats_timestamp(int64_t micros) {
  // Delta stats carry milliseconds; flooring keeps min a lower bound, and readers add 1 ms to max.
  int64_t ms = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  std::string s = format_timestamp_us(ms * 1000);
  if (s.find('.') == std::string::npos) s.insert(s.size() - 1, ".000");
  return s;
}

nlohmann::json stat_value(const query::Result& r, size_t col, size_t row, ColumnType type) {
  if (r.is_null(col, row)) return nullptr;
  switch (type) {
    case ColumnType::Float64: {
      double d = r.get_double(col, row);
      return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr);
    }
    case ColumnType::String:
      return r.get_string(col, row);
    case ColumnType::Timestamp:
      return stats_timestamp(r.get_int64(col, row));
    case ColumnType::Date:
      return format_date_days(static_cast<int32_t>(r.get_int64(col, row)));
    case ColumnType::Boolean:
      return nullptr;
    default:
      return r.get_int64(col, row);
  }
}

std::string stats_select(const std::vector<ColumnDef>& columns) {
  std::string select = "count(*)";
  for (const auto& c : columns) {
    std::string id = query::quote_identifier(c.name);
    select += ", min(" + id + "), max(" + id + "), count(" + id + ")";
  }
  return select;
}

// Reads one row of stats_select() whose first stats column is `first`.
FileStats read_stats(const query::Result& r, size_t row, size_t first, const std::vector<ColumnDef>& columns) {
  FileStats s;
  s.num_records = r.get_int64(first, row);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    size_t base = first + 1 + 3 * i;
    nlohmann::json min = stat_value(r, base, row, c.type), max = stat_value(r, base + 1, row, c.type);
    if (!min.is_null()) s.min_values[c.name] = min;
    if (!max.is_null()) s.max_values[c.name] = max;
    s.null_count[c.name] = s.num_records - r.get_int64(base + 2, row);
    s.distinct_count[c.name] = 0;  // filled in by add_distinct_counts
  }
  return s;
}

// Exact distinct counts as one plain GROUP BY per column (a DISTINCT of (file, value), then counted):
// DuckDB runs these several times faster than count(DISTINCT ...) aggregates, whose fixed cost alone
// is tens of milliseconds per query.
void add_distinct_counts(query::Connection& conn, const std::string& from_sql, const std::string& group,
                         const std::vector<ColumnDef>& columns, std::map<int64_t, FileStats>& stats) {
  if (stats.empty() || columns.empty()) return;
  std::string sql;
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += std::string(i ? " UNION ALL " : "") + "SELECT g, " + std::to_string(i) +
           ", count(v) FROM (SELECT DISTINCT " + group + " AS g, " + query::quote_identifier(columns[i].name) +
           " AS v FROM " + from_sql + ") GROUP BY g";
  }
  query::Result r = conn.execute(sql);
  for (size_t row = 0; row < r.row_count(); ++row) {
    auto it = stats.find(r.get_int64(0, row));
    if (it == stats.end()) continue;
    it->second.distinct_count[columns.at(static_cast<size_t>(r.get_int64(1, row))).name] = r.get_int64(2, row);
  }
}

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: spreads near values over the table
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Exact distinct counts put every value into an open-addressing hash table. A table sized for a large
// file's column misses the CPU cache on nearly every probe, so counting starts with a small table that
// grows while it stays cache-sized, which settles columns of few values; a column with more values is
// first scattered by hash into buckets of about kBucketValues values, and each bucket is counted in a
// small table of its own (values in different buckets differ).
constexpr size_t kCachedSlots = size_t{1} << 14;
constexpr size_t kBucketValues = 4096;
constexpr uint64_t kFree = UINT64_MAX;

// Scratch space, reused across the columns of a batch.
struct Scratch {
  std::vector<int64_t> keys;     // a column's non-null values as keys, when they must be converted
  std::vector<uint64_t> hashes;  // of a string column's non-null values
  std::vector<uint32_t> rows;    // the rows of those values
  std::vector<uint64_t> table;
  std::vector<size_t> starts, ends;
  std::vector<int64_t> bucket_keys;
  std::vector<uint64_t> bucket_hashes;
  std::vector<uint32_t> bucket_rows;
  std::vector<uint64_t> bits;  // a bitmap of a narrow integer range
};

size_t slots_for(size_t values) {  // a power of two, at least twice `values` and at least 16
  size_t slots = 16;
  while (slots < 2 * values) slots <<= 1;
  return slots;
}

// Splits `n` values into a power of two of buckets of about kBucketValues values each by their hashes'
// bits 40 and up (the table slot comes from the low bits): s.starts[b] is where bucket b's values go,
// s.starts[buckets] is n. Returns the bucket of a hash.
template <class HashOf>
auto plan_buckets(size_t n, Scratch& s, HashOf hash_of) {
  size_t buckets = 2;
  while (buckets * kBucketValues < n) buckets <<= 1;
  auto bucket_of = [mask = buckets - 1](uint64_t h) { return static_cast<size_t>(h >> 40) & mask; };
  s.starts.assign(buckets + 1, 0);
  for (size_t i = 0; i < n; ++i) ++s.starts[bucket_of(hash_of(i)) + 1];
  for (size_t b = 0; b < buckets; ++b) s.starts[b + 1] += s.starts[b];
  s.ends.assign(s.starts.begin(), s.starts.end() - 1);  // filled up to here so far
  return bucket_of;
}

// Integer-like and double values are counted as int64 keys, stored in the table as they are; the one
// key equal to kFree is counted aside.
inline bool insert_key(std::vector<uint64_t>& table, size_t mask, int64_t key) {
  const auto stored = static_cast<uint64_t>(key);
  for (size_t at = mix(stored) & mask;; at = (at + 1) & mask) {
    if (table[at] == stored) return false;
    if (table[at] == kFree) {
      table[at] = stored;
      return true;
    }
  }
}

// `bounds`, when given, are the least and greatest key: keys of a range no wider than kRangeBitsPerKey
// bits per key (quantities, categories, ids of a bounded domain, dates) are counted in a bitmap of the
// range instead, in one pass without hashing.
constexpr uint64_t kRangeBitsPerKey = 16;

int64_t count_distinct_keys(std::span<const int64_t> keys, Scratch& s,
                            std::optional<std::pair<int64_t, int64_t>> bounds = std::nullopt) {
  constexpr auto kFreeKey = static_cast<int64_t>(kFree);
  const size_t n = keys.size();
  if (n == 0) return 0;
  // Keys in order (a sort key of the file) differ exactly where the value changes.
  size_t ordered = 1;
  while (ordered < n && keys[ordered - 1] <= keys[ordered]) ++ordered;
  if (ordered == n) {
    int64_t changes = 1;
    for (size_t i = 1; i < n; ++i) changes += keys[i] != keys[i - 1] ? 1 : 0;
    return changes;
  }
  if (bounds) {
    const auto least = static_cast<uint64_t>(bounds->first);
    const uint64_t range = static_cast<uint64_t>(bounds->second) - least;  // wraps to the true width
    if (range / kRangeBitsPerKey < n) {
      s.bits.assign(range / 64 + 1, 0);
      for (int64_t k : keys) {
        const uint64_t at = static_cast<uint64_t>(k) - least;
        s.bits[at >> 6] |= uint64_t{1} << (at & 63);
      }
      int64_t distinct = 0;
      for (uint64_t word : s.bits) distinct += std::popcount(word);
      return distinct;
    }
  }
  bool free_key = false;
  int64_t distinct = 0;
  size_t slots = 256;
  s.table.assign(slots, kFree);
  size_t i = 0;
  for (; i < n; ++i) {
    if (keys[i] == kFreeKey) {
      free_key = true;
    } else if (insert_key(s.table, slots - 1, keys[i]) && 2 * static_cast<size_t>(++distinct) > slots) {
      if (2 * slots > kCachedSlots) break;
      std::vector<uint64_t> old(2 * slots, kFree);
      old.swap(s.table);
      slots *= 2;
      for (uint64_t k : old) {
        if (k != kFree) insert_key(s.table, slots - 1, static_cast<int64_t>(k));
      }
    }
  }
  if (i == n) return distinct + (free_key ? 1 : 0);

  // Many values: counted again, bucket by bucket.
  const auto bucket_of = plan_buckets(n, s, [&](size_t j) { return mix(static_cast<uint64_t>(keys[j])); });
  s.bucket_keys.resize(n);
  for (int64_t k : keys) s.bucket_keys[s.ends[bucket_of(mix(static_cast<uint64_t>(k)))]++] = k;
  free_key = false;
  distinct = 0;
  for (size_t b = 0; b + 1 < s.starts.size(); ++b) {
    slots = slots_for(s.starts[b + 1] - s.starts[b]);
    s.table.assign(slots, kFree);
    for (size_t j = s.starts[b]; j < s.starts[b + 1]; ++j) {
      if (s.bucket_keys[j] == kFreeKey) {
        free_key = true;
      } else if (insert_key(s.table, slots - 1, s.bucket_keys[j])) {
        ++distinct;
      }
    }
  }
  return distinct + (free_key ? 1 : 0);
}

// The first 8 bytes of a string as a big-endian number, zero-padded: comparing two strings' prefixes
// compares their starts as std::string_view does (bytes unsigned). `all` is the buffer `v` lies in.
uint64_t prefix_of(std::string_view v, std::string_view all) {
  uint64_t x = 0;
  if (static_cast<size_t>(all.data() + all.size() - v.data()) >= 8) {
    std::memcpy(&x, v.data(), 8);
    if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
    if (v.size() < 8) x &= ~(~uint64_t{0} >> (8 * v.size()));
  } else {
    for (size_t i = 0; i < v.size(); ++i) x |= uint64_t{static_cast<uint8_t>(v[i])} << (56 - 8 * i);
  }
  return x;
}

// Whether string a sorts before string b, given their prefixes: only strings longer than 8 bytes
// with equal prefixes need their bytes compared.
bool before(std::string_view a, uint64_t pa, std::string_view b, uint64_t pb) {
  if (pa != pb) return pa < pb;
  if (a.size() <= 8 || b.size() <= 8) return a.size() < b.size();
  return a.substr(8) < b.substr(8);
}

// A string column's distinct non-null values, exactly, and its least and greatest value (left unset
// when every row is null). A table slot holds the upper half of a value's hash and the value's row
// (below 2^32), so that strings are compared only when their hashes agree. Least and greatest are looked
// for among new values only: a column of few values compares few strings.
int64_t string_stats(const Column& c, Scratch& s, std::optional<std::string_view>& lo,
                     std::optional<std::string_view>& hi) {
  constexpr uint64_t kTag = 0xFFFFFFFF00000000ULL;
  const std::string_view all = c.chars();
  const std::hash<std::string_view> hash;
  auto hash_of = [&](std::string_view v) { return mix(hash(v)); };
  uint64_t lo_prefix = 0, hi_prefix = 0;
  auto met = [&](std::string_view v) {
    const uint64_t p = prefix_of(v, all);
    if (!lo) {
      lo = hi = v;
      lo_prefix = hi_prefix = p;
    } else if (before(v, p, *lo, lo_prefix)) {
      lo = v;
      lo_prefix = p;
    } else if (before(*hi, hi_prefix, v, p)) {
      hi = v;
      hi_prefix = p;
    }
  };
  // Puts the value of row r (hash h) into the table unless an equal value is there; true if new.
  auto insert = [&](size_t mask, uint64_t h, uint32_t r) {
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      const uint64_t slot = s.table[at];
      if (slot == kFree) {
        s.table[at] = (h & kTag) | r;
        return true;
      }
      if ((slot & kTag) == (h & kTag) && c.string_at(slot & ~kTag) == c.string_at(r)) return false;
    }
  };
  int64_t distinct = 0;
  size_t slots = 256;
  s.table.assign(slots, kFree);
  bool many = false;
  for (size_t r = 0; r < c.size(); ++r) {
    if (c.is_null(r)) continue;
    const std::string_view v = c.string_at(r);
    if (!insert(slots - 1, hash_of(v), static_cast<uint32_t>(r))) continue;
    met(v);
    if (2 * static_cast<size_t>(++distinct) <= slots) continue;
    if (2 * slots > kCachedSlots) {
      many = true;
      break;
    }
    std::vector<uint64_t> old(2 * slots, kFree);
    old.swap(s.table);
    slots *= 2;
    for (uint64_t slot : old) {
      if (slot == kFree) continue;
      const uint64_t h = hash_of(c.string_at(slot & ~kTag));
      for (size_t at = h & (slots - 1);; at = (at + 1) & (slots - 1)) {
        if (s.table[at] == kFree) {
          s.table[at] = slot;
          break;
        }
      }
    }
  }
  if (!many) return distinct;

  // Many values: counted again, bucket by bucket; least and greatest looked for in row order, which
  // reads the characters once from start to end.
  s.hashes.clear();
  s.rows.clear();
  for (size_t r = 0; r < c.size(); ++r) {
    if (c.is_null(r)) continue;
    const std::string_view v = c.string_at(r);
    met(v);
    s.hashes.push_back(hash_of(v));
    s.rows.push_back(static_cast<uint32_t>(r));
  }
  const size_t n = s.rows.size();
  const auto bucket_of = plan_buckets(n, s, [&](size_t j) { return s.hashes[j]; });
  s.bucket_hashes.resize(n);
  s.bucket_rows.resize(n);
  for (size_t j = 0; j < n; ++j) {
    const size_t at = s.ends[bucket_of(s.hashes[j])]++;
    s.bucket_hashes[at] = s.hashes[j];
    s.bucket_rows[at] = s.rows[j];
  }
  distinct = 0;
  for (size_t b = 0; b + 1 < s.starts.size(); ++b) {
    const size_t begin = s.starts[b], size = s.starts[b + 1] - begin;
    slots = slots_for(size);
    s.table.assign(slots, kFree);
    for (size_t j = begin; j < begin + size; ++j) {
      if (insert(slots - 1, s.bucket_hashes[j], s.bucket_rows[j])) ++distinct;
    }
  }
  return distinct;
}

// A double as DuckDB groups it: -0.0 with 0.0, and every NaN together.
uint64_t double_key(double d) {
  if (d == 0) d = 0;
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

// Min, max (as stat_value shows them), null count and distinct count of one column.
void add_column_stats(const ColumnDef& def, const Column& c, FileStats& s, Scratch& scratch) {
  const size_t rows = c.size();
  if (rows >= UINT32_MAX) fail(ErrorCode::Internal, "too many rows for one file's statistics");
  size_t lo = rows, hi = rows;  // rows of the min and max, `rows` while none
  nlohmann::json min, max;
  int64_t distinct = 0;
  switch (def.type) {
    case ColumnType::String: {
      std::optional<std::string_view> least, greatest;
      distinct = string_stats(c, scratch, least, greatest);
      if (least) min = std::string(*least), max = std::string(*greatest);
      break;
    }
    case ColumnType::Float64: {
      // DuckDB orders NaN above every number, so a NaN is the max (shown as none) and never the min.
      bool nan = false;
      scratch.keys.clear();
      for (size_t r = 0; r < rows; ++r) {
        if (c.is_null(r)) continue;
        double d = c.double_at(r);
        scratch.keys.push_back(static_cast<int64_t>(double_key(d)));
        if (std::isnan(d)) {
          nan = true;
          continue;
        }
        if (lo == rows || d < c.double_at(lo)) lo = r;
        if (hi == rows || d > c.double_at(hi)) hi = r;
      }
      auto shown = [](double d) { return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr); };
      if (lo < rows) min = shown(c.double_at(lo));
      if (hi < rows && !nan) max = shown(c.double_at(hi));
      distinct = count_distinct_keys(scratch.keys, scratch);
      break;
    }
    default: {
      std::span<const int64_t> keys = c.ints();
      if (c.has_nulls()) {
        scratch.keys.clear();
        for (size_t r = 0; r < rows; ++r) {
          if (!c.is_null(r)) scratch.keys.push_back(c.int_at(r));
        }
        keys = scratch.keys;
      }
      if (!keys.empty()) {
        const auto [least, greatest] = std::minmax_element(keys.begin(), keys.end());
        auto shown = [&](int64_t v) -> nlohmann::json {
          switch (def.type) {
            case ColumnType::Timestamp:
              return stats_timestamp(v);
            case ColumnType::Date:
              return format_date_days(static_cast<int32_t>(v));
            case ColumnType::Boolean:
              return nullptr;
            default:
              return v;
          }
        };
        min = shown(*least), max = shown(*greatest);
        distinct = count_distinct_keys(keys, scratch, std::pair{*least, *greatest});
      }
    }
  }
  size_t nulls = 0;
  for (size_t r = 0; r < rows && c.has_nulls(); ++r) nulls += c.is_null(r) ? 1 : 0;
  if (!min.is_null()) s.min_values[def.name] = min;
  if (!max.is_null()) s.max_values[def.name] = max;
  s.null_count[def.name] = static_cast<int64_t>(nulls);
  s.distinct_count[def.name] = distinct;
}

}  // namespace

FileStats compute_batch_stats(const ColumnBatch& batch) {
  FileStats s;
  s.num_records = static_cast<int64_t>(batch.rows());
  Scratch scratch;
  for (size_t i = 0; i < batch.columns.size(); ++i) add_column_stats(batch.schema[i], batch.columns[i], s, scratch);
  return s;
}

FileStats compute_file_stats(query::Connection& conn, const std::string& from_sql,
                             const std::vector<ColumnDef>& columns) {
  auto stats = compute_grouped_file_stats(conn, "(SELECT *, 0 AS ss_file FROM " + from_sql + ")", "ss_file", columns);
  return stats.empty() ? FileStats{} : stats.begin()->second;
}

std::map<int64_t, FileStats> compute_grouped_file_stats(query::Connection& conn, const std::string& from_sql,
                                                        const std::string& group_column,
                                                        const std::vector<ColumnDef>& columns) {
  std::string g = query::quote_identifier(group_column);
  query::Result r = conn.execute("SELECT " + g + ", " + stats_select(columns) + " FROM " + from_sql + " GROUP BY " + g);
  std::map<int64_t, FileStats> out;
  for (size_t row = 0; row < r.row_count(); ++row) out[r.get_int64(0, row)] = read_stats(r, row, 1, columns);
  add_distinct_counts(conn, from_sql, g, columns, out);
  return out;
}

}  // namespace superstore::storage
