// CSV files as spreadsheets, pandas and Python's csv module write them (RFC 4180), read through DuckDB
// (internal to the storage layer): columns are matched to the table's by their header names, in any
// order; a quoted "" is an empty string and an empty unquoted field NULL; doubled quotes, embedded
// commas and newlines, CRLF and a UTF-8 byte-order mark are read as written; and errors name the file's
// physical line, which differs from DuckDB's record count once a quoted field spans lines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/types.h"
#include "query/database.h"

namespace superstore::storage {

// A DuckDB read_csv(...) call that yields the table's columns by name (Timestamp columns as VARCHAR, to
// be checked and cast by the caller), in two halves. csv_columns reads the file's header and gives the
// `columns = {...}` list, throwing Error(InvalidArgument) naming any header that is not a column of the
// table, any column the header lacks, and any repeated header; csv_reader_with is the call for a file
// with that header (every part of an upload has the first part's).
std::string csv_columns(query::Connection& conn, const std::filesystem::path& file,
                        const std::vector<ColumnDef>& columns);
std::string csv_reader_with(const std::filesystem::path& file, const std::string& columns);

// The physical line (1-based) on which record `record` starts, counting the header as record 1.
int64_t csv_physical_line(const std::filesystem::path& file, int64_t record);

// DuckDB's CSV error message with its record number ("CSV Error on Line: 4") turned into the file's
// physical line, and the quoted original line cut to a readable length.
// `line_offset` is added to lines after the header: for a file that is one part of a larger upload, with
// the upload's header line copied at its top.
std::string csv_error_message(const std::string& duckdb_message, const std::filesystem::path& file,
                              int64_t line_offset = 0);

}  // namespace superstore::storage
