#include "storage/write_base.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <set>

#include "common/clock.h"
#include "common/error.h"
#include "storage/checkpoint.h"

namespace superstore::storage {

void maybe_crash_before_commit() {
  if (std::getenv("SUPERSTORE_CRASH_BEFORE_COMMIT")) std::raise(SIGKILL);
}

WriteBase::WriteBase(query::Database& e, blob::BlobStore& s, catalog::Catalog& c, TableContext context)
    : engine(e),
      store(s),
      catalog(c),
      ctx(std::move(context)),
      log(s, ctx.root_key, make_checkpoint_reader(e, s, ctx.temp_dir)),
      conn(e) {
  static std::atomic<int64_t> counter{0};
  writer_id = std::to_string(++counter);
  scratch_prefix = "ss_sorted_" + writer_id + "_";
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
  partitions = PartitionIndex(partition_columns, t.name);
}

Snapshot WriteBase::latest() const { return ctx.latest ? *ctx.latest() : log.snapshot(); }

std::string WriteBase::where() const { return "table '" + ctx.table.name + "'"; }

Snapshot WriteBase::only(const AddFile& file) const {
  Snapshot s = base;
  s.files = {file};
  return s;
}

FileWriterSetup WriteBase::setup() {
  return {engine,
          conn,
          store,
          ctx,
          data_columns,
          partition_columns,
          [this](int64_t n) { return catalog.next_id("micro_partition", n); },
          partitions,
          scratch_prefix};
}

void WriteBase::remove_files(const std::vector<AddFile>& files) {
  for (const auto& f : files) store.remove(ctx.root_key + "/" + f.path);
}

RemoveFile WriteBase::removal_of(const AddFile& f) const {
  RemoveFile r;
  r.path = f.path;
  r.deletion_timestamp = now_ms();
  r.data_change = true;
  r.partition_values = f.partition_values;
  r.size = f.size;
  return r;
}

int64_t WriteBase::try_commit(Commit& commit) {
  std::set<std::string> removing;
  for (const auto& r : commit.removes) removing.insert(r.path);
  commit.info.read_version = base.version;
  commit.info.timestamp = now_ms();
  // A file stops being live when the commit that removes it lands, not when the write began; VACUUM's
  // retention counts from this time (table_vacuum.cpp).
  for (auto& r : commit.removes) r.deletion_timestamp = commit.info.timestamp;
  maybe_crash_before_commit();
  for (int64_t version = base.version + 1;; ++version) {
    if (log.try_commit(version, commit)) {
      checkpoint_after_commit(engine, store, log, base, version, ctx.checkpoint_interval, ctx.tombstone_retention_ms,
                              ctx.temp_dir);
      return version;
    }
    Commit other = log.read_commit(version);
    if (other.metadata || other.protocol) return -1;
    for (const auto& r : other.removes) {
      if (removing.count(r.path)) return -1;
    }
  }
}

void WriteBase::conflict() const {
  fail(ErrorCode::Conflict, where() + " kept changing while this write ran (" + std::to_string(kMaxCommitAttempts) +
                                " attempts lost to other writers); nothing was written, try again");
}

}  // namespace superstore::storage
