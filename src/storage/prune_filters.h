// Which rows of each table a statement can need, read from DuckDB's own parse tree of it
// (query::sql_parse_tree), so that the table's view lists only the files that may hold them
// (file_pruning.h). Only what is surely right is taken: conjuncts of a SELECT's WHERE (and of its inner
// joins' ON) that compare a column of a table read directly in its FROM with a constant (=, <, <=, >, >=,
// BETWEEN, IN, IS [NOT] NULL; constants and casts of constants; OR when every branch is such a
// predicate on the same table). Anything else — subqueries, functions of a column, outer joins'
// null-extended sides, samples, renamed columns, names a CTE shadows — leaves that read of the table
// unpruned.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "storage/delta_log.h"
#include "storage/file_pruning.h"

namespace superstore::storage {

// By lowercased table name: one entry per place the statement reads that table (a BASE_TABLE of the
// tree), the predicate its rows must meet there, or nullopt when any row may be needed.
using TableReads = std::map<std::string, std::vector<std::optional<PrunePredicate>>>;

// `tree` is sql_parse_tree's answer; `tables` the schema of each table the statement may read, by
// lowercased name. Tables of `tables` the statement does not read are absent from the answer; so is
// everything when the tree holds an error or more than one statement.
TableReads prune_filters(const nlohmann::json& tree, const std::map<std::string, std::vector<DeltaField>>& tables);

}  // namespace superstore::storage
