#include "fakedata/lifecycle.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strings.h"
#include "fakedata/lifecycle_lock.h"
#include "query/database.h"

namespace superstore::fakedata {
namespace {

std::optional<catalog::TableInfo> existing_table(storage::Warehouse& wh, const FakeTable& table) {
  return wh.catalog().find_table(table.spec.database, table.spec.schema, table.spec.name);
}

// Every fake table the options cover: built-in first, then spec tables (parents first).
std::vector<const FakeTable*> all_tables(const LifecycleOptions& options) {
  std::vector<const FakeTable*> out;
  for (const auto& t : tables()) out.push_back(&t);
  for (const auto& t : options.spec_tables) out.push_back(&t);
  return out;
}

// A spec table may not take the place of a table that holds real data.
void check_no_collision(storage::Warehouse& wh, const std::vector<const FakeTable*>& list) {
  for (const FakeTable* t : list) {
    auto existing = existing_table(wh, *t);
    if (existing && !is_fake(*existing)) {
      fail(ErrorCode::Conflict, "table " + t->spec.database + "." + t->spec.schema + "." + t->spec.name +
                                    " exists and is not a fake table; give the spec table another name");
    }
  }
}

catalog::TablePlacement build_table(storage::Warehouse& wh, const FakeTable& table, const Params& params,
                                    const LifecycleOptions& options, std::optional<int64_t> replaces,
                                    const std::function<void()>& on_id_reserved) {
  catalog::NewTable t;
  t.database = table.spec.database;
  t.schema = table.spec.schema;
  t.name = table.spec.name;
  t.columns = table.spec.columns;
  t.partition_keys = table.spec.partition_keys;
  t.sort_keys = table.spec.sort_keys;
  t.target_file_bytes = table.spec.target_file_bytes;
  t.properties = properties(params);
  t.properties["description"] = table.spec.description;
  for (const auto& [key, value] : table.properties.items()) t.properties[key] = value;
  const uint64_t total = table.spec.rows(params);
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads) : 0;
  static std::mutex progress_mutex;  // tables are made concurrently; the callback sees one call at a time
  return wh.build_table(
      t,
      [&](storage::TableWriter& writer) {
        on_id_reserved();
        // Cells are pure functions of their row, so the write path may read the rows once for their
        // keys (only those columns are generated) and then ask for each file's rows in their final order
        // (TableWriter::add_regenerable). Progress counts the rows handed over, up to the total: the
        // writer also fetches a small sample to size its files.
        uint64_t done = 0;
        storage::RegenerableRows rows;
        rows.rows = total;
        rows.scan = [&](const std::vector<std::string>& columns, const storage::RegenerableRows::Consumer& consume) {
          generate_parallel(
              table, params, threads, kDefaultBatchRows, [&](ColumnBatch&& batch) { consume(batch); },
              column_mask(table.spec, columns));
        };
        rows.fetch = [&](std::span<const uint64_t> indices) {
          ColumnBatch batch = generate_rows(table, params, indices);
          if (options.progress) {
            std::lock_guard lock(progress_mutex);
            done = std::min(total, done + batch.rows());
            options.progress(table.spec.name, done, total);
          }
          return batch;
        };
        writer.add_regenerable(rows);
      },
      replaces);
}

Params params_of(const LifecycleOptions& options) {
  Params p;
  p.seed = options.seed;
  p.scale = options.scale;
  p.anchor_us = options.anchor_us;
  validate(p);
  return p;
}

struct Built {
  std::vector<std::optional<catalog::TablePlacement>> tables;  // in `todo` order; empty where that failed
  std::exception_ptr error;  // the first failure, a full disk before any other (the likeliest cause of the rest)
};

// Builds the given tables at once, one thread each: a small table's write is mostly short, serial steps
// (file writes, commits), so tables overlap well; a large one parallelises inside anyway. The threads
// take their table ids in registry order (an id is reserved before `fill` first runs), so ids stay
// reproducible. A failed table leaves nothing behind (Warehouse::build_table); the others still finish.
// None is visible until published.
Built build_tables(storage::Warehouse& wh, const std::vector<const FakeTable*>& todo, const Params& params,
                   const LifecycleOptions& options, const std::vector<std::optional<int64_t>>& replaces) {
  std::mutex turn_mutex;
  std::condition_variable turn_changed;
  size_t turn = 0;
  auto pass_turn = [&](size_t i) {
    std::lock_guard lock(turn_mutex);
    if (turn == i) ++turn;
    turn_changed.notify_all();
  };
  std::vector<std::exception_ptr> errors(todo.size());
  Built built;
  built.tables.resize(todo.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < todo.size(); ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock lock(turn_mutex);
        turn_changed.wait(lock, [&] { return turn == i; });
      }
      try {
        built.tables[i] = build_table(wh, *todo[i], params, options, replaces[i], [&] { pass_turn(i); });
      } catch (...) {
        errors[i] = std::current_exception();
      }
      pass_turn(i);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (!e) continue;
    if (!built.error) built.error = e;
    try {
      std::rethrow_exception(e);
    } catch (const Error& error) {
      if (error.code() == ErrorCode::InsufficientStorage) {
        built.error = e;
        break;
      }
    } catch (...) {
    }
  }
  return built;
}

