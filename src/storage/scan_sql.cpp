#include "storage/scan_sql.h"

#include <cctype>
#include <map>
#include <set>

#include "common/error.h"
#include "query/database.h"

namespace superstore::storage {

std::string duckdb_type_for_delta(const nlohmann::json& delta_type) {
  if (!delta_type.is_string()) fail(ErrorCode::Internal, "nested types cannot be partition columns");
  const std::string t = delta_type.get<std::string>();
  static const std::map<std::string, std::string> kTypes = {
      {"byte", "TINYINT"},     {"short", "SMALLINT"},   {"integer", "INTEGER"},   {"long", "BIGINT"},
      {"float", "FLOAT"},      {"double", "DOUBLE"},    {"string", "VARCHAR"},    {"boolean", "BOOLEAN"},
      {"date", "DATE"},        {"timestamp", "TIMESTAMPTZ"}, {"timestamp_ntz", "TIMESTAMP"}, {"binary", "BLOB"}};
  if (auto it = kTypes.find(t); it != kTypes.end()) return it->second;
  if (t.rfind("decimal(", 0) == 0 && t.back() == ')') {
    std::string args = t.substr(8, t.size() - 9);
    for (char c : args) {
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == ' ')) {
        fail(ErrorCode::Internal, "unsupported Delta type '" + t + "'");
      }
    }
    return "DECIMAL(" + args + ")";
  }
  fail(ErrorCode::Internal, "unsupported Delta type '" + t + "'");
}

std::string scan_sql(const Snapshot& snapshot, const std::filesystem::path& table_dir, const ScanOptions& options) {
  const auto& meta = snapshot.metadata;
  std::set<std::string> partition_cols(meta.partition_columns.begin(), meta.partition_columns.end());
  std::map<std::string, std::string> partition_types;
  for (const auto& f : meta.fields) {
    if (partition_cols.count(f.name)) partition_types[f.name] = duckdb_type_for_delta(f.type);
  }

  auto select_list = [&](const PartitionValues* values) {
    std::string list;
    for (const auto& f : meta.fields) {
      if (!list.empty()) list += ", ";
      if (!partition_cols.count(f.name)) {
        list += query::quote_identifier(f.name);
        continue;
      }
      std::string value = "NULL";
      if (values) {
        auto it = values->find(f.name);
        if (it != values->end() && it->second) value = query::quote_literal(*it->second);
      }
      list += "CAST(" + value + " AS " + partition_types[f.name] + ") AS " + query::quote_identifier(f.name);
    }
    if (options.with_filename) list += ", filename";
    return list;
  };

  if (snapshot.files.empty()) {
    // An empty table still has its columns and types.
    std::string list;
    for (const auto& f : meta.fields) {
      if (!list.empty()) list += ", ";
      std::string type = f.type.is_string() ? duckdb_type_for_delta(f.type) : "VARCHAR";
      list += "CAST(NULL AS " + type + ") AS " + query::quote_identifier(f.name);
    }
    if (options.with_filename) list += ", CAST(NULL AS VARCHAR) AS filename";
    return "SELECT " + list + " WHERE false";
  }

  // One read_parquet per distinct set of partition values keeps each group's values constant, which lets
  // DuckDB drop whole groups when a query filters on a partition column.
  std::map<PartitionValues, std::vector<std::string>> groups;
  for (const auto& file : snapshot.files) {
    groups[file.partition_values].push_back((table_dir / file.path).string());
  }
  std::string sql;
  for (const auto& [values, paths] : groups) {
    std::string files;
    for (const auto& p : paths) files += (files.empty() ? "" : ", ") + query::quote_literal(p);
    if (!sql.empty()) sql += "\nUNION ALL ";
    sql += "SELECT " + select_list(&values) + " FROM read_parquet([" + files + "]" +
           (options.with_filename ? ", filename = true" : "") + ")";
  }
  return sql;
}

}  // namespace superstore::storage
