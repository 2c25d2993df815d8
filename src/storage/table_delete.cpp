// The delete half of TableWriter (see write_base.h): finds the files holding matching rows with one grouped
// count, removes them, and writes each one's remaining rows, if any, as a new micro-partition.
#include <filesystem>
#include <map>

#include "common/error.h"
#include "query/read_statement.h"
#include "query/user_query.h"
#include "storage/file_cache.h"
#include "storage/file_stats.h"
#include "storage/scan_sql.h"
#include "storage/write_base.h"

namespace superstore::storage {

WriteResult delete_rows(WriteBase& w, const std::string& predicate) {
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    w.base = w.latest();
    // On a remote store, the files the delete reads are copied here first and kept while it runs.
    const auto local_copies = w.ctx.remote ? w.ctx.remote->fetch(w.ctx.root_key, w.base.files) : nullptr;
    std::string scan = scan_sql(w.base, w.ctx.root_dir, {.with_filename = true});
    // The newline before each closing parenthesis ends a "--" comment in the predicate, as in the check
    // the predicate passed (query::check_row_predicate).
    std::string count_sql =
        "SELECT filename, count(*) FROM (" + scan + ") WHERE (" + predicate + "\n) GROUP BY filename";
    query::check_one_read_statement(w.conn, count_sql);
    query::Result matches = w.conn.execute(count_sql);
    if (matches.row_count() == 0) return {-1, 0, 0, 0};

    std::map<std::string, const AddFile*> by_path;
    for (const auto& f : w.base.files) by_path[(w.ctx.root_dir / f.path).string()] = &f;
    Commit commit;
    commit.info.operation = "DELETE";
    commit.info.operation_parameters = {{"predicate", predicate}};
    int64_t deleted = 0;
    std::vector<const AddFile*> rewrite;
    for (size_t i = 0; i < matches.row_count(); ++i) {
      const AddFile* f = by_path.at(matches.get_string(0, i));
      int64_t n = matches.get_int64(1, i);
      deleted += n;
      commit.removes.push_back(w.removal_of(*f));
      if (!f->stats || f->stats->num_records != n) rewrite.push_back(f);
    }
    std::vector<AddFile> written;
    RemoveUnlessKept unless_committed(w.store, w.ctx.root_key, written);  // a failure (a full disk) leaves none
    if (!rewrite.empty()) {
      const FileWriterSetup setup = w.setup();
      const int64_t first_id = setup.reserve_ids(static_cast<int64_t>(rewrite.size()));
      const std::string data_cols = column_names(w.data_columns);
      for (size_t i = 0; i < rewrite.size(); ++i) {
        const AddFile& old = *rewrite[i];
        const std::string kept = "SELECT " + data_cols + " FROM (" + scan_sql(w.only(old), w.ctx.root_dir) +
                                 ") WHERE (" + predicate + "\n) IS NOT TRUE";
        create_folders(w.ctx.root_dir / partition_folder(setup, old.partition_values));
        AddFile add = write_parquet_file(setup, w.conn, first_id + static_cast<int64_t>(i), old.partition_values, kept);
        add.stats = compute_file_stats(w.conn, "(" + kept + ")", w.data_columns);
        if (add.stats->num_records == 0) {  // every row matched after all (no stats in the old file)
          w.store.remove(w.ctx.root_key + "/" + add.path);
          continue;
        }
        written.push_back(std::move(add));
      }
    }
    commit.adds = written;
    int64_t version = w.try_commit(commit);
    if (version >= 0) {
      unless_committed.keep();
      return {version, deleted, static_cast<int64_t>(written.size()), static_cast<int64_t>(commit.removes.size())};
    }
    w.remove_files(written);
  }
  w.conflict();
}

}  // namespace superstore::storage