// Removes the dropped generations of `table` beyond the `keep` most recently dropped, once they were
// dropped at least `min_age` ago. A query reads the files of the snapshot it took when it started and is
// stopped after QUERY_TIME_LIMIT, so a generation dropped longer ago than that has no reader left (a
// newer one may, which is why the newest are kept). Returns the ids removed; failures are logged only,
// since the reset itself has succeeded.
std::vector<int64_t> prune_dropped(storage::Warehouse& wh, const FakeTable& table, const LifecycleOptions& options) {
  std::vector<catalog::TableInfo> dropped;
  for (auto& t : wh.catalog().list_tables(true)) {
    if (t.status != catalog::TableStatus::Dropped || !is_fake(t)) continue;
    if (!iequals(t.database, table.spec.database) || !iequals(t.schema, table.spec.schema) ||
        !iequals(t.name, table.spec.name)) {
      continue;
    }
    dropped.push_back(std::move(t));
  }
  std::sort(dropped.begin(), dropped.end(), [](const auto& a, const auto& b) {
    return std::tie(a.dropped_at_ms, a.id) > std::tie(b.dropped_at_ms, b.id);  // most recently dropped first
  });
  const int64_t cutoff = now_ms() - options.min_dropped_age.count();
  std::vector<int64_t> removed;
  for (size_t i = static_cast<size_t>(std::max<int64_t>(0, options.keep_dropped)); i < dropped.size(); ++i) {
    if (dropped[i].dropped_at_ms > cutoff) continue;
    try {
      wh.purge_dropped_table(dropped[i].id);
      removed.push_back(dropped[i].id);
    } catch (const Error& e) {
      log::warn("could not remove dropped table id " + std::to_string(dropped[i].id) + ": " + e.what());
    }
  }
  return removed;
}

// Folds per-file stats into table-wide min/max/nulls; values of one column share a JSON type.
// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json members, whose default constructors do not throw.
struct ColumnSummary {
  nlohmann::json min, max;
  int64_t nulls = 0;
};

}  // namespace

bool is_fake(const catalog::TableInfo& t) {
  return t.properties.is_object() && t.properties.value("fake_data", false) == true;
}

CreateReport create_missing(storage::Warehouse& wh, const LifecycleOptions& options) {
  const LifecycleLock lock = LifecycleLock::wait(wh.options().data_dir);
  take_back_interrupted_advance(wh);
  Params params = params_of(options);
  CreateReport report;
  std::vector<const FakeTable*> todo;
  const std::vector<const FakeTable*> list = all_tables(options);
  check_no_collision(wh, list);
  for (const FakeTable* table : list) {
    if (existing_table(wh, *table)) {
      report.existing.push_back(table->spec.name);
    } else {
      todo.push_back(table);
      report.created.push_back(table->spec.name);
    }
  }
  Built built = build_tables(wh, todo, params, options, std::vector<std::optional<int64_t>>(todo.size()));
  // Missing tables are independent of each other: each one built appears, even when another failed.
  for (auto& table : built.tables) {
    if (!table) continue;
    try {
      wh.publish_tables({*table});
    } catch (...) {
      wh.discard_table(*table);
      if (!built.error) built.error = std::current_exception();
    }
  }
  if (built.error) std::rethrow_exception(built.error);
  return report;
}

