#include "storage/warehouse.h"

#include <algorithm>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "common/clock.h"
#include "common/defaults.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/types.h"
#include "query/database.h"
#include "query/row_predicate.h"
#include "query/sql_tree.h"
#include "storage/checkpoint.h"
#include "storage/csv_file.h"
#include "storage/file_cache.h"
#include "storage/file_diagnosis.h"
#include "storage/file_pruning.h"
#include "storage/memory_budget.h"
#include "storage/prune_filters.h"
#include "storage/query_sessions.h"
#include "storage/scan_sql.h"
#include "storage/table_history.h"
#include "storage/write_base.h"

namespace superstore::storage {
namespace {

// The streaming buffer of an import's reader (see insert_file): 32 MB cut the CPU time of a 2 M-row CSV
// import by about a fifth against DuckDB's default; larger buffers gained nothing more.
constexpr const char* kImportStreamBuffer = "32MB";

// A DuckDB engine opened at its first use. Opening one costs about 10 ms of start-up and most runs of a
// CLI command, and `serve` until its first write, need only the query engine.
class LazyEngine {
 public:
  explicit LazyEngine(std::function<query::DatabaseOptions()> options) : options_(std::move(options)) {}
  query::Database& get() {
    std::call_once(opened_, [this] { engine_.emplace(options_()); });
    return *engine_;
  }

 private:
  std::function<query::DatabaseOptions()> options_;
  std::once_flag opened_;
  std::optional<query::Database> engine_;
};

// A kept snapshot is brought up to date by reading the commits after it while there are at most this
// many (or CHECKPOINT_INTERVAL, if larger); past that, from the newest checkpoint.
constexpr int64_t kCatchUpCommits = 32;

// Warehouse::upkeep lists a table's folder at most this often (ms); vacuum() lists afresh and forgets it.
constexpr int64_t kUpkeepListingMs = 60'000;

std::string random_uuid() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

// Every identifier-like word of `sql`, lowercased (quoted identifiers included, without their quotes).
std::set<std::string> sql_words(const std::string& sql) {
  std::set<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.insert(lower(word));
    word.clear();
  };
  for (char c : sql) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return words;
}

// Whether running `sql` may have seeded the connection's random numbers. setseed() must be called by
// name, and DuckDB 1.4 reads no escaped identifiers (U&"..."), so a query that does not spell it can
// only reach it through SQL text built at run time: query('SELECT set' || 'seed(0.5)') or
// json_execute_serialized_sql(...). Any mention of those, even in a string or a comment, counts.
bool may_set_seed(const std::string& sql) {
  const std::string text = lower(sql);
  for (const char* word : {"setseed", "query", "sql"}) {
    if (text.find(word) != std::string::npos) return true;
  }
  return false;
}

// SQL for the UTC TIMESTAMP that the text `column` names, as CAST(... AS TIMESTAMPTZ) reads it. That cast
// is ICU's (the engine's TimeZone is UTC), and it has two faults:
//  - it runs a calendar for every value, ~200 ns each, a tenth of a CSV import's CPU time. DuckDB's own
//    cast to TIMESTAMP reads the same text in under a third of that time and agrees with it, except that
//    it drops a numeric UTC offset ("12:00:00+02" as 12:00) and refuses zone names other than UTC. So
//    text with a '+', or with a '-' after a ':' (an offset follows the time), and text it refuses go to ICU;
//  - in DuckDB 1.4.4 a value with a zone name ("12:00:00 EST") leaves that zone to the values after it
//    in the vector that have none: they are read in that zone. Each CAST expression has a calendar of its
//    own, so text with a run of letters gets one, and the rest of ICU's share another.
// ICU's error names an unreadable value as before.
std::string timestamp_from_text(const std::string& column) {
  const std::string icu = "CAST(CAST(" + column + " AS TIMESTAMPTZ) AS TIMESTAMP)";
  return "COALESCE(CASE WHEN NOT (contains(" + column + ", '+') OR " + column + " LIKE '%:%-%') THEN TRY_CAST(" +
         column + " AS TIMESTAMP) END, CASE WHEN regexp_matches(" + column + ", '[A-Za-z]{3}') THEN " + icu + " ELSE " +
         icu + " END)";
}

// The first value of a Timestamp column that does not read as one, with its line in the file, if any.
// `csv`: the file, whose physical lines the messages name (plus `line_offset`, for one part of an upload);
// null for JSON lines (one record a line).
// A second pass over the file, so it runs only once a load has failed.
std::optional<std::string> bad_timestamp(query::Database& engine, const catalog::TableInfo& table,
                                         const std::string& reader, const std::filesystem::path* csv,
                                         int64_t line_offset) {
  query::Connection conn(engine);
  for (const auto& c : table.columns) {
    if (c.type != ColumnType::Timestamp) continue;
    std::string col = query::quote_identifier(c.name);
    auto r =
        conn.execute("SELECT rn, v FROM (SELECT row_number() OVER () AS rn, CAST(" + col + " AS VARCHAR) AS v FROM " +
                     reader + ") WHERE v IS NOT NULL AND TRY_CAST(v AS TIMESTAMPTZ) IS NULL LIMIT 1");
    if (r.row_count() > 0) {
      const int64_t record = r.get_int64(0, 0);
      const int64_t line = csv ? csv_physical_line(*csv, record + 1) + line_offset : record;
      return "line " + std::to_string(line) + ": column '" + c.name + "' holds '" + r.get_string(1, 0) +
             "', which is not a Timestamp (use e.g. 2024-01-31 10:00:00 or 2024-01-31T10:00:00+02:00)";
    }
  }
  return std::nullopt;
}

// The table store WAREHOUSE_URL names: S3, or a local folder (created if missing).
std::unique_ptr<blob::BlobStore> open_store(const WarehouseOptions& o) {
  if (o.warehouse_url.starts_with("s3://")) {
    blob::S3Options s3 = o.s3;
    blob::parse_s3_url(o.warehouse_url, s3);
    return std::make_unique<blob::S3BlobStore>(s3);
  }
  if (o.warehouse_url.find("://") != std::string::npos) {
    fail(ErrorCode::InvalidArgument,
         "WAREHOUSE_URL '" + o.warehouse_url + "' must be s3://bucket/prefix or a local folder");
  }
  const std::filesystem::path dir =
      o.warehouse_url.empty() ? o.data_dir / "warehouse" : std::filesystem::path(o.warehouse_url);
  std::filesystem::create_directories(dir);
  return std::make_unique<blob::LocalBlobStore>(std::filesystem::canonical(dir));
}

// Local copies of a remote store's files; null for a local store, whose files DuckDB reads in place.
std::unique_ptr<FileCache> open_cache(const WarehouseOptions& o, blob::BlobStore& store) {
  auto* s3 = dynamic_cast<blob::S3BlobStore*>(&store);
  if (!s3) return nullptr;
  const auto dir = FileCache::process_dir(o.cache_dir.empty() ? o.data_dir / "cache" : o.cache_dir);
  return std::make_unique<FileCache>(
      dir, o.cache_bytes, [s3](const std::string& key, const std::filesystem::path& to) { s3->get_to_file(key, to); },
      [s3](const std::string& key, const std::filesystem::path& from) { s3->put_file(key, from); });
}

}  // namespace

