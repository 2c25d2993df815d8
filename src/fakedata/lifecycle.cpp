#include "fakedata/lifecycle.h"

#include <thread>

#include "common/error.h"
#include "query/database.h"

namespace superstore::fakedata {
namespace {

std::optional<catalog::TableInfo> existing_table(storage::Warehouse& wh, const FakeTable& table) {
  return wh.catalog().find_table(std::string(kDatabase), std::string(kSchema), table.spec.name);
}

catalog::TableInfo make_table(storage::Warehouse& wh, const FakeTable& table, const Params& params,
                              const LifecycleOptions& options, std::optional<int64_t> replaces) {
  catalog::NewTable t;
  t.database = std::string(kDatabase);
  t.schema = std::string(kSchema);
  t.name = table.spec.name;
  t.columns = table.spec.columns;
  t.partition_keys = table.spec.partition_keys;
  t.sort_keys = table.spec.sort_keys;
  t.properties = properties(params);
  t.properties["description"] = table.spec.description;
  const uint64_t total = table.spec.rows(params);
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads) : 0;
  return wh.create_table_with(
      t,
      [&](storage::TableWriter& writer) {
        uint64_t done = 0;
        generate_parallel(table, params, threads, kDefaultBatchRows, [&](ColumnBatch&& batch) {
          writer.add(batch);
          done += batch.rows();
          if (options.progress) options.progress(table.spec.name, done, total);
        });
      },
      replaces);
}

Params params_of(const LifecycleOptions& options) {
  Params p;
  p.seed = options.seed;
  p.scale = options.scale;
  validate(p);
  return p;
}

// Folds per-file stats into table-wide min/max/nulls; values of one column share a JSON type.
struct ColumnSummary {
  nlohmann::json min, max;
  int64_t nulls = 0;
};

}  // namespace

CreateReport create_missing(storage::Warehouse& wh, const LifecycleOptions& options) {
  Params params = params_of(options);
  CreateReport report;
  for (const auto& table : tables()) {
    if (existing_table(wh, table)) {
      report.existing.push_back(table.spec.name);
      continue;
    }
    make_table(wh, table, params, options, std::nullopt);
    report.created.push_back(table.spec.name);
  }
  return report;
}

CreateReport reset(storage::Warehouse& wh, const LifecycleOptions& options) {
  Params params = params_of(options);
  CreateReport report;
  for (const auto& table : tables()) {
    std::optional<int64_t> old;
    if (auto t = existing_table(wh, table)) old = t->id;
    make_table(wh, table, params, options, old);
    report.created.push_back(table.spec.name);
    if (old) report.dropped_ids.push_back(*old);
  }
  return report;
}

nlohmann::json status(storage::Warehouse& wh) {
  nlohmann::json out = {{"database", kDatabase}, {"schema", kSchema}, {"tables", nlohmann::json::array()}};
  for (const auto& table : tables()) {
    const auto& spec = table.spec;
    nlohmann::json entry = {{"name", spec.name},
                            {"description", spec.description},
                            {"partition_keys", spec.partition_keys},
                            {"sort_keys", spec.sort_keys},
                            {"base_rows", spec.base_rows},
                            {"column_count", spec.columns.size()}};
    auto t = existing_table(wh, table);
    entry["exists"] = t.has_value();
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
      bool is_partition = std::find(spec.partition_keys.begin(), spec.partition_keys.end(), c.name) !=
                          spec.partition_keys.end();
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
