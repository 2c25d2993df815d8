// OPTIMIZE, the compaction half of TableWriter (see write_base.h): in every partition, the files below half
// the target size are read together, sorted by the sort keys and written again as files of about the target
// size, in one commit whose actions say dataChange: false (the rows are the same; streaming readers skip
// it). The old files stay on disk for readers of older versions until VACUUM removes them.
#include <map>
#include <vector>

#include "storage/file_cache.h"
#include "storage/file_writer.h"
#include "storage/scan_sql.h"
#include "storage/write_base.h"

namespace superstore::storage {

bool is_small_file(const AddFile& file, int64_t target_file_bytes) { return file.size < target_file_bytes / 2; }

WriteResult optimize_files(WriteBase& w) {
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    w.base = w.latest();
    std::map<PartitionValues, std::vector<const AddFile*>> small;
    for (const auto& f : w.base.files) {
      if (is_small_file(f, w.ctx.target_file_bytes)) small[f.partition_values].push_back(&f);
    }
    std::vector<PartitionRows> sources;
    std::vector<AddFile> inputs;  // the files compacted
    Commit commit;
    commit.info.operation = "OPTIMIZE";
    int64_t rows = 0;
    for (const auto& [values, files] : small) {
      if (files.size() < 2) continue;  // one small file alone is as compact as its partition gets
      Snapshot group = w.base;
      group.files.clear();
      for (const AddFile* f : files) {
        group.files.push_back(*f);
        inputs.push_back(*f);
        RemoveFile r = w.removal_of(*f);
        r.data_change = false;
        commit.removes.push_back(std::move(r));
        rows += f->stats ? f->stats->num_records : 0;
      }
      // The files' own sizes say how many new files the rows fill: the writer's estimate from raw sizes
      // could cut them into files small enough for the next OPTIMIZE to compact again.
      int64_t bytes = 0, known_rows = 0;
      bool all_counted = true;
      for (const AddFile* f : files) {
        bytes += f->size;
        known_rows += f->stats ? f->stats->num_records : 0;
        all_counted = all_counted && f->stats.has_value();
      }
      sources.push_back({w.partitions.number_of(values), scan_sql(group, w.ctx.root_dir), "",
                         all_counted ? known_rows : -1, static_cast<double>(bytes) / kAssumedParquetRatio});
    }
    if (sources.empty()) return {-1, 0, 0, 0};  // nothing to compact: no new version
    // On a remote store, the files to compact are copied here first and kept while they are read.
    const auto local_copies = w.ctx.remote ? w.ctx.remote->fetch(w.ctx.root_key, inputs) : nullptr;
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