WarehouseOptions warehouse_options_from(const Config& config) {
  WarehouseOptions o;
  o.data_dir = config.data_dir;
  o.query_memory_limit = config.duckdb_memory_limit();
  o.warehouse_url = config.warehouse_url;
  o.s3.endpoint = config.s3_endpoint;
  o.s3.region = config.s3_region;
  o.s3.path_style = config.s3_path_style;
  o.s3.credentials = {config.aws_access_key_id, config.aws_secret_access_key, config.aws_session_token};
  o.s3.max_attempts = static_cast<int>(config.s3_max_attempts);
  o.s3.timeout = std::chrono::seconds(config.s3_timeout_seconds);
  o.s3.part_bytes = static_cast<uint64_t>(config.s3_part_bytes);
  o.cache_dir = config.cache_dir;
  o.cache_bytes = static_cast<uint64_t>(config.cache_bytes);
  o.checkpoint_interval = config.checkpoint_interval;
  o.fake_data_memory = config.fake_data_memory;
  o.vacuum_retention_ms = config.vacuum_retention_ms;
  o.vacuum_min_retention_ms = config.vacuum_min_retention_ms;
  return o;
}

struct Warehouse::Impl {
  WarehouseOptions options;
  std::unique_ptr<catalog::Catalog> catalog;
  std::filesystem::path temp_dir;
  std::unique_ptr<blob::BlobStore> store_owner;
  std::unique_ptr<FileCache> cache;               // S3 only
  std::unique_ptr<blob::BlobStore> cached_store;  // S3 only: store_owner, dropping local copies with blobs
  blob::BlobStore& store;
  // Absolute: the folder DuckDB reads and writes table files in: the local store's root, or the cache's.
  std::filesystem::path warehouse_dir;
  LazyEngine write_engine{[this] { return engine_options(); }};
  // Writes the files of regenerable writes (TableContext::file_engine): one DuckDB thread, used from
  // as many connections at once as the write engine has threads.
  LazyEngine file_engine{[this] {
    query::DatabaseOptions e = engine_options();
    e.threads = 1;
    return e;
  }};
  query::Database query_engine;
  // Judges delete predicates (check_row_predicate): sandboxed with no directory at all, so that nothing a
  // predicate binds can read a file.
  LazyEngine check_engine{[] { return query::DatabaseOptions{.sandboxed = true, .threads = 1}; }};
  QuerySessions sessions{query_engine, 16};
  std::mutex cache_mutex;
  std::map<int64_t, std::shared_ptr<const Snapshot>> latest;  // by table id
  std::map<int64_t, std::shared_ptr<const Snapshot>> pinned;  // by table id: the last pinned one read
  // Listings of table folders for upkeep(), by table id: when it was taken, and the blobs.
  std::map<int64_t, std::pair<int64_t, std::shared_ptr<const std::vector<blob::BlobInfo>>>> listings;
  std::mutex seed_mutex;
  std::mt19937_64 seeds{std::random_device{}()};
  mutable MemoryBudget key_memory{options.fake_data_memory};  // shared by the writes of this process

  // Fresh randomness for a session's next seed; the generator is shared, hence the lock.
  double next_seed() {
    std::lock_guard lock(seed_mutex);
    return std::uniform_real_distribution<double>(-1.0, 1.0)(seeds);
  }

  static std::filesystem::path prepare(const WarehouseOptions& o) {
    std::filesystem::create_directories(o.data_dir / "tmp");
    return std::filesystem::canonical(o.data_dir / "tmp");
  }

  query::DatabaseOptions engine_options(std::vector<std::string> extra_dirs = {}) const {
    query::DatabaseOptions e;
    e.sandboxed = true;
    e.allowed_directories = {warehouse_dir.string() + "/", temp_dir.string() + "/"};
    for (auto& d : extra_dirs) e.allowed_directories.push_back(std::move(d));
    e.memory_limit = options.query_memory_limit;
    e.threads = options.threads;
    e.temp_directory = temp_dir.string();
    return e;
  }

  explicit Impl(const WarehouseOptions& o)
      : options(o),
        catalog(catalog::Catalog::open(o.data_dir / kCatalogFileName)),
        temp_dir(prepare(o)),
        store_owner(open_store(o)),
        cache(open_cache(o, *store_owner)),
        cached_store(cache ? std::make_unique<CachedStore>(*store_owner, *cache) : nullptr),
        store(cached_store ? *cached_store : *store_owner),
        warehouse_dir(cache ? cache->dir() : static_cast<blob::LocalBlobStore&>(*store_owner).root()),
        query_engine([this] {
          // The files a query reads are never rewritten in place (every write makes new ones), so their
          // footers, read at bind and again at run for every query, can be decoded once.
          query::DatabaseOptions e = engine_options();
          e.cache_parquet_metadata = true;
          return e;
        }()) {}

