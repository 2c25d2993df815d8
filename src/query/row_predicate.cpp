#include "query/row_predicate.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "query/sql_tree.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

// The empty stand-in for the table: a view with its columns and types and no rows.
constexpr const char* kRows = "superstore_predicate_rows";

[[noreturn]] void refuse(const std::string& why) { fail(ErrorCode::InvalidArgument, "bad predicate: " + why); }

// Judges the parsed WHERE clause (DuckDB's json_serialize_sql tree). Anything that can hold a query has
// a "subquery" or "node" member or the class SUBQUERY; a table reference has "from_table" or a
// "table_name". Parameters would be unbound when the delete runs.
void check_expression(const nlohmann::json& where) {
  for_each_tree_node(where, [](const nlohmann::json& node) {
    const std::string cls = node.value("class", "");
    if (cls == "SUBQUERY" || node.contains("subquery") || node.contains("node") || node.contains("from_table") ||
        node.contains("table_name")) {
      refuse("subqueries are not allowed; write an expression over the table's columns");
    }
    if (cls == "PARAMETER") refuse("parameters ($1, ?) are not allowed; write the values out");
    if (cls == "COLUMN_REF" && node.value("column_names", nlohmann::json::array()).size() != 1) {
      refuse("name columns without a table or other prefix");
    }
  });
}

}  // namespace

// Why this way: the predicate ends up inside the writer's own SELECTs (see storage/table_delete.cpp), on
// an engine allowed to read the warehouse. Text checks (looking for "SELECT" or ";") miss what SQL can
// hide in quoting, comments and function names, so the predicate is judged by DuckDB itself, in three
// steps on a sandboxed engine that can read no file at all:
//  1. check_read_only binds "SELECT count(*) FROM <view with the table's columns> WHERE (<predicate>\n)":
//     exactly one statement, which parses and binds over those columns only (DuckDB's message otherwise;
//     file readers fail here too, since the engine may read nothing). The newline ends a "--" comment,
//     so the predicate cannot hide the closing parenthesis.
//  2. json_serialize_sql gives the parse tree: it must still be that very SELECT (one SELECT node over
//     the view, nothing but the WHERE clause added), so a predicate that closed the parenthesis and
//     went on (UNION, GROUP BY, ...) is refused, and the WHERE clause holds no subquery or parameter.
//  3. Connection::referenced_tables, which looks through views (and the view reads no table), must list
//     nothing: any name there is another table.
void check_row_predicate(const Database& engine, const std::vector<ColumnDef>& columns, const std::string& predicate) {
  if (predicate.find_first_not_of(" \t\r\n") == std::string::npos) refuse("the predicate is empty");
  Connection conn(engine);
  std::string view = std::string("CREATE TEMP VIEW ") + kRows + " AS SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    view += (i ? ", " : "") + std::string("CAST(NULL AS ") + std::string(duckdb_type_name(columns[i].type)) + ") AS " +
            quote_identifier(columns[i].name);
  }
  conn.execute(view + " LIMIT 0");
  const std::string sql = std::string("SELECT count(*) FROM ") + kRows + " WHERE (" + predicate + "\n)";
  try {
    check_read_only(conn, sql);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::InvalidArgument) throw;
    refuse(e.what());
  }

  const nlohmann::json tree = sql_parse_tree(conn.impl(), sql);
  if (tree.value("error", true)) refuse(tree.value("error_message", "it does not parse"));
  const auto& statements = tree["statements"];
  if (!statements.is_array() || statements.size() != 1) refuse("write one expression, not several statements");
  const nlohmann::json& node = statements[0]["node"];
  const nlohmann::json& from = node["from_table"];
  const bool plain_select = node.value("type", "") == "SELECT_NODE" && node["select_list"].size() == 1 &&
                            from.value("type", "") == "BASE_TABLE" && from.value("table_name", "") == kRows &&
                            node["modifiers"].empty() && node["group_expressions"].empty() &&
                            node["cte_map"]["map"].empty() && node["having"].is_null() && node["qualify"].is_null() &&
                            node["sample"].is_null() && node.contains("where_clause");
  if (!plain_select) refuse("write one expression over the table's columns; it may not close its parenthesis");
  check_expression(node["where_clause"]);

  if (!conn.referenced_tables(sql).empty()) {
    refuse("the predicate may read the table's own columns only");
  }
}

}  // namespace superstore::query
