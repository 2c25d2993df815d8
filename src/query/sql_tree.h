// DuckDB's own parse tree of SQL text (json_serialize_sql), for checks that must judge user SQL by what
// DuckDB will run rather than by its spelling: the delete predicate check (row_predicate.h) and the
// tables-only rule of user queries (table_reads.h).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "query/database.h"

namespace superstore::query {

// The parse tree of every statement in `sql`: DuckDB's json_serialize_sql answer, an object with "error"
// (true when DuckDB could not parse or serialize the text; "error_message" then says why) and otherwise
// "statements", one {"node": ...} per statement. json_serialize_sql serializes SELECT statements only
// (including DESCRIBE, SHOW, SUMMARIZE, PIVOT with an IN list); any other statement is an error.
// Runs without touching the connection's kept statements; binds nothing, so it reads no file.
nlohmann::json sql_parse_tree(Connection::Impl& connection, const std::string& sql);

// Runs trusted SQL of ours (never user SQL) and returns its first column as text, NULLs skipped, without
// touching the connection's kept statements as Connection::execute does.
std::vector<std::string> internal_text_column(Connection::Impl& connection, const std::string& sql);

// Calls `visit` on every object of `tree`, parents before children.
void for_each_tree_node(const nlohmann::json& tree, const std::function<void(const nlohmann::json&)>& visit);

}  // namespace superstore::query
