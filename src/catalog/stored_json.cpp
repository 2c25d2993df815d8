#include "catalog/stored_json.h"

#include "common/error.h"

namespace superstore::catalog {

using nlohmann::json;

std::string encode_json(const json& value, const std::string& owner) {
  try {
    return value.dump();
  } catch (const json::exception& e) {
    fail(ErrorCode::InvalidArgument, owner + " cannot be stored: " + e.what());
  }
}

json decode_json(const std::string& text, const std::string& owner) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail(ErrorCode::Internal, "catalog entry of " + owner + " is damaged: " + e.what());
  }
}

std::string encode_columns(const std::vector<ColumnDef>& columns) {
  json list = json::array();
  for (const auto& column : columns) list.push_back({{"name", column.name}, {"type", type_name(column.type)}});
  return list.dump();
}

std::vector<ColumnDef> decode_columns(const std::string& text, const std::string& owner) {
  std::vector<ColumnDef> columns;
  try {
    for (const auto& item : decode_json(text, owner)) {
      columns.push_back({item.at("name").get<std::string>(), parse_column_type(item.at("type").get<std::string>())});
    }
  } catch (const json::exception& e) {
    fail(ErrorCode::Internal, "catalog entry of " + owner + " has a damaged column list: " + e.what());
  }
  return columns;
}

std::string encode_names(const std::vector<std::string>& names) { return json(names).dump(); }

std::vector<std::string> decode_names(const std::string& text, const std::string& owner) {
  try {
    return decode_json(text, owner).get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    fail(ErrorCode::Internal, "catalog entry of " + owner + " has a damaged key list: " + e.what());
  }
}

}  // namespace superstore::catalog
