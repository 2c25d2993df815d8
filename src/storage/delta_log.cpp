#include "storage/delta_log.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <sstream>

#include "common/error.h"
#include "common/parse_int.h"
#include "storage/delta_paths.h"

namespace superstore::storage {
namespace {

using nlohmann::json;

constexpr size_t kVersionDigits = 20;

// A field of an action that has the wrong type or does not fit. The log is then corrupt; the caller
// that knows the file and line says so (read_action).
struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A whole-number field, `fallback` when absent or null. Anything else is refused, floats included:
// converting one that does not fit into an int64 is undefined behaviour (found by fuzz/delta_commit_fuzz.cpp).
int64_t whole_number(const json& object, const char* key, int64_t fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX})) {
    throw BadField(std::string("field '") + key + "' must be a whole number, not " + it->dump());
  }
  return it->get<int64_t>();
}

int protocol_version(const json& object, const char* key, int fallback) {
  // Versions past INT_MAX stay past anything this reader supports, so check_readable refuses them.
  return static_cast<int>(std::min<int64_t>(whole_number(object, key, fallback), INT_MAX));
}

// Parses "<20 digits><suffix>" (a commit or checkpoint file name); -1 when it does not match.
int64_t version_of(std::string_view name, std::string_view suffix) {
  if (name.size() != kVersionDigits + suffix.size() || name.substr(kVersionDigits) != suffix) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < kVersionDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    // Twenty digits can exceed int64 (found by fuzz/paths_fuzz.cpp); no writer gets there.
    if (v > (INT64_MAX - (name[i] - '0')) / 10) return -1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

json partition_values_json(const PartitionValues& values) {
  json out = json::object();
  for (const auto& [k, v] : values) out[k] = v ? json(*v) : json(nullptr);
  return out;
}

PartitionValues parse_partition_values(const json& j) {
  PartitionValues out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) {
    // The protocol lets readers treat an empty string like null; Spark never writes one.
    if (v.is_string() && !v.get_ref<const std::string&>().empty()) {
      out[k] = v.get<std::string>();
    } else {
      out[k] = std::nullopt;
    }
  }
  return out;
}

json stats_json(const FileStats& s) {
  json j = {{"numRecords", s.num_records},
            {"minValues", s.min_values},
            {"maxValues", s.max_values},
            {"nullCount", s.null_count}};
  if (!s.distinct_count.empty()) j["distinctCount"] = s.distinct_count;
  return j;
}

FileStats parse_stats(const json& j) {
  FileStats s;
  s.num_records = whole_number(j, "numRecords", 0);
  if (j.contains("minValues") && j["minValues"].is_object()) s.min_values = j["minValues"];
  if (j.contains("maxValues") && j["maxValues"].is_object()) s.max_values = j["maxValues"];
  if (j.contains("nullCount") && j["nullCount"].is_object()) s.null_count = j["nullCount"];
  if (j.contains("distinctCount") && j["distinctCount"].is_object()) s.distinct_count = j["distinctCount"];
  return s;
}

std::string schema_string(const std::vector<DeltaField>& fields) {
  json f = json::array();
  for (const auto& field : fields) {
    f.push_back(
        {{"name", field.name}, {"type", field.type}, {"nullable", field.nullable}, {"metadata", json::object()}});
  }
  return json{{"type", "struct"}, {"fields", f}}.dump();
}

std::vector<DeltaField> parse_schema_string(const std::string& text, const std::string& where) {
  json schema = json::parse(text, nullptr, false);
  if (schema.is_discarded() || !schema.contains("fields") || !schema["fields"].is_array()) {
    fail(ErrorCode::Internal, where + ": metaData.schemaString is not a Delta schema");
  }
  std::vector<DeltaField> fields;
  for (const auto& f : schema["fields"]) {
    fields.push_back({f.value("name", ""), f.value("type", json("string")), f.value("nullable", true)});
  }
  return fields;
}

json protocol_json(const Protocol& p) {
  json j = {{"minReaderVersion", p.min_reader_version}, {"minWriterVersion", p.min_writer_version}};
  if (p.min_reader_version >= 3) j["readerFeatures"] = p.reader_features;
  if (p.min_writer_version >= 7) j["writerFeatures"] = p.writer_features;
  return j;
}

Protocol parse_protocol(const json& j) {
  Protocol p;
  p.min_reader_version = protocol_version(j, "minReaderVersion", 1);
  p.min_writer_version = protocol_version(j, "minWriterVersion", 2);
  if (j.contains("readerFeatures") && j["readerFeatures"].is_array()) p.reader_features = j["readerFeatures"];
  if (j.contains("writerFeatures") && j["writerFeatures"].is_array()) p.writer_features = j["writerFeatures"];
  return p;
}