CreateReport reset(storage::Warehouse& wh, const LifecycleOptions& options) {
  const LifecycleLock lock = LifecycleLock::wait(wh.options().data_dir);
  take_back_interrupted_advance(wh);
  Params params = params_of(options);
  CreateReport report;
  std::vector<const FakeTable*> todo;
  std::vector<std::optional<int64_t>> old;
  const std::vector<const FakeTable*> list = all_tables(options);
  check_no_collision(wh, list);
  for (const FakeTable* table : list) {
    if (!options.only.empty() && !options.only.count(table->spec.name)) continue;
    todo.push_back(table);
    old.emplace_back();
    if (auto t = existing_table(wh, *table)) old.back() = t->id;
    report.created.push_back(table->spec.name);
    if (old.back()) report.dropped_ids.push_back(*old.back());
  }
  for (const std::string& wanted : options.only) {
    if (std::find(report.created.begin(), report.created.end(), wanted) != report.created.end()) continue;
    std::string names;
    for (const FakeTable* t : list) names += (names.empty() ? "" : ", ") + t->spec.name;
    fail(ErrorCode::NotFound, "no fake table '" + wanted + "' (fake tables: " + names + ")");
  }
  // Every new table is built before any is shown, and all replace their old ones in one catalog
  // transaction: a reset that fails (a full disk) leaves every table as it was, and nothing on disk.
  Built built = build_tables(wh, todo, params, options, old);
  std::vector<catalog::TablePlacement> ready;
  for (auto& table : built.tables) {
    if (table) ready.push_back(std::move(*table));
  }
  auto discard_all = [&] {
    for (const auto& table : ready) wh.discard_table(table);
  };
  if (built.error) {
    discard_all();
    std::rethrow_exception(built.error);
  }
  try {
    wh.publish_tables(ready);
  } catch (...) {
    discard_all();
    throw;
  }
  for (const FakeTable* table : todo) {
    for (int64_t id : prune_dropped(wh, *table, options)) report.removed_ids.push_back(id);
  }
  return report;
}

std::vector<FakeTable> spec_tables(storage::Warehouse& wh, const std::vector<SpecSource>& files) {
  return spec_tables(wh, files, {});
}

std::vector<FakeTable> spec_tables(storage::Warehouse& wh, const std::vector<SpecSource>& files,
                                   const std::vector<SpecSource>& extra) {
  std::vector<SpecSource> sources = files;
  // Names the files and the extra sources define: their recorded twins are replaced by them.
  std::set<std::string> defined;
  for (const auto& f : files) {
    for (auto& name : spec_table_names(f)) defined.insert(name);
  }
  for (const auto& e : extra) {
    for (auto& name : spec_table_names(e)) {
      if (defined.count(name)) {
        fail(ErrorCode::Conflict, "table " + name + " is defined in a spec file; edit the file instead of sending it");
      }
    }
  }
  for (const auto& e : extra) {
    for (auto& name : spec_table_names(e)) defined.insert(name);
    sources.push_back(e);
  }
  for (const auto& t : wh.catalog().list_tables()) {
    if (!is_fake(t) || !t.properties.contains("spec") || defined.count(t.name)) continue;
    sources.push_back(recorded_spec_source("table " + t.database + "." + t.schema + "." + t.name + " (recorded spec)",
                                           t.properties["spec"]));
  }
  if (sources.empty()) return {};
  return compile_specs(sources);
}

