#include "query/sql_tree.h"

#include "common/error.h"
#include "query/duckdb_internal.h"
#include "query/values.h"

namespace superstore::query {

std::vector<std::string> internal_text_column(Connection::Impl& connection, const std::string& sql) {
  ResultHandle result;
  if (duckdb_query(connection.conn, sql.c_str(), result.out()) == DuckDBError) {
    throw_result_error(result.get(), false);
  }
  std::vector<std::string> out;
  LogicalType type(duckdb_column_logical_type(result.get(), 0));
  while (true) {
    DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk.get() || duckdb_data_chunk_get_size(chunk.get()) == 0) break;
    VectorView column(duckdb_data_chunk_get_vector(chunk.get(), 0), type.get());
    for (idx_t row = 0; row < duckdb_data_chunk_get_size(chunk.get()); ++row) {
      if (!column.is_null(row)) out.push_back(value_text(column, row));
    }
  }
  return out;
}

nlohmann::json sql_parse_tree(Connection::Impl& connection, const std::string& sql) {
  // The function wants a constant, not a parameter.
  const std::vector<std::string> text =
      internal_text_column(connection, "SELECT json_serialize_sql(" + quote_literal(sql) + ")");
  nlohmann::json tree = text.size() == 1 ? nlohmann::json::parse(text[0], nullptr, false) : nlohmann::json();
  if (!tree.is_object()) fail(ErrorCode::Internal, "json_serialize_sql gave no JSON object");
  return tree;
}

void for_each_tree_node(const nlohmann::json& tree, const std::function<void(const nlohmann::json&)>& visit) {
  if (tree.is_object()) visit(tree);
  if (tree.is_structured()) {
    for (const auto& child : tree) for_each_tree_node(child, visit);
  }
}

}  // namespace superstore::query