json metadata_json(const Metadata& m) {
  json j = {{"id", m.id},
            {"format", {{"provider", "parquet"}, {"options", json::object()}}},
            {"schemaString", schema_string(m.fields)},
            {"partitionColumns", m.partition_columns},
            {"configuration", m.configuration},
            {"createdTime", m.created_time}};
  if (!m.name.empty()) j["name"] = m.name;
  if (!m.description.empty()) j["description"] = m.description;
  return j;
}

Metadata parse_metadata(const json& j, const std::string& where) {
  Metadata m;
  m.id = j.value("id", "");
  m.fields = parse_schema_string(j.value("schemaString", "{}"), where);
  if (j.contains("partitionColumns") && j["partitionColumns"].is_array()) m.partition_columns = j["partitionColumns"];
  if (j.contains("configuration") && j["configuration"].is_object()) {
    for (const auto& [k, v] : j["configuration"].items()) {
      if (v.is_string()) m.configuration[k] = v.get<std::string>();
    }
  }
  m.created_time = whole_number(j, "createdTime", 0);
  if (j.contains("name") && j["name"].is_string()) m.name = j["name"];
  if (j.contains("description") && j["description"].is_string()) m.description = j["description"];
  return m;
}

json add_json(const AddFile& a) {
  json j = {{"path", uri_encode_path(a.path)},
            {"partitionValues", partition_values_json(a.partition_values)},
            {"size", a.size},
            {"modificationTime", a.modification_time},
            {"dataChange", a.data_change}};
  if (a.stats) j["stats"] = stats_json(*a.stats).dump();
  if (!a.tags.empty()) j["tags"] = a.tags;
  return j;
}

AddFile parse_add(const json& j) {
  AddFile a;
  a.path = uri_decode(j.value("path", ""));
  a.partition_values = parse_partition_values(j.value("partitionValues", json::object()));
  a.size = whole_number(j, "size", 0);
  a.modification_time = whole_number(j, "modificationTime", 0);
  a.data_change = j.value("dataChange", true);
  if (j.contains("stats") && j["stats"].is_string()) {
    json s = json::parse(j["stats"].get<std::string>(), nullptr, false);
    // Stats are optional: like stats that are not JSON, stats that make no sense are left out.
    try {
      if (!s.is_discarded() && s.is_object()) a.stats = parse_stats(s);
    } catch (const BadField&) {
    }
  }
  if (j.contains("tags") && j["tags"].is_object()) {
    for (const auto& [k, v] : j["tags"].items()) {
      if (v.is_string()) a.tags[k] = v.get<std::string>();
    }
  }
  return a;
}

json remove_json(const RemoveFile& r) {
  return {{"path", uri_encode_path(r.path)},
          {"deletionTimestamp", r.deletion_timestamp},
          {"dataChange", r.data_change},
          {"extendedFileMetadata", true},
          {"partitionValues", partition_values_json(r.partition_values)},
          {"size", r.size}};
}

RemoveFile parse_remove(const json& j) {
  RemoveFile r;
  r.path = uri_decode(j.value("path", ""));
  r.deletion_timestamp = whole_number(j, "deletionTimestamp", 0);
  r.data_change = j.value("dataChange", true);
  r.partition_values = parse_partition_values(j.value("partitionValues", json::object()));
  r.size = whole_number(j, "size", 0);
  return r;
}

// Reads one action of a commit file; a field of the wrong type (nlohmann::json's type_error, or BadField)
// becomes Error(Internal) naming the file and line.
template <typename Read>
void read_action(const std::string& where, size_t line_no, Read read) {
  try {
    read();
  } catch (const json::exception& e) {
    fail(ErrorCode::Internal, where + " line " + std::to_string(line_no) + " is not a valid action: " + e.what());
  } catch (const BadField& e) {
    fail(ErrorCode::Internal, where + " line " + std::to_string(line_no) + " is not a valid action: " + e.what());
  }
}