nlohmann::json status(storage::Warehouse& wh, const std::vector<FakeTable>& spec_tables) {
  nlohmann::json out = {{"database", kDatabase}, {"schema", kSchema}, {"tables", nlohmann::json::array()}};
  std::vector<const FakeTable*> list;
  for (const auto& t : tables()) list.push_back(&t);
  for (const auto& t : spec_tables) list.push_back(&t);
  for (const FakeTable* listed : list) {
    const FakeTable& table = *listed;
    const auto& spec = table.spec;
    nlohmann::json entry = {{"name", spec.name},
                            {"kind", table.properties.contains("spec_digest") ? "spec" : "built-in"},
                            {"database", spec.database},
                            {"schema", spec.schema},
                            {"description", spec.description},
                            {"partition_keys", spec.partition_keys},
                            {"sort_keys", spec.sort_keys},
                            {"base_rows", spec.base_rows},
                            {"column_count", spec.columns.size()}};
    if (table.properties.contains("spec_digest")) {
      entry["spec_digest"] = table.properties["spec_digest"];
      entry["spec_source"] = table.properties["spec_source"];
    }
    auto t = existing_table(wh, table);
    if (t && !is_fake(*t)) t.reset();  // a real table of the same name is not this fake table
    entry["exists"] = t.has_value();
    if (t && table.properties.contains("spec_digest")) {
      entry["table_spec_digest"] = t->properties.value("spec_digest", "");
      entry["spec_changed"] = entry["table_spec_digest"] != entry["spec_digest"];
    }
    if (!t) {
      out["tables"].push_back(entry);
      continue;
    }
    auto snap = wh.snapshot(*t);
    entry["table_id"] = t->id;
    entry["status"] = "active";
    entry["created_at"] = format_timestamp_us(t->created_at_ms * 1000);
    entry["version"] = snap->version;
    entry["rows"] = snap->total_rows();
    entry["bytes"] = snap->total_bytes();
    entry["micro_partitions"] = snap->files.size();
    for (const char* key : {"seed", "scale", "generator_version", "anchor"}) {
      if (t->properties.contains(key)) entry[key] = t->properties[key];
    }

    std::map<std::string, ColumnSummary> summary;
    for (const auto& f : snap->files) {
      if (!f.stats) continue;
      for (const auto& [name, v] : f.stats->min_values.items()) {
        auto& s = summary[name];
        if (s.min.is_null() || v < s.min) s.min = v;
      }
      for (const auto& [name, v] : f.stats->max_values.items()) {
        auto& s = summary[name];
        if (s.max.is_null() || v > s.max) s.max = v;
      }
      for (const auto& [name, v] : f.stats->null_count.items()) summary[name].nulls += v.get<int64_t>();
    }
    // Distinct counts do not add up across files, so they come from one scan of the table.
    std::string select;
    for (const auto& c : spec.columns) {
      select += (select.empty() ? "" : ", ") + std::string("count(DISTINCT ") + query::quote_identifier(c.name) +
                ") AS " + query::quote_identifier(c.name);
    }
    storage::QueryOptions q;
    auto distinct = wh.query("SELECT " + select + " FROM " + query::quote_identifier(spec.name), q).page.rows.at(0);

    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : spec.columns) {
      nlohmann::json col = {{"name", c.name}, {"type", type_name(c.type)}, {"distinct_count", distinct[c.name]}};
      bool is_partition =
          std::find(spec.partition_keys.begin(), spec.partition_keys.end(), c.name) != spec.partition_keys.end();
      if (is_partition) {
        // Partition values live in the log, one per file, not in file stats.
        nlohmann::json lo, hi;
        int64_t nulls = 0;
        for (const auto& f : snap->files) {
          const auto& v = f.partition_values.at(c.name);
          if (!v) {
            nulls += f.stats ? f.stats->num_records : 0;
            continue;
          }
          if (lo.is_null() || *v < lo.get<std::string>()) lo = *v;
          if (hi.is_null() || *v > hi.get<std::string>()) hi = *v;
        }
        col["min"] = lo;
        col["max"] = hi;
        col["null_count"] = nulls;
      } else {
        auto it = summary.find(c.name);
        col["min"] = it == summary.end() ? nlohmann::json() : it->second.min;
        col["max"] = it == summary.end() ? nlohmann::json() : it->second.max;
        col["null_count"] = it == summary.end() ? 0 : it->second.nulls;
      }
      columns.push_back(col);
    }
    entry["columns"] = columns;
    out["tables"].push_back(entry);
  }
  return out;
}

}  // namespace superstore::fakedata
