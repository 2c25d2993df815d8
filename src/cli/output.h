// Printing query results for people (aligned table) and programs (CSV with a header, JSON array).
#pragma once

#include <ostream>
#include <string>

#include "query/user_query.h"

namespace superstore::cli {

enum class OutputFormat { Table, Csv, Json };
OutputFormat parse_output_format(const std::string& name);
void print_result(std::ostream& out, const query::QueryPage& page, OutputFormat format);

}  // namespace superstore::cli
