#include "query/table_reads.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/error.h"
#include "query/sql_tree.h"

namespace superstore::query {
namespace {

// Table functions that make rows from their arguments or list names, types and functions: none takes a
// path, runs SQL text or shows a setting, a file or a view's SQL. Anything else (read_parquet, glob,
// query_table, duckdb_settings, duckdb_views, checkpoint, ...) is refused, so a function a later DuckDB
// adds is refused until it is listed here.
const std::vector<std::string> kAllowedTableFunctions = {"range",
                                                         "generate_series",
                                                         "unnest",
                                                         "repeat",
                                                         "repeat_row",
                                                         "duckdb_columns",
                                                         "duckdb_functions",
                                                         "duckdb_keywords",
                                                         "duckdb_schemas",
                                                         "duckdb_tables",
                                                         "duckdb_types",
                                                         "duckdb_indexes",
                                                         "duckdb_sequences",
                                                         "pragma_version",
                                                         "pragma_platform",
                                                         "pragma_collations",
                                                         "pg_timezone_names",
                                                         "icu_calendar_names"};

// Scalar functions (and DuckDB's SQL macros) that show a setting (allowed_directories, temp_directory
// hold DATA_DIR), a view's SQL (which names the table's files) or an environment variable, or that plan
// SQL text (json_serialize_plan binds it, file readers included).
const std::set<std::string> kRefusedFunctions = {"current_setting", "getenv", "json_serialize_plan", "pg_get_viewdef"};

const char* const kAllowed =
    "user SQL reads tables by their name (SELECT ... FROM orders), not files, DuckDB's settings or its "
    "catalog views";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string allowed_functions_list() {
  std::string out;
  for (const auto& name : kAllowedTableFunctions) out += (out.empty() ? "" : ", ") + name;
  return out;
}

[[noreturn]] void refuse(const std::string& what) { fail(ErrorCode::InvalidArgument, what + ": " + kAllowed); }

void check_table_function(const nlohmann::json& function) {
  const std::string name = lower(function.value("function_name", ""));
  const bool allowed =
      std::find(kAllowedTableFunctions.begin(), kAllowedTableFunctions.end(), name) != kAllowedTableFunctions.end();
  if (!allowed) {
    fail(ErrorCode::InvalidArgument, "table function " + name + "() cannot run here: " + kAllowed +
                                         "; the table functions allowed are " + allowed_functions_list());
  }
}

// A name a replacement scan would read as a file ('data.parquet', 's3://...', 'dir/*.csv'): DuckDB only
// tries one for a name with a file extension, so no superstore table (names are identifiers) has one.
bool names_a_file(const std::string& name) { return name.find_first_of("./\\:") != std::string::npos; }

// DuckDB's own views (duckdb_views, pg_settings, sqlite_master, ...) reachable by a plain name (in a
// schema of the search path), except those a superstore table of that name (a temp view, found first)
// hides. Asked of DuckDB, so a view a
// later version adds is covered.
std::set<std::string> catalog_view_names(Connection::Impl& connection) {
  const std::vector<std::string> names = internal_text_column(
      connection,
      "SELECT lower(view_name) FROM duckdb_views() WHERE internal AND list_contains(current_schemas(true), "
      "schema_name) EXCEPT "
      "SELECT lower(view_name) FROM duckdb_views() WHERE NOT internal");
  return {names.begin(), names.end()};
}

}  // namespace

const std::vector<std::string>& allowed_table_functions() { return kAllowedTableFunctions; }

void check_reads_tables_only(Connection::Impl& connection, const nlohmann::json& statement) {
  std::vector<std::string> plain_names;
  for_each_tree_node(statement, [&](const nlohmann::json& node) {
    const auto type = node.find("type");
    const std::string kind = type != node.end() && type->is_string() ? type->get<std::string>() : "";
    if (kind == "TABLE_FUNCTION") check_table_function(node.value("function", nlohmann::json::object()));
    if (kind == "BASE_TABLE" || kind == "SHOW_REF") {
      std::string name = node.value("table_name", "");
      // SHOW TABLES and SHOW DATABASES name their listing in quotes.
      if (kind == "SHOW_REF" && name.size() > 1 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
      }
      if (!node.value("catalog_name", "").empty() || !node.value("schema_name", "").empty()) {
        refuse("'" + node.value("schema_name", "") + "." + name + "' has a database or schema prefix");
      }
      if (names_a_file(name)) refuse("a name with '.', '/', '\\' or ':' in FROM names a file");
      // SHOW and DESCRIBE of a name list columns or names, never rows.
      if (kind == "BASE_TABLE") plain_names.push_back(lower(name));
    }
    const auto cls = node.find("class");
    if (cls != node.end() && cls->is_string() && *cls == "FUNCTION" &&
        kRefusedFunctions.count(lower(node.value("function_name", "")))) {
      refuse(lower(node.value("function_name", "")) + "() cannot run here");
    }
  });
  if (plain_names.empty()) return;
  const std::set<std::string> views = catalog_view_names(connection);
  for (const auto& name : plain_names) {
    if (views.count(name)) refuse("'" + name + "' is one of DuckDB's catalog views");
  }
}

}  // namespace superstore::query