// One action of parse_commit's commit.
void parse_action(const json& action, const std::string& where, Commit& c) {
  if (action.contains("add")) c.adds.push_back(parse_add(action["add"]));
  if (action.contains("remove")) c.removes.push_back(parse_remove(action["remove"]));
  if (action.contains("metaData")) c.metadata = parse_metadata(action["metaData"], where);
  if (action.contains("protocol")) c.protocol = parse_protocol(action["protocol"]);
  if (action.contains("commitInfo")) {
    const json& i = action["commitInfo"];
    c.info.timestamp = whole_number(i, "timestamp", 0);
    c.info.operation = i.value("operation", "");
    c.info.read_version = whole_number(i, "readVersion", -1);
    c.info.is_blind_append = i.value("isBlindAppend", false);
    if (i.contains("operationParameters")) c.info.operation_parameters = i["operationParameters"];
  }
}

// Replay state: newest action per path wins.
struct Replay {
  std::map<std::string, AddFile> files;
  std::map<std::string, RemoveFile> tombstones;
  std::optional<Protocol> protocol;
  std::optional<Metadata> metadata;
  int64_t timestamp = 0;
  bool all_tombstones = true;

  void apply(const json& action, const std::string& where) {
    if (action.contains("add")) {
      AddFile a = parse_add(action["add"]);
      tombstones.erase(a.path);
      files[a.path] = std::move(a);
    } else if (action.contains("remove")) {
      RemoveFile r = parse_remove(action["remove"]);
      files.erase(r.path);
      tombstones[r.path] = std::move(r);
    } else if (action.contains("metaData")) {
      metadata = parse_metadata(action["metaData"], where);
    } else if (action.contains("protocol")) {
      protocol = parse_protocol(action["protocol"]);
    } else if (action.contains("commitInfo")) {
      timestamp = whole_number(action["commitInfo"], "timestamp", 0);
    }
    // txn, cdc, domainMetadata and unknown actions do not change the file set.
  }

  void apply_commit_text(const std::string& text, const std::string& where) {
    timestamp = 0;
    std::istringstream in(text);
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json action = json::parse(line, nullptr, false);
      if (action.is_discarded() || !action.is_object()) {
        fail(ErrorCode::Internal, where + " line " + std::to_string(line_no) + " is not a JSON object");
      }
      read_action(where, line_no, [&] { apply(action, where); });
    }
  }

  Snapshot finish(int64_t version, const std::string& root) {
    if (!protocol || !metadata) {
      fail(ErrorCode::Internal, "log of '" + root + "' has no " + std::string(!protocol ? "protocol" : "metaData") +
                                    " action up to version " + std::to_string(version));
    }
    check_readable(*protocol, root);
    Snapshot s;
    s.version = version;
    s.timestamp = timestamp;
    s.protocol = *protocol;
    s.metadata = *metadata;
    s.files.reserve(files.size());
    for (auto& [_, f] : files) s.files.push_back(std::move(f));
    for (auto& [_, t] : tombstones) s.tombstones.push_back(std::move(t));
    s.all_tombstones = all_tombstones;
    return s;
  }
};

std::string base_name(const std::string& key) {
  size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

// The newest checkpoint and commit, found as Delta readers may without listing `_delta_log` (whose names
// grow by one per commit, forever): `_last_checkpoint` names a checkpoint, and the commits after it are
// probed one by one until one is missing (at most CHECKPOINT_INTERVAL of them). nullopt when there is no
// readable `_last_checkpoint` or its checkpoint is gone; the caller then lists the log.
struct LogTail {
  int64_t checkpoint;
  int64_t latest;
};
std::optional<LogTail> probe_tail(blob::BlobStore& store, const DeltaLog& log) {
  // A table without a checkpoint yet has no _last_checkpoint: that miss costs one request and no exception
  // (get_if_exists), as it comes on every cold read of a young table.
  const std::optional<std::string> text = store.get_if_exists(log.last_checkpoint_key());
  if (!text) return std::nullopt;
  const nlohmann::json last = nlohmann::json::parse(*text, nullptr, false);
  // Unreadable: an optimisation only, so the caller lists instead.
  if (!last.is_object() || !last.contains("version") || !last["version"].is_number_integer()) return std::nullopt;
  const int64_t checkpoint = last["version"].get<int64_t>();
  if (checkpoint < 0 || !store.exists(log.checkpoint_key(checkpoint))) return std::nullopt;
  int64_t latest = checkpoint;
  while (store.exists(log.commit_key(latest + 1))) ++latest;
  return LogTail{checkpoint, latest};
}

// A replay that continues from `base`.
Replay replay_from(const Snapshot& base) {
  Replay replay;
  for (const auto& f : base.files) replay.files.emplace_hint(replay.files.end(), f.path, f);
  for (const auto& t : base.tombstones) replay.tombstones.emplace_hint(replay.tombstones.end(), t.path, t);
  replay.protocol = base.protocol;
  replay.metadata = base.metadata;
  replay.timestamp = base.timestamp;
  replay.all_tombstones = base.all_tombstones;
  return replay;
}

}  // namespace

