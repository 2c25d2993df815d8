// Writes the fixtures of web/tests/arrow_stream.test.mjs, which reads write_arrow_stream's output with
// Apache Arrow's JavaScript library, an independent implementation of the format:
//
//   arrow_stream_fixtures <folder>
//
// For each case, <case>.arrows is the query's Arrow IPC stream and <case>.json what the values should be,
// computed by DuckDB from the same query as text: {"columns": [{name, type}], "rows": [[text or null]]}.
// The text is chosen to be exact and easy to compare rather than pretty: integers and decimals as
// DuckDB prints them, dates as days and times and timestamps as units since the epoch (or midnight),
// intervals as "months,days,nanoseconds", blobs in hex, nested values as DuckDB's to_json.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "query/arrow_stream.h"
#include "query/database.h"
#include "query/user_query.h"

namespace {

using superstore::query::quote_identifier;

const std::vector<std::pair<std::string, std::string>> kCases = {
    {"scalars", R"(SELECT i,
  [true, false, true][i + 1] AS b,
  [-128, 0, 127][i + 1]::TINYINT AS i8,
  [-32768, 0, 32767][i + 1]::SMALLINT AS i16,
  [-2147483648, 0, 2147483647][i + 1]::INTEGER AS i32,
  [-9223372036854775808, 0, 9223372036854775807][i + 1]::BIGINT AS i64,
  [0, 1, 255][i + 1]::UTINYINT AS u8,
  [0, 1, 65535][i + 1]::USMALLINT AS u16,
  [0, 1, 4294967295][i + 1]::UINTEGER AS u32,
  ['0', '1', '18446744073709551615'][i + 1]::UBIGINT AS u64,
  ['-170141183460469231731687303715884105727', '0', '170141183460469231731687303715884105727'][i + 1]::HUGEINT AS h,
  ['-1.5', '0.1', '3.4e38'][i + 1]::FLOAT AS f32,
  ['-1e300', '0.1', 'nan'][i + 1]::DOUBLE AS f64,
  ['-123.45', '0.05', '99999.99'][i + 1]::DECIMAL(7, 2) AS d7,
  ['-0.000001', '0', '999999999999.999999'][i + 1]::DECIMAL(18, 6) AS d18,
  ['-1234567890123456789012345678.0123456789', '0.5', '1'][i + 1]::DECIMAL(38, 10) AS d38,
  ['', 'héllo wörld ✓ 日本語 🎉', 'plain'][i + 1] AS s,
  ['\x00\xFF'::BLOB, ''::BLOB, 'abc'::BLOB][i + 1] AS bl,
  ['1969-12-31', '1900-01-01', '2024-02-29'][i + 1]::DATE AS dt,
  ['00:00:00', '12:34:56.789012', '23:59:59.999999'][i + 1]::TIME AS tm,
  ['1969-12-31 23:59:59', '1970-01-01 00:00:00', '2038-01-19 03:14:08'][i + 1]::TIMESTAMP_S AS ts_s,
  ['1969-12-31 23:59:59.999', '1900-01-01 00:00:00.001', '2024-01-01 10:00:00'][i + 1]::TIMESTAMP_MS AS ts_ms,
  ['1950-06-15 08:30:00.123456', '1970-01-01 00:00:00', '2024-01-01 10:00:00.5'][i + 1]::TIMESTAMP AS ts,
  ['1969-12-31 23:59:59.999999999', '2200-01-01 00:00:00.000000001', '1970-01-01'][i + 1]::TIMESTAMP_NS AS ts_ns,
  ['1969-07-20 20:17:40+00', '2024-06-01 12:00:00+02', '1970-01-01 00:00:00.000001+00'][i + 1]::TIMESTAMPTZ AS tstz,
  [INTERVAL '1 year 2 months 3 days 04:05:06.789', -INTERVAL '1 day', INTERVAL '0 seconds'][i + 1] AS iv,
  ['00000000-0000-0000-0000-000000000000', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
   'ffffffff-ffff-ffff-ffff-ffffffffffff'][i + 1]::UUID AS u
FROM range(4) t(i) ORDER BY i)"},
    {"nested", R"(SELECT i,
  [[1, NULL, 3], [], NULL, [-5]][i + 1] AS ints,
  [['a', ''], ['ü'], [NULL], NULL][i + 1] AS strs,
  [{'x': 1, 'y': [1.5::DOUBLE, NULL]}, NULL, {'x': NULL, 'y': []}, {'x': -2, 'y': NULL}][i + 1] AS st,
  [MAP {'k': 1, 'l': 2}, MAP {'a': 3}, NULL, MAP {'z': NULL}][i + 1] AS m,
  [[1, 2, 3]::INTEGER[3], NULL, [NULL, 5, 6]::INTEGER[3], [7, 8, 9]::INTEGER[3]][i + 1] AS arr,
  [[[1], [2, 3]], [[]], NULL, [NULL, [4]]][i + 1] AS lists
FROM range(4) t(i) ORDER BY i)"},
    {"empty", "SELECT 1::INTEGER AS a, 'x' AS b, [1] AS l WHERE false"},
    {"batches", R"(SELECT range AS i, range::VARCHAR AS s, CASE WHEN range % 7 = 0 THEN NULL ELSE range * 0.5 END AS d
FROM range(10000) ORDER BY i)"},
};

// DuckDB's text of one column of the case, as the header describes it.
std::string oracle(const std::string& column, const std::string& type) {
  const std::string c = quote_identifier(column);
  if (type == "BLOB") return "hex(" + c + ")";
  if (type == "DATE") return "(" + c + " - DATE '1970-01-01')::VARCHAR";
  if (type == "TIME" || type == "TIMESTAMP" || type == "TIMESTAMP WITH TIME ZONE")
    return "epoch_us(" + c + ")::VARCHAR";
  if (type == "TIMESTAMP_S") return "epoch(" + c + ")::BIGINT::VARCHAR";
  if (type == "TIMESTAMP_MS") return "epoch_ms(" + c + ")::VARCHAR";
  if (type == "TIMESTAMP_NS") return "epoch_ns(" + c + ")::VARCHAR";
  if (type == "INTERVAL") {
    // || is NULL when any part is, unlike concat_ws
    return "(datepart('year', " + c + ") * 12 + datepart('month', " + c + "))::VARCHAR || ',' || datepart('day', " + c +
           ")::VARCHAR || ',' || ((datepart('hour', " + c + ")::BIGINT * 3600000000 + datepart('minute', " + c +
           ") * 60000000 + datepart('microseconds', " + c + ")) * 1000)::VARCHAR";
  }
  if (type.find('[') != std::string::npos || type.starts_with("STRUCT") || type.starts_with("MAP")) {
    return "to_json(" + c + ")::VARCHAR";
  }
  return c + "::VARCHAR";
}

void write_case(superstore::query::Connection& conn, const std::filesystem::path& folder, const std::string& name,
                const std::string& sql) {
  constexpr auto kLimit = std::chrono::seconds(60);
  std::ofstream arrows(folder / (name + ".arrows"), std::ios::binary);
  superstore::query::write_arrow_stream(conn, sql, kLimit, [&](std::string_view bytes) {
    arrows.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return arrows.good();
  });
  auto described = superstore::query::run_user_query(conn, sql, {.page = 1, .per_page = 1}, kLimit);
  std::string select;
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const auto& column : described.columns) {
    select += (select.empty() ? "" : ", ") + oracle(column.name, column.type);
    columns.push_back({{"name", column.name}, {"type", column.type}});
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  auto page = superstore::query::run_user_query(conn, "SELECT " + select + " FROM (" + sql + ") AS q",
                                                {.page = 1, .per_page = 1000000}, kLimit);
  for (const auto& row : page.rows) {
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (const auto& [key, value] : row.items()) values.push_back(value);
    rows.push_back(std::move(values));
  }
  std::ofstream(folder / (name + ".json")) << nlohmann::ordered_json{{"columns", columns}, {"rows", rows}}.dump();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: arrow_stream_fixtures <folder>\n");
    return 2;
  }
  try {
    std::filesystem::create_directories(argv[1]);
    superstore::query::Database db(superstore::query::DatabaseOptions{.sandboxed = true, .threads = 2});
    superstore::query::Connection conn(db);
    for (const auto& [name, sql] : kCases) write_case(conn, argv[1], name, sql);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "arrow_stream_fixtures: %s\n", e.what());
    return 1;
  }
  return 0;
}
