// How list-valued and free-form table fields are stored as JSON text in the catalog (internal).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/types.h"

namespace superstore::catalog {

// [{"name": "id", "type": "Int64"}, ...]
std::string encode_columns(const std::vector<ColumnDef>& columns);
std::vector<ColumnDef> decode_columns(const std::string& text, const std::string& owner);

// ["a", "b"]
std::string encode_names(const std::vector<std::string>& names);
std::vector<std::string> decode_names(const std::string& text, const std::string& owner);

// Compact JSON text; throws Error(InvalidArgument) naming `owner` if it holds invalid UTF-8.
std::string encode_json(const nlohmann::json& value, const std::string& owner);
// Throws Error(Internal) naming `owner`: stored text we cannot read means a damaged catalog.
nlohmann::json decode_json(const std::string& text, const std::string& owner);

}  // namespace superstore::catalog
