#include "storage/file_diagnosis.h"

#include "common/error.h"

namespace superstore::storage {
namespace {

// Parquet rows are counted from 0 in the file; the row group is found from the footer's row counts.
std::string parquet_place(query::Connection& conn, const std::string& path, int64_t row) {
  auto groups = conn.execute("SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata(" + path +
                             ") GROUP BY row_group_id ORDER BY row_group_id");
  int64_t first = 0;
  for (size_t i = 0; i < groups.row_count(); ++i) {
    const int64_t rows = groups.get_int64(1, i);
    if (row < first + rows) {
      return "row group " + std::to_string(groups.get_int64(0, i)) + ", row " + std::to_string(row + 1) +
             " of the file";
    }
    first += rows;
  }
  return "row " + std::to_string(row + 1) + " of the file";
}

}  // namespace

std::optional<std::string> first_bad_value(query::Database& engine, const catalog::TableInfo& table, FileFormat format,
                                           const std::string& path) {
  if (format == FileFormat::Csv) return std::nullopt;  // DuckDB's CSV messages name line and column
  query::Connection conn(engine);
  for (const auto& c : table.columns) {
    const std::string col = query::quote_identifier(c.name);
    // Each value as text with its place: the line of a JSON file (one record a line), the row of a
    // Parquet file.
    const std::string rows = format == FileFormat::JsonLines
                                 ? "SELECT row_number() OVER () AS place, " + col + " AS v FROM read_json(" + path +
                                       ", format = 'newline_delimited', columns = {" + query::quote_literal(c.name) +
                                       ": 'VARCHAR'})"
                                 : "SELECT file_row_number AS place, CAST(" + col +
                                       " AS VARCHAR) AS v FROM read_parquet(" + path + ", file_row_number = true)";
    try {
      auto r = conn.execute("SELECT place, v FROM (" + rows + ") WHERE v IS NOT NULL AND TRY_CAST(v AS " +
                            std::string(duckdb_type_name(c.type)) + ") IS NULL ORDER BY place LIMIT 1");
      if (r.row_count() == 0) continue;
      const int64_t place = r.get_int64(0, 0);
      const std::string where =
          format == FileFormat::JsonLines ? "line " + std::to_string(place) : parquet_place(conn, path, place);
      return where + ": column '" + c.name + "' holds '" + r.get_string(1, 0) + "', which is not a " +
             std::string(type_name(c.type));
    } catch (const Error&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace superstore::storage