  TableContext context(const catalog::TableInfo& t) {
    return {t, t.location, warehouse_dir / t.location,
            t.target_file_bytes > 0 ? t.target_file_bytes : options.default_target_file_bytes, cache.get(), temp_dir,
            options.checkpoint_interval, options.vacuum_retention_ms,
            // Writes build on the log's newest version, whatever a pin shows readers.
            [this, t] { return log_latest(t); }, &key_memory,
            [this]() -> query::Database& { return file_engine.get(); }};
  }

  DeltaLog log_of(const catalog::TableInfo& t) {
    // Checkpoints are read on the query engine, which every process opens anyway.
    return DeltaLog(store, t.location, make_checkpoint_reader(query_engine, store, temp_dir));
  }
  catalog::TableInfo start_table(const catalog::NewTable& table);
  std::optional<int64_t> version_to_read(const catalog::TableInfo& t, const QueryOptions& options);
  void bind_views(QuerySession& session, const std::string& sql, const QueryOptions& options,
                  const std::vector<std::string>& required_tables, QueryAnswer& answer,
                  std::vector<FileCache::Pin>& local_copies);
  using Wanted = std::map<std::string, std::pair<ViewSnapshot, std::shared_ptr<const Snapshot>>>;
  void prune_views(query::Connection& conn, const std::string& sql, const std::set<std::string>& words, Wanted& wanted,
                   QueryAnswer& answer);
  std::shared_ptr<const nlohmann::json> parse_tree(query::Connection& conn, const std::string& sql);

  // DuckDB's parse trees of recent statements (json_serialize_sql costs 0.3 to 1 ms, more than pruning
  // saves on a small table), by SQL text; the oldest goes first.
  static constexpr size_t kParseTreesKept = 64;
  std::mutex parse_trees_mutex;
  std::list<std::pair<std::string, std::shared_ptr<const nlohmann::json>>> parse_trees;
  void reseed_after(QuerySession& session, const std::string& sql);

