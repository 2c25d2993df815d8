#include "server/table_json.h"

#include <algorithm>
#include <cstdlib>

#include "common/types.h"

namespace superstore::server {
namespace {

using nlohmann::ordered_json;

std::string format_ms(int64_t ms) { return format_timestamp_us(ms * 1000); }

ordered_json value_or_null(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? ordered_json(nullptr) : ordered_json(*it);
}

}  // namespace

ordered_json table_summary_json(const catalog::TableInfo& table, const storage::Snapshot& snapshot) {
  ordered_json columns = ordered_json::array();
  for (const auto& c : table.columns) columns.push_back({{"name", c.name}, {"type", std::string(type_name(c.type))}});
  return {{"id", table.id},
          {"database", table.database},
          {"schema", table.schema},
          {"name", table.name},
          {"columns", std::move(columns)},
          {"partition_keys", table.partition_keys},
          {"sort_keys", table.sort_keys},
          {"rows", snapshot.total_rows()},
          {"bytes", snapshot.total_bytes()},
          {"micro_partitions", snapshot.files.size()},
          {"version", snapshot.version},
          {"created_at", format_ms(table.created_at_ms)}};
}

ordered_json table_detail_json(const catalog::TableInfo& table, const storage::Snapshot& snapshot) {
  ordered_json j = table_summary_json(table, snapshot);
  j["status"] = table.status == catalog::TableStatus::Active ? "active" : "dropped";
  j["location"] = table.location;
  return j;
}

ordered_json micro_partition_json(const catalog::TableInfo& table, const storage::AddFile& file) {
  ordered_json values = ordered_json::object();
  for (const auto& [name, value] : file.partition_values) {
    values[name] = value ? ordered_json(*value) : ordered_json(nullptr);
  }
  size_t slash = file.path.rfind('/');
  std::string folder = slash == std::string::npos ? "" : file.path.substr(0, slash);

  ordered_json stats = nullptr;
  if (file.stats) {
    stats = ordered_json::object();
    const auto& s = *file.stats;
    for (const auto& c : table.columns) {
      if (std::find(table.partition_keys.begin(), table.partition_keys.end(), c.name) != table.partition_keys.end()) {
        continue;
      }
      stats[c.name] = {{"min", value_or_null(s.min_values, c.name)},
                       {"max", value_or_null(s.max_values, c.name)},
                       {"null_count", value_or_null(s.null_count, c.name)},
                       {"distinct_count", value_or_null(s.distinct_count, c.name)}};
    }
  }
  return {{"id", storage::micro_partition_id(file)},
          {"path", file.path},
          {"partition_path", folder},
          {"partition_values", std::move(values)},
          {"rows", file.stats ? ordered_json(file.stats->num_records) : ordered_json(nullptr)},
          {"bytes", file.size},
          {"modified_at", format_ms(file.modification_time)},
          {"stats", std::move(stats)}};
}

}  // namespace superstore::server