int64_t Snapshot::total_rows() const {
  int64_t n = 0;
  for (const auto& f : files) n += f.stats ? f.stats->num_records : 0;
  return n;
}

int64_t Snapshot::total_bytes() const {
  int64_t n = 0;
  for (const auto& f : files) n += f.size;
  return n;
}

int64_t micro_partition_id(const AddFile& file) {
  auto it = file.tags.find("micro_partition_id");
  return it == file.tags.end() ? 0 : parse_int64(it->second).value_or(0);
}

void check_readable(const Protocol& p, const std::string& where) {
  if (p.min_reader_version == 2 || p.min_reader_version > 3) {
    fail(ErrorCode::Internal, where + ": the table needs Delta reader version " + std::to_string(p.min_reader_version) +
                                  "; superstore reads versions 1 and 3 (without column mapping)");
  }
  for (const auto& f : p.reader_features) {
    if (f != "timestampNtz") {
      fail(ErrorCode::Internal,
           where + ": the table needs the Delta reader feature '" + f + "', which superstore does not implement");
    }
  }
}

std::vector<json> snapshot_actions(const Snapshot& s) {
  std::vector<json> out;
  out.reserve(2 + s.files.size() + s.tombstones.size());
  out.push_back({{"protocol", protocol_json(s.protocol)}});
  out.push_back({{"metaData", metadata_json(s.metadata)}});
  for (const auto& a : s.files) out.push_back({{"add", add_json(a)}});
  for (const auto& r : s.tombstones) out.push_back({{"remove", remove_json(r)}});
  return out;
}

std::string serialize_commit(const Commit& c) {
  json info = {{"timestamp", c.info.timestamp},
               {"operation", c.info.operation},
               {"operationParameters", c.info.operation_parameters},
               {"isBlindAppend", c.info.is_blind_append},
               {"engineInfo", "superstore/0.1"}};
  if (c.info.read_version >= 0) info["readVersion"] = c.info.read_version;
  std::string out = json{{"commitInfo", info}}.dump() + "\n";
  if (c.protocol) out += json{{"protocol", protocol_json(*c.protocol)}}.dump() + "\n";
  if (c.metadata) out += json{{"metaData", metadata_json(*c.metadata)}}.dump() + "\n";
  for (const auto& r : c.removes) out += json{{"remove", remove_json(r)}}.dump() + "\n";
  for (const auto& a : c.adds) out += json{{"add", add_json(a)}}.dump() + "\n";
  return out;
}

Commit parse_commit(const std::string& text, const std::string& where) {
  Commit c;
  std::istringstream in(text);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json action = json::parse(line, nullptr, false);
    if (action.is_discarded() || !action.is_object())
      fail(ErrorCode::Internal, where + " holds a line that is not JSON");
    read_action(where, line_no, [&] { parse_action(action, where, c); });
  }
  return c;
}

DeltaLog::DeltaLog(blob::BlobStore& store, std::string table_root, CheckpointReader checkpoint_reader)
    : store_(store), root_(std::move(table_root)), checkpoint_reader_(std::move(checkpoint_reader)) {}

std::string DeltaLog::commit_key(int64_t version) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020lld.json", static_cast<long long>(version));
  return root_ + "/_delta_log/" + name;
}

std::string DeltaLog::checkpoint_key(int64_t version) const {
  char name[48];
  std::snprintf(name, sizeof name, "%020lld.checkpoint.parquet", static_cast<long long>(version));
  return root_ + "/_delta_log/" + name;
}

std::string DeltaLog::last_checkpoint_key() const { return root_ + "/_delta_log/_last_checkpoint"; }

std::vector<int64_t> DeltaLog::checkpoint_versions() const {
  std::vector<int64_t> checkpoints;
  list_versions(&checkpoints);
  return checkpoints;
}

std::vector<int64_t> DeltaLog::list_versions(std::vector<int64_t>* checkpoints) const {
  std::vector<int64_t> versions;
  const std::string folder = root_ + "/_delta_log/";
  for (const auto& key : store_.list(folder)) {
    // list() reaches into subfolders; a commit file in one (say _delta_log/_commits/) is not the commit of
    // that version, which commit_key names (found by fuzz/paths_fuzz.cpp).
    if (key.find('/', folder.size()) != std::string::npos) continue;
    std::string name = base_name(key);
    if (int64_t v = version_of(name, ".json"); v >= 0) versions.push_back(v);
    if (checkpoints) {
      if (int64_t v = version_of(name, ".checkpoint.parquet"); v >= 0) checkpoints->push_back(v);
    }
  }
  std::sort(versions.begin(), versions.end());
  if (checkpoints) std::sort(checkpoints->begin(), checkpoints->end());
  return versions;
}

