#include "cli/output.h"

#include <algorithm>
#include <vector>

#include "common/error.h"

namespace superstore::cli {
namespace {

std::string cell_text(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "NULL";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

bool is_numeric_type(const std::string& type) {
  static const char* kNumeric[] = {"TINYINT",   "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                   "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT",  "DOUBLE",  "DECIMAL"};
  return std::any_of(std::begin(kNumeric), std::end(kNumeric), [&](const char* t) { return type.rfind(t, 0) == 0; });
}

std::string csv_field(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  std::string s = cell_text(v);
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Display width in terminal columns, counting each UTF-8 code point once.
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

OutputFormat parse_output_format(const std::string& name) {
  if (name == "table") return OutputFormat::Table;
  if (name == "csv") return OutputFormat::Csv;
  if (name == "json") return OutputFormat::Json;
  fail(ErrorCode::InvalidArgument, "--format must be table, csv or json, not '" + name + "'");
}

void print_result(std::ostream& out, const query::QueryPage& page, OutputFormat format) {
  const auto& cols = page.columns;
  if (format == OutputFormat::Json) {
    out << page.rows.dump() << "\n";
    return;
  }
  if (format == OutputFormat::Csv) {
    for (size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << csv_field(cols[c].name);
    out << "\n";
    for (const auto& row : page.rows) {
      for (size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << csv_field(row[cols[c].name]);
      out << "\n";
    }
    return;
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const auto& c : cols) widths.push_back(width(c.name));
  for (const auto& row : page.rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < cols.size(); ++c) {
      line.push_back(cell_text(row[cols[c].name]));
      widths[c] = std::max(widths[c], width(line.back()));
    }
    cells.push_back(std::move(line));
  }
  auto pad = [&](const std::string& s, size_t c, bool right) {
    std::string fill(widths[c] - width(s), ' ');
    return right ? fill + s : s + fill;
  };
  for (size_t c = 0; c < cols.size(); ++c) out << (c ? " | " : "") << pad(cols[c].name, c, false);
  out << "\n";
  for (size_t c = 0; c < cols.size(); ++c) out << (c ? "-+-" : "") << std::string(widths[c], '-');
  out << "\n";
  for (const auto& line : cells) {
    for (size_t c = 0; c < cols.size(); ++c) out << (c ? " | " : "") << pad(line[c], c, is_numeric_type(cols[c].type));
    out << "\n";
  }
  out << "(" << page.total << (page.total == 1 ? " row" : " rows") << ")\n";
}

}  // namespace superstore::cli