  // The version readers see when they ask for none (kVisibleVersionProperty), if the table is pinned.
  static std::optional<int64_t> pin_of(const catalog::TableInfo& t) {
    const auto it = t.properties.find(kVisibleVersionProperty);
    if (it == t.properties.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  }
  [[noreturn]] static void fail_vacuumed(const catalog::TableInfo& t, int64_t version) {
    fail(ErrorCode::NotFound, "version " + std::to_string(version) + " of table '" + t.name +
                                  "' can no longer be read: VACUUM has deleted files it needs (a vacuum keeps "
                                  "only the files of versions within its retention, VACUUM_RETENTION)");
  }

  std::shared_ptr<const Snapshot> snapshot(const catalog::TableInfo& t, std::optional<int64_t> version) {
    DeltaLog log = log_of(t);
    // A pinned table is read at its pin, usually the latest version, replayed already; an advance pins
    // tables for the second or so it commits, so the one pinned snapshot is kept too.
    if (const auto pin = version ? std::nullopt : pin_of(t)) {
      {
        std::lock_guard lock(cache_mutex);
        for (auto* cache : {&latest, &pinned}) {
          if (auto it = cache->find(t.id); it != cache->end() && it->second->version == *pin) return it->second;
        }
      }
      auto snap = std::make_shared<const Snapshot>(log.snapshot(*pin, true, /*with_tombstones=*/false));
      std::lock_guard lock(cache_mutex);
      pinned[t.id] = snap;
      return snap;
    }
    if (version) return std::make_shared<const Snapshot>(log.snapshot(*version, true, /*with_tombstones=*/false));
    return log_latest(t);
  }

  // A kept snapshot is kept for long, so without the tombstones no checkpoint keeps either (checkpoint.h).
  void drop_expired(Snapshot& s) const {
    drop_expired_tombstones(s, now_ms(), tombstone_retention_ms(s.metadata, options.vacuum_retention_ms));
  }

  // The log's newest version, cached per table; pins aside (what writes build on).
  std::shared_ptr<const Snapshot> log_latest(const catalog::TableInfo& t) {
    DeltaLog log = log_of(t);
    std::shared_ptr<const Snapshot> cached;
    {
      std::lock_guard lock(cache_mutex);
      if (auto it = latest.find(t.id); it != latest.end()) cached = it->second;
    }
    // One existence check tells whether another writer (or process) committed since; if so, the new
    // commits are read one by one, unless there are so many that the newest checkpoint is nearer.
    if (cached && !log.has_version(cached->version + 1)) return cached;
    std::optional<Snapshot> caught_up;
    if (cached) caught_up = log.catch_up(*cached, std::max<int64_t>(options.checkpoint_interval, kCatchUpCommits));
    // Without the checkpoint's tombstones: a table's first query then costs the same after 10,000 commits
    // as after 10 (bench/README.md, upkeep_bench). What needs them reads them (with_tombstones()).
    Snapshot next = caught_up ? std::move(*caught_up) : log.snapshot(std::nullopt, true, /*with_tombstones=*/false);
    drop_expired(next);
    auto fresh = std::make_shared<const Snapshot>(std::move(next));
    std::lock_guard lock(cache_mutex);
    auto& slot = latest[t.id];
    if (!slot || slot->version < fresh->version) slot = fresh;
    return fresh;
  }

  // `snap`, or the same version with every tombstone when it was read without (Snapshot::all_tombstones);
  // kept in place of the cached one of that version, so that the next caller finds it complete.
  std::shared_ptr<const Snapshot> with_tombstones(const catalog::TableInfo& t, std::shared_ptr<const Snapshot> snap) {
    if (snap->all_tombstones) return snap;
    Snapshot full = log_of(t).snapshot(snap->version);
    drop_expired(full);
    auto fresh = std::make_shared<const Snapshot>(std::move(full));
    std::lock_guard lock(cache_mutex);
    if (auto it = latest.find(t.id); it != latest.end() && it->second->version == fresh->version) it->second = fresh;
    return fresh;
  }
};

Warehouse::Warehouse(const WarehouseOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Warehouse::~Warehouse() = default;

catalog::Catalog& Warehouse::catalog() { return *impl_->catalog; }
const WarehouseOptions& Warehouse::options() const { return impl_->options; }

// Reserves an id and writes version 0 of the table's log (protocol and schema). The log comes before the
// catalog entry: a crash in between leaves an unreachable folder, never a catalog entry without a log.
catalog::TableInfo Warehouse::Impl::start_table(const catalog::NewTable& table) {
  catalog::TableInfo info;
  info.id = catalog->next_id("table");
  info.database = table.database;
  info.schema = table.schema;
  info.name = table.name;
  info.columns = table.columns;
  info.partition_keys = table.partition_keys;
  info.sort_keys = table.sort_keys;
  info.location = table.database + "/" + table.schema + "/" + table.name + "-" + std::to_string(info.id);
  info.created_at_ms = now_ms();
  info.target_file_bytes = table.target_file_bytes;
  info.properties = table.properties;

  Commit commit;
  commit.info.timestamp = info.created_at_ms;
  commit.info.operation = "CREATE TABLE";
  commit.info.operation_parameters = {{"partitionBy", table.partition_keys}, {"sortBy", table.sort_keys}};
  commit.protocol = Protocol{};
  Metadata meta;
  meta.id = random_uuid();
  meta.name = table.name;
  for (const auto& c : table.columns) meta.fields.push_back({c.name, std::string(delta_type_name(c.type)), true});
  meta.partition_columns = table.partition_keys;
  if (!table.sort_keys.empty()) meta.configuration["superstore.sortKeys"] = join(table.sort_keys, ",");
  meta.created_time = info.created_at_ms;
  commit.metadata = meta;
  if (!DeltaLog(store, info.location).try_commit(0, commit)) {
    fail(ErrorCode::Conflict, "table folder '" + info.location + "' already holds a log");
  }
  return info;
}

catalog::TableInfo Warehouse::create_table(const catalog::NewTable& table) {
  impl_->catalog->validate_new_table(table);
  catalog::TableInfo info = impl_->start_table(table);
  return impl_->catalog->create_table(info.id, table, info.location);
}

catalog::TableInfo Warehouse::create_table_with(const catalog::NewTable& table,
                                                const std::function<void(TableWriter&)>& fill,
                                                std::optional<int64_t> replaces) {
  catalog::TablePlacement built = build_table(table, fill, replaces);
  try {
    return publish_tables({built}).at(0);
  } catch (...) {
    discard_table(built);
    throw;
  }
}

catalog::TablePlacement Warehouse::build_table(const catalog::NewTable& table,
                                               const std::function<void(TableWriter&)>& fill,
                                               std::optional<int64_t> replaces) {
  // The name is still taken by the table being replaced, so only a plain create can check it up front.
  if (!replaces) impl_->catalog->validate_new_table(table);
  catalog::TableInfo info = impl_->start_table(table);
  catalog::TablePlacement built{info.id, table, info.location, replaces};
  try {
    auto w = writer(info);
    fill(*w);
    w->commit_insert();
  } catch (...) {
    discard_table(built);
    throw;
  }
  return built;
}

std::vector<catalog::TableInfo> Warehouse::publish_tables(const std::vector<catalog::TablePlacement>& tables) {
  std::vector<catalog::TableInfo> created = impl_->catalog->publish_tables(tables);
  std::lock_guard lock(impl_->cache_mutex);
  for (const auto& t : tables) {
    if (t.replaces) impl_->latest.erase(*t.replaces);
  }
  return created;
}

void Warehouse::discard_table(const catalog::TablePlacement& table) { remove_table_folder(table.location); }

void Warehouse::purge_dropped_table(int64_t id) {
  const catalog::TableInfo table = impl_->catalog->get_table(id);
  // The catalog entry goes first: a crash after it leaves an unreachable folder, never an entry whose
  // files are gone.
  impl_->catalog->delete_dropped_table(id);
  {
    std::lock_guard lock(impl_->cache_mutex);
    impl_->latest.erase(id);
    impl_->listings.erase(id);
  }
  remove_table_folder(table.location);
}

void Warehouse::remove_table_folder(const std::string& location) {
  blob::validate_blob_key(location);  // never anything outside the warehouse
  if (impl_->cache) {
    try {
      for (const auto& key : impl_->store.list(location)) impl_->store.remove(key);
    } catch (const Error& e) {
      log::warn("could not remove table folder '" + location + "' from " + this->location() + ": " + e.what());
    }
    impl_->cache->forget(location);
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(impl_->warehouse_dir / location, ec);
  if (ec) log::warn("could not remove table folder '" + location + "': " + ec.message());
}

catalog::TableInfo Warehouse::table(const std::string& name, const std::string& database, const std::string& schema) {
  auto t = impl_->catalog->find_table(database, schema, name);
  if (!t) fail(ErrorCode::NotFound, "table '" + database + "." + schema + "." + name + "' does not exist");
  return *t;
}

std::vector<catalog::TableInfo> Warehouse::tables_named(const std::string& name) {
  std::vector<catalog::TableInfo> out;
  std::string wanted = lower(name);
  for (auto& t : impl_->catalog->list_tables()) {
    if (lower(t.name) == wanted) out.push_back(std::move(t));
  }
  return out;
}

std::unique_ptr<TableWriter> Warehouse::writer(const catalog::TableInfo& table) {
  return std::make_unique<TableWriter>(impl_->write_engine.get(), impl_->store, *impl_->catalog, impl_->context(table));
}

FileFormat file_format_from_name(const std::filesystem::path& file) {
  const std::string ext = lower(file.extension().string());
  if (ext == ".csv") return FileFormat::Csv;
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return FileFormat::JsonLines;
  if (ext == ".parquet") return FileFormat::Parquet;
  fail(ErrorCode::InvalidArgument, "cannot tell the format of '" + file.string() +
                                       "': name it .csv (with a header), .jsonl, .ndjson, .json or .parquet");
}

WriteResult Warehouse::insert_file(const catalog::TableInfo& table, const std::filesystem::path& file,
                                   const InsertFileOptions& options) {
  if (!std::filesystem::is_regular_file(file)) {
    fail(ErrorCode::NotFound, "file '" + file.string() + "' does not exist or is not a regular file");
  }
  const FileFormat format = options.format ? *options.format : file_format_from_name(file);
  const std::filesystem::path abs = std::filesystem::canonical(file);
  bool given = false;
  return insert_parts(
      table, format,
      [&]() -> std::optional<CsvPart> {
        if (given) return std::nullopt;
        given = true;
        return CsvPart{abs, 2};
      },
      options);
}

WriteResult Warehouse::insert_csv_parts(const catalog::TableInfo& table,
                                        const std::function<std::optional<CsvPart>()>& next_part,
                                        const InsertFileOptions& options) {
  return insert_parts(table, FileFormat::Csv, next_part, options);
}

WriteResult Warehouse::insert_parts(const catalog::TableInfo& table, FileFormat format,
                                    const std::function<std::optional<CsvPart>()>& next_part,
                                    const InsertFileOptions& options) {
  std::optional<CsvPart> first = next_part();
  if (!first) fail(ErrorCode::InvalidArgument, "nothing was inserted: the upload is empty");
  CsvPart part = *first;  // the one being read
  // DuckDB's messages name the file by its path; an upload's temporary path means nothing to its sender.
  auto message = [&](std::string text) {
    if (options.display_name.empty()) return text;
    const std::string path = part.file.string();
    for (size_t at; (at = text.find(path)) != std::string::npos;) text.replace(at, path.size(), options.display_name);
    return text;
  };
  std::string columns, casts;
  for (const auto& c : table.columns) {
    // Timestamps are read as text and cast after: DuckDB's readers turn an unreadable TIMESTAMPTZ into
    // NULL, and read as TIMESTAMP they drop a UTC offset.
    std::string read_type = c.type == ColumnType::Timestamp ? "VARCHAR" : std::string(duckdb_type_name(c.type));
    columns += (columns.empty() ? "" : ", ") + query::quote_literal(c.name) + ": " + query::quote_literal(read_type);
    const std::string name = query::quote_identifier(c.name);
    const bool text = c.type == ColumnType::Timestamp && format != FileFormat::Parquet;  // Parquet's are typed
    casts +=
        (casts.empty() ? "" : ", ") +
        (text ? timestamp_from_text(name) : "CAST(" + name + " AS " + std::string(duckdb_type_name(c.type)) + ")") +
        " AS " + name;
  }
  const bool csv = format == FileFormat::Csv;
  // Reading the user's file needs its folder (every part's); this short-lived engine is the only one
  // allowed there. Its rows reach the writer as a streaming result on a connection of their own, whose
  // buffer is set before the configuration is locked: with DuckDB's default of about 1 MB its threads
  // stop and wake for every few chunks, which cost about a fifth of an import's CPU time (bench/README.md).
  query::DatabaseOptions engine_options = impl_->engine_options({part.file.parent_path().string() + "/"});
  engine_options.defer_lock = true;
  query::Database engine(engine_options);
  query::Connection rows_reader(engine);
  rows_reader.execute(std::string("SET streaming_buffer_size = '") + kImportStreamBuffer + "'");
  engine.lock_configuration();
  std::string csv_columns_list;  // the CSV header's columns, read from the first part
  if (csv) {
    try {
      query::Connection conn(engine);
      csv_columns_list = csv_columns(conn, part.file, table.columns);
    } catch (const Error& e) {
      fail(ErrorCode::InvalidArgument, message("nothing was inserted: " + csv_error_message(e.what(), part.file)));
    }
  }
  auto reader_of = [&](const CsvPart& p) {
    const std::string path = query::quote_literal(p.file.string());
    if (csv) return csv_reader_with(p.file, csv_columns_list);
    if (format == FileFormat::JsonLines) {
      return "read_json(" + path + ", format = 'newline_delimited', columns = {" + columns + "})";
    }
    return "read_parquet(" + path + ")";
  };
  TableWriter w(engine, impl_->store, *impl_->catalog, impl_->context(table));
  bool started = false;
  std::exception_ptr waiting_failed;  // next_part's own failure (the upload broke off), passed on as is
  try {
    w.add_selects(rows_reader, [&]() -> std::optional<std::string> {
      if (started) {
        std::optional<CsvPart> next;
        try {
          next = next_part();
        } catch (...) {
          waiting_failed = std::current_exception();
          throw;
        }
        if (!next) return std::nullopt;
        if (next->file.parent_path() != first->file.parent_path()) {
          fail(ErrorCode::Internal, "the parts of an upload must share a folder");
        }
        part = *next;
      }
      started = true;
      return "SELECT " + casts + " FROM " + reader_of(part);
    });
  } catch (const Error& e) {
    if (waiting_failed) std::rethrow_exception(waiting_failed);
    if (e.code() == ErrorCode::InsufficientStorage) throw;  // the disk, not the file, is at fault
    const int64_t offset = part.first_line - 2;             // lines of the upload before this part's first record
    if (format != FileFormat::Parquet) {
      if (auto problem = bad_timestamp(engine, table, reader_of(part), csv ? &part.file : nullptr, offset)) {
        fail(ErrorCode::InvalidArgument, message("nothing was inserted: " + *problem));
      }
    }
    if (format != FileFormat::Csv) {
      if (auto problem = first_bad_value(engine, table, format, query::quote_literal(part.file.string()))) {
        fail(ErrorCode::InvalidArgument, "nothing was inserted: " + *problem);
      }
    }
    fail(ErrorCode::InvalidArgument,
         message("nothing was inserted: " +
                 (csv ? csv_error_message(e.what(), part.file, offset) : std::string(e.what()))));
  }
  if (waiting_failed) std::rethrow_exception(waiting_failed);
  std::unique_lock<std::mutex> commit_lock;
  if (options.commit_lock) commit_lock = options.commit_lock();
  return w.commit_insert();
}

WriteResult Warehouse::delete_where(const catalog::TableInfo& table, const std::string& predicate) {
  if (predicate.find_first_not_of(" \t\n") == std::string::npos) {
    fail(ErrorCode::InvalidArgument, "a delete needs a predicate, e.g. --where \"id < 10\"");
  }
  query::check_row_predicate(impl_->check_engine.get(), table.columns, predicate);
  TableWriter w(impl_->write_engine.get(), impl_->store, *impl_->catalog, impl_->context(table));
  return w.delete_where(predicate);
}

std::vector<HistoryEntry> Warehouse::history(const catalog::TableInfo& table, int64_t limit) {
  return table_history(impl_->log_of(table), limit);
}

void Warehouse::drop_table(int64_t id) {
  impl_->catalog->drop_table(id);
  std::lock_guard lock(impl_->cache_mutex);
  impl_->latest.erase(id);
}

std::shared_ptr<const Snapshot> Warehouse::snapshot(const catalog::TableInfo& table, std::optional<int64_t> version) {
  return impl_->snapshot(table, version);
}

// Which version of `t` the query reads (see QueryOptions); nullopt for the latest.
std::optional<int64_t> Warehouse::Impl::version_to_read(const catalog::TableInfo& t, const QueryOptions& options) {
  std::optional<int64_t> wanted = options.version;
  for (const auto& [name, version] : options.table_versions) {
    if (lower(name) == lower(t.name)) wanted = version;
  }
  if (!wanted && options.as_of_ms) {
    int64_t v = version_at(log_of(t), *options.as_of_ms);
    if (const auto pin = pin_of(t)) v = std::min(v, *pin);
    if (v < 0) {
      fail(ErrorCode::InvalidArgument, "table '" + t.name + "' did not exist yet at " +
                                           format_timestamp_us(*options.as_of_ms * 1000) + ": it was created at " +
                                           format_timestamp_us(t.created_at_ms * 1000));
    }
    return v;
  }
  if (!wanted) return std::nullopt;
  // One existence check when the version exists; the newest is looked for only to say what does. A
  // pinned table's versions past its pin are not there for readers yet.
  const DeltaLog log = log_of(t);
  const auto pin = pin_of(t);
  if (*wanted < 0 || (pin && *wanted > *pin) || !log.has_version(*wanted)) {
    fail(ErrorCode::InvalidArgument, "table '" + t.name + "' has versions 0 to " +
                                         std::to_string(pin ? *pin : log.latest_version()) + "; there is no version " +
                                         std::to_string(*wanted));
  }
  return wanted;
}

// Gives `session` a temp view of every table `sql` reads, at the version it is to read, and lists them
// in `answer`.
// With S3, the files of every snapshot read are copied to the cache first and pinned in `local_copies`.
void Warehouse::Impl::bind_views(QuerySession& session, const std::string& sql, const QueryOptions& options,
                                 const std::vector<std::string>& required_tables, QueryAnswer& answer,
                                 std::vector<FileCache::Pin>& local_copies) {
  std::map<std::string, std::vector<catalog::TableInfo>> active;  // by lowercased name
  for (auto& t : catalog->list_tables()) active[lower(t.name)].push_back(std::move(t));
  for (const auto& name : required_tables) {
    if (!active.count(lower(name))) fail(ErrorCode::NotFound, "table '" + name + "' does not exist");
  }
  for (const auto& [name, version] : options.table_versions) {
    if (!active.count(lower(name))) fail(ErrorCode::NotFound, "as_of: table '" + name + "' does not exist");
  }
  query::Connection& conn = session.conn;
  // Names the parser sees as tables must resolve; other words that name a table (as in a COPY, which the
  // parser does not list and the read-only check then refuses) get a view when unambiguous.
  std::set<std::string> words = sql_words(sql);
  std::set<std::string> parsed;
  for (const auto& n : required_tables) parsed.insert(lower(n));
  // Every name the parser can list is also one of the words, since table names are plain identifiers, so
  // the parser's list only tells an ambiguous table apart from a word that happens to spell its name.
  // Asking costs a bind of the whole query (the views' Parquet files included), so it is asked only then.
  const bool names_ambiguous_table = std::any_of(active.begin(), active.end(), [&](const auto& entry) {
    return entry.second.size() > 1 && words.count(entry.first);
  });
  if (names_ambiguous_table) {
    for (const auto& n : conn.referenced_tables(sql)) parsed.insert(lower(n));
  }

  // By lowercased name: what the table's view is to read, and the snapshot it reads (only the files the
  // statement may need, when pruned).
  Wanted wanted;
  for (const auto& [name, candidates] : active) {
    if (!parsed.count(name) && !words.count(name)) continue;
    if (candidates.size() > 1) {
      if (!parsed.count(name)) continue;
      std::string where;
      for (const auto& c : candidates) where += (where.empty() ? "" : ", ") + c.database + "." + c.schema;
      fail(ErrorCode::InvalidArgument,
           "table name '" + candidates.front().name + "' is ambiguous: it exists in " + where);
    }
    const auto& t = candidates.front();
    const std::optional<int64_t> version = version_to_read(t, options);
    auto snap = snapshot(t, version);
    if (version && !cache) {
      // An old version's files may have been vacuumed; DuckDB would name a missing path instead. (On S3 the
      // fetch below finds that out.)
      for (const auto& f : snap->files) {
        if (!store.exists(t.location + "/" + f.path)) fail_vacuumed(t, *version);
      }
    }
    wanted[name] = {{t.id, snap->version, version.has_value(), false, {}}, snap};
    answer.tables.push_back(t.name);
    const auto files = static_cast<int64_t>(snap->files.size());
    answer.read.push_back({t.name, t.id, snap->version, snap->total_rows(), snap->total_bytes(), files, files});
  }
  prune_views(conn, sql, words, wanted, answer);
  if (cache) {
    for (const auto& [name, want] : wanted) {
      const catalog::TableInfo& t = active.at(name).front();
      try {
        local_copies.push_back(cache->fetch(t.location, want.second->files));
      } catch (const Error& e) {
        if (!want.first.pinned || e.code() != ErrorCode::NotFound) throw;
        fail_vacuumed(t, want.first.version);
      }
    }
  }
  for (const auto& [name, version] : options.table_versions) {
    if (!wanted.count(lower(name))) {
      fail(ErrorCode::InvalidArgument, "as_of names table '" + name + "', which the query does not read");
    }
  }

  // A view stays only while it reads what its name means now: the one active table of that name, at its
  // latest version. Views this query does not name go too when stale, because SQL can reach a view
  // without spelling its name (query_table('peo' || 'ple')).
  // A pruned view goes too unless this query wants it: it is right only for the queries it was made for.
  for (auto it = session.views.begin(); it != session.views.end();) {
    bool keep = wanted.count(it->first) > 0;
    if (!keep && !it->second.pinned && !it->second.pruned) {
      auto found = active.find(it->first);
      keep = found != active.end() && found->second.size() == 1 && found->second.front().id == it->second.table_id &&
             snapshot(found->second.front(), std::nullopt)->version == it->second.version;
    }
    if (keep) {
      ++it;
    } else {
      conn.execute("DROP VIEW IF EXISTS " + query::quote_identifier(it->first));
      it = session.views.erase(it);
    }
  }
  for (const auto& [name, want] : wanted) {
    auto cached = session.views.find(name);
    if (cached != session.views.end() && cached->second == want.first) continue;
    const auto& t = active.at(name).front();
    conn.execute("CREATE OR REPLACE TEMP VIEW " + query::quote_identifier(t.name) + " AS " +
                 scan_sql(*want.second, warehouse_dir / t.location));
    session.views[name] = want.first;
  }
}

// Narrows each wanted view to the files whose log statistics can match what `sql` asks of the table
// (prune_filters.h, file_pruning.h), and counts them in `answer`. Prunes nothing for SQL DuckDB cannot
// show us (json_serialize_sql serializes SELECT statements only).
void Warehouse::Impl::prune_views(query::Connection& conn, const std::string& sql, const std::set<std::string>& words,
                                  Wanted& wanted, QueryAnswer& answer) {
  // Only a WHERE or a join's ON holds what prunes.
  if (!words.count("where") && !words.count("on")) return;
  std::map<std::string, std::vector<DeltaField>> schemas;
  for (const auto& [name, want] : wanted) {
    if (want.second->files.size() > 1) schemas[name] = want.second->metadata.fields;
  }
  if (schemas.empty()) return;
  TableReads reads;
  try {
    reads = prune_filters(*parse_tree(conn, sql), schemas);
  } catch (const Error&) {
    return;  // the query's own checks will say what is wrong with it
  }
  for (auto& [name, want] : wanted) {
    auto found = reads.find(name);
    if (found == reads.end()) continue;
    const Snapshot& full = *want.second;
    std::optional<std::vector<uint32_t>> kept = files_to_scan(full, found->second);
    if (!kept) continue;
    // With no file the view is built from the schema alone (scan_sql), which types nested columns as
    // VARCHAR and knows only the Delta types it maps; one file keeps the columns as the files have them.
    const bool schema_types_all =
        std::all_of(full.metadata.fields.begin(), full.metadata.fields.end(), [](const DeltaField& f) {
          try {
            return !duckdb_type_for_delta(f.type).empty();
          } catch (const Error&) {
            return false;
          }
        });
    if (kept->empty() && !schema_types_all) kept->push_back(0);
    auto narrowed = std::make_shared<Snapshot>();
    narrowed->version = full.version;
    narrowed->timestamp = full.timestamp;
    narrowed->protocol = full.protocol;
    narrowed->metadata = full.metadata;
    narrowed->files.reserve(kept->size());
    for (uint32_t i : *kept) narrowed->files.push_back(full.files[i]);
    for (auto& r : answer.read) {
      if (lower(r.name) == name) r.files_scanned = static_cast<int64_t>(kept->size());
    }
    want.first.pruned = true;
    want.first.files = std::move(*kept);
    want.second = std::move(narrowed);
  }
}

std::shared_ptr<const nlohmann::json> Warehouse::Impl::parse_tree(query::Connection& conn, const std::string& sql) {
  {
    std::lock_guard lock(parse_trees_mutex);
    for (auto it = parse_trees.begin(); it != parse_trees.end(); ++it) {
      if (it->first != sql) continue;
      parse_trees.splice(parse_trees.end(), parse_trees, it);
      return parse_trees.back().second;
    }
  }
  auto tree = std::make_shared<const nlohmann::json>(query::sql_parse_tree(conn.impl(), sql));
  std::lock_guard lock(parse_trees_mutex);
  if (parse_trees.size() >= kParseTreesKept) parse_trees.pop_front();
  parse_trees.emplace_back(sql, tree);
  return tree;
}

// A fresh connection starts from a random seed; setseed() in this query must not decide the next one's.
// Reseeding costs a statement (0.5 ms), so only queries that may have called it pay for it.
void Warehouse::Impl::reseed_after(QuerySession& session, const std::string& sql) {
  if (may_set_seed(sql)) session.conn.execute("SELECT setseed(?)", {next_seed()});
}

QueryAnswer Warehouse::query(const std::string& sql, const QueryOptions& options,
                             const std::vector<std::string>& required_tables) {
  auto session = impl_->sessions.take();
  QueryAnswer answer;
  std::vector<FileCache::Pin> local_copies;  // held until the query is done
  impl_->bind_views(*session, sql, options, required_tables, answer, local_copies);
  answer.page = query::run_user_query(
      session->conn, sql, {options.page, options.per_page, options.max_page_bytes},
      {options.time_limit, options.cancelled, options.started.value_or(std::chrono::steady_clock::now())});
  impl_->reseed_after(*session, sql);
  session.keep();
  return answer;
}

QueryAnswer Warehouse::query_with(const std::string& sql, const QueryOptions& options,
                                  const std::function<void(query::Connection&, const QueryAnswer&)>& run,
                                  const std::vector<std::string>& required_tables) {
  auto session = impl_->sessions.take();
  QueryAnswer answer;
  std::vector<FileCache::Pin> local_copies;  // held until the query is done
  impl_->bind_views(*session, sql, options, required_tables, answer, local_copies);
  run(session->conn, answer);
  impl_->reseed_after(*session, sql);
  session.keep();
  return answer;
}

const std::filesystem::path& Warehouse::temp_dir() const { return impl_->temp_dir; }

std::optional<FileCache::Stats> Warehouse::file_cache_stats() const {
  if (!impl_->cache) return std::nullopt;
  return impl_->cache->stats();
}

std::string Warehouse::location() const {
  if (auto* s3 = dynamic_cast<const blob::S3BlobStore*>(impl_->store_owner.get())) {
    return "s3://" + s3->options().bucket + (s3->options().prefix.empty() ? "" : "/" + s3->options().prefix);
  }
  return impl_->warehouse_dir.string();
}

WriteResult Warehouse::optimize(const catalog::TableInfo& table) {
  TableWriter w(impl_->write_engine.get(), impl_->store, *impl_->catalog, impl_->context(table));
  return w.optimize();
}

VacuumResult Warehouse::vacuum(const catalog::TableInfo& table, const VacuumOptions& options) {
  const int64_t retention = options.retention_ms.value_or(impl_->options.vacuum_retention_ms);
  if (retention < impl_->options.vacuum_min_retention_ms) {
    fail(ErrorCode::InvalidArgument,
         "a vacuum must keep at least " + std::to_string(impl_->options.vacuum_min_retention_ms / 1000) +
             " seconds of history (VACUUM_MIN_RETENTION), so that queries and writes in progress keep their files; " +
             std::to_string(retention / 1000) + " seconds were asked for");
  }
  VacuumResult result;
  result.cutoff_ms = now_ms() - retention;
  // A retention longer than the checkpoints keep tombstones for needs the removes the checkpoint dropped.
  const bool read_window =
      retention > tombstone_retention_ms(snapshot(table)->metadata, impl_->options.vacuum_retention_ms);
  result.files = vacuum_files(impl_->store, impl_->log_of(table), result.cutoff_ms, options.dry_run, read_window);
  if (!options.dry_run) {
    std::lock_guard lock(impl_->cache_mutex);
    impl_->listings.erase(table.id);
  }
  for (const auto& t : impl_->catalog->list_tables(true)) {
    if (t.status != catalog::TableStatus::Dropped || t.database != table.database || t.schema != table.schema ||
        lower(t.name) != lower(table.name) || t.dropped_at_ms <= 0 || t.dropped_at_ms >= result.cutoff_ms) {
      continue;
    }
    for (const auto& blob : impl_->store.list_info(t.location + "/")) {
      result.dropped_bytes += static_cast<int64_t>(blob.size);
    }
    if (!options.dry_run) purge_dropped_table(t.id);
    result.dropped_tables.push_back(t.id);
  }
  return result;
}

// The small files come from the kept snapshot; the reclaimable ones from it and a listing of the folder at
// most kUpkeepListingMs old (a big table's folder takes many requests to list on S3, and the console asks
// for these figures with every page of files): files committed since are live, files removed since are
// judged by their tombstones; only another process's vacuum or new orphans wait for the next listing.
TableUpkeep Warehouse::upkeep(const catalog::TableInfo& table) {
  TableUpkeep u;
  const int64_t target = impl_->context(table).target_file_bytes;
  // The reclaimable files are judged by the tombstones.
  const auto latest = impl_->with_tombstones(table, snapshot(table));
  for (const auto& f : latest->files) {
    if (!is_small_file(f, target)) continue;
    ++u.small_files;
    u.small_file_bytes += f.size;
  }
  const int64_t now = now_ms();
  std::shared_ptr<const std::vector<blob::BlobInfo>> listing;
  {
    std::lock_guard lock(impl_->cache_mutex);
    auto it = impl_->listings.find(table.id);
    if (it != impl_->listings.end() && now - it->second.first < kUpkeepListingMs) listing = it->second.second;
  }
  if (!listing) {
    std::vector<blob::BlobInfo> blobs = impl_->store.list_info(table.location + "/");
    // The log's files are no vacuum's business, and a long log has many.
    std::erase_if(blobs, [&](const blob::BlobInfo& b) { return b.key.starts_with(table.location + "/_delta_log/"); });
    listing = std::make_shared<const std::vector<blob::BlobInfo>>(std::move(blobs));
    std::lock_guard lock(impl_->cache_mutex);
    impl_->listings[table.id] = {now, listing};
  }
  const VacuumReport plan = plan_vacuum(*latest, table.location, *listing, now - impl_->options.vacuum_retention_ms);
  u.reclaimable_files = static_cast<int64_t>(plan.files.size());
  u.reclaimable_bytes = plan.bytes;
  u.checkpoint_version = impl_->log_of(table).last_checkpoint();
  return u;
}

int64_t version_at(const DeltaLog& log, int64_t time_ms) {
  int64_t lo = 0, hi = log.latest_version(), found = -1;
  while (lo <= hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (log.read_commit(mid).info.timestamp <= time_ms) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

}  // namespace superstore::storage
