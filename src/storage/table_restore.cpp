// RESTORE, the undo half of TableWriter (see write_base.h): one commit after which the table holds exactly
// the files it held at an earlier version. The files added since are removed and the files removed since
// are added again, with the stats they had; no data file is written. It is what an interrupted
// multi-table change (fake-data advance) uses to take back the versions it committed before it stopped.
#include <set>

#include "common/error.h"
#include "storage/write_base.h"

namespace superstore::storage {

WriteResult restore_files(WriteBase& w, int64_t version) {
  const Snapshot target = w.log.snapshot(version);
  std::set<std::string> wanted;
  for (const auto& f : target.files) wanted.insert(f.path);
  WriteResult result;
  // A commit that lands past a newer version (try_commit moves past those that remove none of these
  // files) may leave files of that version live, so each round compares again; the second finds nothing
  // left to do unless someone keeps writing.
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    w.base = w.latest();  // the kept snapshot, brought forward (no replay), as the other writes start
    std::set<std::string> live;
    Commit commit;
    commit.info.operation = "RESTORE";
    commit.info.operation_parameters = {{"version", version}};
    for (const auto& f : w.base.files) {
      live.insert(f.path);
      if (!wanted.count(f.path)) commit.removes.push_back(w.removal_of(f));
    }
    for (const auto& f : target.files) {
      if (live.count(f.path)) continue;
      if (!w.store.exists(w.ctx.root_key + "/" + f.path)) {
        fail(ErrorCode::Conflict, w.where() + " cannot go back to version " + std::to_string(version) + ": its file " +
                                      f.path + " is gone (removed by VACUUM)");
      }
      AddFile again = f;
      again.data_change = true;
      commit.adds.push_back(std::move(again));
    }
    if (commit.adds.empty() && commit.removes.empty()) return result;
    const int64_t landed = w.try_commit(commit);
    if (landed < 0) continue;
    result = {landed, 0, static_cast<int64_t>(commit.adds.size()), static_cast<int64_t>(commit.removes.size())};
    if (landed == w.base.version + 1) return result;
  }
  w.conflict();
}

}  // namespace superstore::storage