int64_t DeltaLog::latest_version() const {
  if (auto tail = probe_tail(store_, *this)) return tail->latest;
  auto versions = list_versions(nullptr);
  return versions.empty() ? -1 : versions.back();
}

bool DeltaLog::has_version(int64_t version) const { return version >= 0 && store_.exists(commit_key(version)); }

Snapshot DeltaLog::snapshot(std::optional<int64_t> version, bool use_checkpoint, bool with_tombstones) const {
  std::vector<int64_t> checkpoints, versions;
  // The latest version from the newest checkpoint needs no listing (see probe_tail); older ones do.
  const auto tail = use_checkpoint && checkpoint_reader_ ? probe_tail(store_, *this) : std::nullopt;
  if (tail && (!version || (*version >= tail->checkpoint && *version <= tail->latest))) {
    checkpoints = {tail->checkpoint};
    for (int64_t v = tail->checkpoint; v <= tail->latest; ++v) versions.push_back(v);
  } else {
    versions = list_versions(&checkpoints);
  }
  if (versions.empty()) fail(ErrorCode::NotFound, "table '" + root_ + "' has no commits in its log");
  int64_t target = version.value_or(versions.back());
  if (target < 0 || target > versions.back()) {
    fail(ErrorCode::NotFound, "version " + std::to_string(target) + " of '" + root_ +
                                  "' does not exist; the latest is " + std::to_string(versions.back()));
  }

  Replay replay;
  int64_t start = 0;
  if (use_checkpoint && checkpoint_reader_) {
    auto it = std::upper_bound(checkpoints.begin(), checkpoints.end(), target);
    if (it != checkpoints.begin()) {
      const int64_t cp = *(it - 1);
      const std::string key = checkpoint_key(cp);
      for (const auto& action : checkpoint_reader_(key, with_tombstones)) replay.apply(action, key);
      replay.all_tombstones = with_tombstones;
      // A checkpoint holds no commitInfo; the snapshot's time is that of its commit.
      if (cp == target && has_version(cp)) replay.timestamp = read_commit(cp).info.timestamp;
      start = cp + 1;
    }
  }
  for (int64_t v = start; v <= target; ++v) {
    if (!std::binary_search(versions.begin(), versions.end(), v)) {
      fail(ErrorCode::Internal, "log of '" + root_ + "' is missing version " + std::to_string(v) +
                                    " (its versions are not contiguous), so version " + std::to_string(target) +
                                    " cannot be read");
    }
    std::string key = commit_key(v);
    replay.apply_commit_text(store_.get(key), key);
  }
  return replay.finish(target, root_);
}

Snapshot DeltaLog::advance(const Snapshot& base, int64_t target) const {
  if (target == base.version) return base;
  Replay replay = replay_from(base);
  for (int64_t v = base.version + 1; v <= target; ++v) {
    std::string key = commit_key(v);
    replay.apply_commit_text(store_.get(key), key);
  }
  return replay.finish(target, root_);
}

std::optional<Snapshot> DeltaLog::catch_up(const Snapshot& base, int64_t max_commits) const {
  Replay replay = replay_from(base);
  int64_t version = base.version;
  for (; version - base.version <= max_commits; ++version) {
    const std::string key = commit_key(version + 1);
    std::optional<std::string> text = store_.get_if_exists(key);
    if (!text) return replay.finish(version, root_);
    replay.apply_commit_text(*text, key);
  }
  return std::nullopt;
}

int64_t DeltaLog::last_checkpoint() const {
  const auto tail = probe_tail(store_, *this);
  return tail ? tail->checkpoint : -1;
}

bool DeltaLog::try_commit(int64_t version, const Commit& commit) const {
  return store_.put_if_absent(commit_key(version), serialize_commit(commit));
}

Commit DeltaLog::read_commit(int64_t version) const {
  std::string key = commit_key(version);
  if (!store_.exists(key))
    fail(ErrorCode::NotFound, "version " + std::to_string(version) + " of '" + root_ + "' does not exist");
  return parse_commit(store_.get(key), key);
}

}  // namespace superstore::storage
