// Fuzz target: the Delta log (storage/delta_log.cpp), which reads commits that other writers may have
// made. Modes (first byte):
//  0  the bytes as one commit file: parse_commit, then serialize_commit;
//  1  the bytes as version 1 of a table whose version 0 is superstore's own: replayed into a snapshot,
//     brought forward from version 0 by advance, listed as history, and turned into the scan's SQL;
//  2  the bytes as version 0 (so the protocol and schema are the input's), replayed and scanned.
// Properties: a bad log is refused only by Error (Internal for a corrupt log, InvalidArgument for a bad
// path escape, never a JSON library exception); serializing a parsed commit and parsing it again gives
// the same text; advance from version 0 gives the snapshot that replaying from scratch gives.
#include <string>

#include "blob/blob_store.h"
#include "fuzz/fuzz_support.h"
#include "storage/delta_log.h"
#include "storage/scan_sql.h"
#include "storage/table_history.h"

namespace {

using namespace superstore;
using namespace superstore::storage;

const std::initializer_list<ErrorCode> kLogErrors = {ErrorCode::Internal, ErrorCode::InvalidArgument,
                                                     ErrorCode::NotFound};

const char* const kVersionZero =
    R"({"commitInfo":{"timestamp":1700000000000,"operation":"CREATE TABLE","operationParameters":{}}})"
    "\n"
    R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
    "\n"
    R"({"metaData":{"id":"5f1c0000-0000-4000-8000-000000000001","format":{"provider":"parquet","options":{}},)"
    R"("schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,)"
    R"(\"metadata\":{}},{\"name\":\"dept\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}",)"
    R"("partitionColumns":["dept"],"configuration":{},"createdTime":1700000000000}})"
    "\n";

void check_round_trip(const std::string& text) {
  Commit parsed;
  if (!fuzz::rejects_only_with(kLogErrors, [&] { parsed = parse_commit(text, "input"); })) return;
  const std::string once = serialize_commit(parsed);
  Commit again;
  const bool reparsed = fuzz::rejects_only_with(kLogErrors, [&] { again = parse_commit(once, "serialized"); });
  FUZZ_CHECK(reparsed, "a serialized commit does not parse:\n" + once);
  FUZZ_CHECK(serialize_commit(again) == once, "serialize(parse(serialize(c))) differs from serialize(c):\n" + once);
}

std::string describe_files(const Snapshot& s) {
  std::string out;
  for (const auto& f : s.files) {
    out += f.path + " " + std::to_string(f.size) + " " + std::to_string(f.stats ? f.stats->num_records : -1);
    for (const auto& [k, v] : f.partition_values) out += " " + k + "=" + v.value_or("<null>");
    out += "\n";
  }
  return out;
}

void check_replay(const std::string& version_zero, const std::optional<std::string>& version_one) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  store.put(log.commit_key(0), version_zero);
  if (version_one) store.put(log.commit_key(1), *version_one);
  Snapshot latest;
  if (!fuzz::rejects_only_with(kLogErrors, [&] { latest = log.snapshot(); })) return;
  fuzz::rejects_only_with(kLogErrors, [&] { table_history(log, 10); });
  fuzz::rejects_only_with(kLogErrors, [&] { scan_sql(latest, "/nowhere/t"); });
  if (!version_one) return;
  const Snapshot first = log.snapshot(0);
  Snapshot advanced;
  const bool advanced_ok = fuzz::rejects_only_with(kLogErrors, [&] { advanced = log.advance(first, 1); });
  FUZZ_CHECK(advanced_ok, "advance failed where a replay from version 0 succeeded");
  FUZZ_CHECK(describe_files(advanced) == describe_files(latest) && advanced.timestamp == latest.timestamp,
             "advance and replay disagree:\n" + describe_files(advanced) + "---\n" + describe_files(latest));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [mode, rest] = fuzz::split_mode(data, size, 3);
  const std::string text(rest);
  switch (mode) {
    case 0:
      check_round_trip(text);
      break;
    case 1:
      check_replay(kVersionZero, text);
      break;
    default:
      check_replay(text, std::nullopt);
      break;
  }
  return 0;
}
