#include "storage/csv_file.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "common/error.h"
#include "common/strings.h"

namespace superstore::storage {
namespace {

// RFC 4180 as written by the tools people use: comma, double quote, a doubled quote inside quotes.
constexpr const char* kDialect = "delim = ',', quote = '\"', escape = '\"'";

}  // namespace

std::string csv_reader_with(const std::filesystem::path& file, const std::string& columns) {
  return "read_csv(" + query::quote_literal(file.string()) + ", header = true, auto_detect = false, " + kDialect +
         ", allow_quoted_nulls = false, columns = {" + columns + "})";
}

std::string csv_columns(query::Connection& conn, const std::filesystem::path& file,
                        const std::vector<ColumnDef>& columns) {
  const std::string path = query::quote_literal(file.string());
  // The header as DuckDB reads the first record (quotes, a byte-order mark and CRLF handled by it). Its
  // buffer is twice the longest line the import accepts (max_line_size, 2 MB by default) instead of the
  // default 32 MB, which this look at one line read and faulted in whole: 0.1 s before every import.
  query::Result head = conn.execute("SELECT * FROM read_csv(" + path + ", header = false, all_varchar = true, " +
                                    kDialect + ", sample_size = 1, buffer_size = 4194304) LIMIT 1");
  if (head.row_count() == 0)
    fail(ErrorCode::InvalidArgument, "the file is empty: a CSV file starts with a header line");
  std::map<std::string, const ColumnDef*> by_name;
  for (const auto& c : columns) by_name[lower(c.name)] = &c;
  std::vector<const ColumnDef*> order;  // the table's column for each header, in file order
  std::map<std::string, bool> seen;
  std::vector<std::string> unknown, repeated;
  for (size_t i = 0; i < head.column_count(); ++i) {
    std::string name = head.is_null(i, 0) ? "" : head.get_string(i, 0);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    auto it = by_name.find(lower(name));
    if (it == by_name.end()) {
      unknown.push_back("'" + name + "'");
      continue;
    }
    if (seen[it->first]) repeated.push_back("'" + name + "'");
    seen[it->first] = true;
    order.push_back(it->second);
  }
  std::vector<std::string> missing;
  for (const auto& c : columns) {
    if (!seen[lower(c.name)]) missing.push_back("'" + c.name + "'");
  }
  const auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  };
  std::string problems;
  if (!unknown.empty()) problems += "the header names " + list(unknown) + ", not columns of the table; ";
  if (!repeated.empty()) problems += "the header repeats " + list(repeated) + "; ";
  if (!missing.empty()) problems += "the header lacks column " + list(missing) + "; ";
  if (!problems.empty()) {
    std::vector<std::string> names;
    for (const auto& c : columns) names.push_back(c.name);
    fail(ErrorCode::InvalidArgument,
         "line 1: " + problems + "the table's columns are " + list(names) + " (in any order)");
  }
  std::string spec;
  for (const ColumnDef* c : order) {
    const std::string type = c->type == ColumnType::Timestamp ? "VARCHAR" : std::string(duckdb_type_name(c->type));
    spec += (spec.empty() ? "" : ", ") + query::quote_literal(c->name) + ": " + query::quote_literal(type);
  }
  return spec;
}

int64_t csv_physical_line(const std::filesystem::path& file, int64_t record) {
  std::ifstream in(file, std::ios::binary);
  int64_t line = 1, at_record = 1;
  bool quoted = false;
  char c;
  // A record ends at a newline outside quotes; a doubled quote toggles twice and changes nothing.
  while (at_record < record && in.get(c)) {
    if (c == '"') quoted = !quoted;
    if (c == '\n') {
      ++line;
      if (!quoted) ++at_record;
    }
  }
  return line;
}

std::string csv_error_message(const std::string& message, const std::filesystem::path& file, int64_t line_offset) {
  static const std::string kLine = "CSV Error on Line: ";
  const size_t at = message.find(kLine);
  if (at == std::string::npos) return message;
  size_t end = at + kLine.size();
  int64_t record = 0;
  while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) {
    record = record * 10 + (message[end++] - '0');
  }
  std::string rest = message.substr(end);
  // "Original Line: <the whole record>" then what is wrong, on lines of their own or after "; ": the
  // record can be megabytes long.
  static const std::string kOriginal = "Original Line: ";
  if (const size_t from = rest.find(kOriginal); from != std::string::npos) {
    const size_t start = from + kOriginal.size();
    const size_t stop = std::min(rest.find('\n', start), rest.find("; ", start));
    const size_t length = (stop == std::string::npos ? rest.size() : stop) - start;
    if (length > 120) rest = rest.substr(0, start + 120) + "..." + (stop == std::string::npos ? "" : rest.substr(stop));
  }
  const int64_t line = csv_physical_line(file, record);
  return message.substr(0, at) + "line " + std::to_string(line > 1 ? line + line_offset : line) + rest;
}

}  // namespace superstore::storage
