// OPTIMIZE, the compaction half of TableWriter (see write_base.h): in every partition, the files below half
// the target size are read together, sorted by the sort keys and written again as files of about the target
// size, in one commit whose actions say dataChange: false (the rows are the same; streaming readers skip
// it). The old files stay on disk for readers of older versions until VACUUM removes them.
#include <map>
#include <vector>

#include "storage/scan_sql.h"
#include "storage/write_base.h"

namespace superstore::storage {

bool is_small_file(const AddFile& file, int64_t target_file_bytes) { return file.size < target_file_bytes / 2; }

WriteResult optimize_files(WriteBase& w) {
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    w.base = w.log.snapshot();
    std::map<PartitionValues, std::vector<const AddFile*>> small;
    for (const auto& f : w.base.files) {
      if (is_small_file(f, w.ctx.target_file_bytes)) small[f.partition_values].push_back(&f);
    }
    std::vector<PartitionRows> sources;
    Commit commit;
    commit.info.operation = "OPTIMIZE";
    int64_t rows = 0;
    for (const auto& [values, files] : small) {
      if (files.size() < 2) continue;  // one small file alone is as compact as its partition gets
      Snapshot group = w.base;
      group.files.clear();
      for (const AddFile* f : files) {
        group.files.push_back(*f);
        RemoveFile r = w.removal_of(*f);
        r.data_change = false;
        commit.removes.push_back(std::move(r));
        rows += f->stats ? f->stats->num_records : 0;
      }
      sources.push_back({w.partitions.number_of(values), scan_sql(group, w.ctx.root_dir), "", -1, 0});
    }
    if (sources.empty()) return {-1, 0, 0, 0};  // nothing to compact: no new version
    commit.info.operation_parameters = {{"predicate", nlohmann::json::array()},
                                        {"targetSize", w.ctx.target_file_bytes},
                                        {"zOrderBy", nlohmann::json::array()}};
    std::vector<AddFile> written = write_micro_partitions(w.setup(), sources);
    for (auto& a : written) a.data_change = false;
    commit.adds = written;
    RemoveUnlessKept unless_committed(w.store, w.ctx.root_key, written);
    const int64_t version = w.try_commit(commit);
    if (version >= 0) {
      unless_committed.keep();
      return {version, rows, static_cast<int64_t>(written.size()), static_cast<int64_t>(commit.removes.size())};
    }
    // A write replaced one of these files meanwhile (an insert merges the newest small file): start again
    // from the newer version; the files of this attempt go.
  }
  w.conflict();
}

}  // namespace superstore::storage
