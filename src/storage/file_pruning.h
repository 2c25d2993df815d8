// Skipping a table's files from the Delta log alone: a predicate on its columns (prune_filters.h finds it
// in the user's SQL) is checked against every file's partition values and min / max / null counts, and
// the view DuckDB reads lists only the files that may hold a matching row. DuckDB's own Hive and
// row-group pruning still applies inside that list; this saves opening the other files at all.
//
// Every decision errs towards keeping a file: a value or statistic we cannot read exactly (a float, a
// truncated string, a timestamp the log rounds to ms, a foreign writer's missing stats) keeps it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/delta_log.h"

namespace superstore::storage {

// An exact number: mantissa / 10^scale. Integers, decimals, and dates and timestamps as microseconds
// since the epoch (UTC; a date is its midnight), so that a DATE column compares with a TIMESTAMP
// constant the way DuckDB compares them (the date promoted to its midnight).
struct ExactNumber {
  __int128 mantissa = 0;
  int scale = 0;  // 0..18
};
int compare(const ExactNumber& a, const ExactNumber& b);

// A constant in the domain of the column it is compared with: a number (see ExactNumber) or bytes.
using PruneValue = std::variant<ExactNumber, std::string>;

// What a column's Delta type compares as; Other columns (float, boolean, binary, nested) never prune.
enum class PruneDomain { Number, Text, Date, Timestamp, Other };
PruneDomain prune_domain(const nlohmann::json& delta_type);
// The scale of a decimal type (0 for others).
int decimal_scale(const nlohmann::json& delta_type);

// A predicate over one table's columns that a file's statistics can rule out.
struct PrunePredicate {
  enum class Op { Eq, Lt, Le, Gt, Ge, In, IsNull, IsNotNull, And, Or };
  Op op = Op::And;
  std::string column;                             // the Delta field name; empty for And / Or
  std::vector<std::optional<PruneValue>> values;  // one (In: any number); nullopt is SQL NULL
  std::vector<PrunePredicate> children;           // And / Or
};

// Whether `file` may hold a row for which `p` is true. `fields` is the table's schema.
bool file_may_match(const AddFile& file, const std::vector<DeltaField>& fields, const PrunePredicate& p);

// The files a query reads of `snapshot`, given one entry per place the statement reads the table
// (nullopt where nothing prunes): the indexes into snapshot.files of those that may match any entry,
// in order, or nullopt when every file is kept.
std::optional<std::vector<uint32_t>> files_to_scan(const Snapshot& snapshot,
                                                   const std::vector<std::optional<PrunePredicate>>& reads);

// Text parsers shared with prune_filters.cpp; nullopt for anything not in the strict form.
// "YYYY-MM-DD" -> microseconds of its midnight.
std::optional<int64_t> parse_date_micros(const std::string& text);
// "YYYY-MM-DD[( |T)HH:MM:SS[.f{1,6}]]" with, when `offset_allowed`, an optional "Z" or "+hh:mm" /
// "-hh:mm" -> microseconds since the epoch (UTC).
std::optional<int64_t> parse_timestamp_micros(const std::string& text, bool offset_allowed);
// "[-+]digits[.digits]" with at most 18 digits after the point -> that number, at the scale it is written.
std::optional<ExactNumber> parse_exact_number(const std::string& text);
// `n` at scale `scale` (>= n.scale, <= 18).
ExactNumber rescale(ExactNumber n, int scale);

}  // namespace superstore::storage
