// The replace half of TableWriter (see write_base.h): finds the files holding changed rows (file stats
// first, then one scan of the key column of the candidates), removes them, and writes their rows with
// the new ones through the regenerable writer, all in one commit.
#include <algorithm>
#include <map>

#include "common/error.h"
#include "query/batch_scan.h"
#include "storage/file_cache.h"
#include "storage/regenerable_writer.h"
#include "storage/scan_sql.h"
#include "storage/write_base.h"

namespace superstore::storage {
namespace {

// Whether a file's key range, from its stats, may hold one of the (sorted) keys; a file without stats may.
bool may_hold(const AddFile& file, const std::string& key, const std::vector<int64_t>& keys) {
  if (!file.stats || !file.stats->min_values.contains(key) || !file.stats->max_values.contains(key)) return true;
  const auto& lo = file.stats->min_values[key];
  const auto& hi = file.stats->max_values[key];
  if (!lo.is_number_integer() || !hi.is_number_integer()) return true;
  const auto first = std::lower_bound(keys.begin(), keys.end(), lo.get<int64_t>());
  return first != keys.end() && *first <= hi.get<int64_t>();
}

}  // namespace

WriteResult replace_rows(WriteBase& w, const RegenerableChange& change) {
  if (!std::is_sorted(change.changed.begin(), change.changed.end())) {
    fail(ErrorCode::Internal, w.where() + ": changed keys must be in ascending order");
  }
  const std::string key = query::quote_identifier(change.key_column);
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    w.base = w.latest();
    Snapshot candidates = w.base;
    candidates.files.clear();
    for (const auto& f : w.base.files) {
      if (!change.changed.empty() && may_hold(f, change.key_column, change.changed)) candidates.files.push_back(f);
    }
    std::vector<const AddFile*> touched;
    std::vector<int64_t> rewritten;
    // On a remote store, the candidates are copied here first and kept while they are read.
    const auto local_copies =
        w.ctx.remote && !candidates.files.empty() ? w.ctx.remote->fetch(w.ctx.root_key, candidates.files) : nullptr;
    if (!candidates.files.empty()) {
      ColumnBatch changed({{"k", ColumnType::Int64}});
      for (int64_t k : change.changed) changed[0].push_int(k);
      query::BatchScan keys(w.conn, changed);
      const std::string scan = scan_sql(candidates, w.ctx.root_dir, {.with_filename = true});
      // Every key of every candidate file that holds a changed key, with its file.
      query::Result rows =
          w.conn.execute("SELECT filename, " + key + " FROM (" + scan + ") WHERE filename IN (SELECT filename FROM (" +
                         scan + ") WHERE " + key + " IN (SELECT k FROM " + keys.sql() + ")) ORDER BY 2");
      std::map<std::string, const AddFile*> by_path;
      for (const auto& f : candidates.files) by_path[(w.ctx.root_dir / f.path).string()] = &f;
      for (size_t i = 0; i < rows.row_count(); ++i) {
        const AddFile* f = by_path.at(rows.get_string(0, i));
        if (std::find(touched.begin(), touched.end(), f) == touched.end()) touched.push_back(f);
        rewritten.push_back(rows.get_int64(1, i));
      }
    }
    const RegenerableRows source = change.rows(rewritten);
    if (source.rows == 0 && touched.empty()) return {-1, 0, 0, 0};

    Commit commit;
    commit.info.operation = change.operation;
    commit.info.operation_parameters = change.operation_parameters;
    for (const AddFile* f : touched) commit.removes.push_back(w.removal_of(*f));
    std::vector<AddFile> written;
    if (source.rows > 0) written = write_regenerable(w.setup(), w.partitions, source);
    RemoveUnlessKept unless_committed(w.store, w.ctx.root_key, written);  // a failure (a full disk) leaves none
    commit.adds = written;
    const int64_t version = w.try_commit(commit);
    if (version >= 0) {
      unless_committed.keep();
      return {version, static_cast<int64_t>(source.rows - rewritten.size()), static_cast<int64_t>(written.size()),
              static_cast<int64_t>(commit.removes.size())};
    }
    w.remove_files(written);
  }
  w.conflict();
}

}  // namespace superstore::storage
