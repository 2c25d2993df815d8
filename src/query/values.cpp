#include "query/values.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "query/duckdb_internal.h"

namespace superstore::query {
namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

i128 to_i128(duckdb_hugeint h) {
  return static_cast<i128>((static_cast<u128>(static_cast<uint64_t>(h.upper)) << 64) | h.lower);
}
u128 to_u128(duckdb_uhugeint h) { return (static_cast<u128>(h.upper) << 64) | h.lower; }
duckdb_hugeint to_hugeint(i128 v) {
  return {static_cast<uint64_t>(static_cast<u128>(v)), static_cast<int64_t>(v >> 64)};
}

std::string u128_text(u128 v) {
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(p, end);
}

std::string i128_text(i128 v) {
  return v < 0 ? "-" + u128_text(-static_cast<u128>(v)) : u128_text(static_cast<u128>(v));
}

std::optional<int64_t> fit_int64(i128 v) {
  if (v > kInt64Max || v < std::numeric_limits<int64_t>::min()) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::string_view string_at(const VectorView& c, idx_t row) {
  return string_of(static_cast<const duckdb_string_t*>(c.data)[row]);
}

i128 decimal_raw(const VectorView& c, idx_t row) {
  switch (duckdb_decimal_internal_type(c.type)) {
    case DUCKDB_TYPE_SMALLINT:
      return c.at<int16_t>(row);
    case DUCKDB_TYPE_INTEGER:
      return c.at<int32_t>(row);
    case DUCKDB_TYPE_BIGINT:
      return c.at<int64_t>(row);
    default:
      return to_i128(c.at<duckdb_hugeint>(row));
  }
}

double decimal_double(const VectorView& c, idx_t row) {
  // Dividing two exactly represented numbers rounds once, so 1234 / 100 prints as 12.34.
  return static_cast<double>(decimal_raw(c, row)) / std::pow(10.0, duckdb_decimal_scale(c.type));
}

// A FLOAT widened to double would print 0.1f as 0.10000000149011612; go through its shortest text instead.
double float_as_double(float f) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 1, f);
  if (ec != std::errc()) return f;
  *end = '\0';
  return std::strtod(buf, nullptr);
}

// Timestamps of every precision, in µs; nullopt for ±infinity and for values µs cannot hold.
std::optional<int64_t> timestamp_micros(const VectorView& c, idx_t row) {
  int64_t raw = c.at<int64_t>(row);
  if (raw == kInt64Max || raw == -kInt64Max) return std::nullopt;
  int64_t micros = raw;
  switch (c.id) {
    case DUCKDB_TYPE_TIMESTAMP_S:
      if (__builtin_mul_overflow(raw, int64_t{1'000'000}, &micros)) return std::nullopt;
      break;
    case DUCKDB_TYPE_TIMESTAMP_MS:
      if (__builtin_mul_overflow(raw, int64_t{1'000}, &micros)) return std::nullopt;
      break;
    case DUCKDB_TYPE_TIMESTAMP_NS:
      micros = raw / 1000 - (raw % 1000 < 0 ? 1 : 0);
      break;
    default:
      break;
  }
  return micros;
}

bool is_timestamp(duckdb_type id) {
  return id == DUCKDB_TYPE_TIMESTAMP || id == DUCKDB_TYPE_TIMESTAMP_TZ || id == DUCKDB_TYPE_TIMESTAMP_S ||
         id == DUCKDB_TYPE_TIMESTAMP_MS || id == DUCKDB_TYPE_TIMESTAMP_NS;
}

Value make_value(duckdb_vector vector, duckdb_logical_type type, idx_t row);

// Children become DuckDB values; an unsupported child becomes NULL so the parent can still be built.
class ValueList {
 public:
  void add(Value v) {
    if (!v.get()) v = Value(duckdb_create_null_value());
    raw_.push_back(v.get());
    owned_.push_back(std::move(v));
  }
  // DuckDB reads no element of an empty list but refuses a null pointer for one.
  duckdb_value* data() { return raw_.empty() ? &none_ : raw_.data(); }
  idx_t size() const { return raw_.size(); }

 private:
  std::vector<Value> owned_;
  std::vector<duckdb_value> raw_;
  duckdb_value none_ = nullptr;
};

Value make_nested(const VectorView& c, idx_t row) {
  ValueList items;
  switch (c.id) {
    case DUCKDB_TYPE_LIST: {
      auto entry = c.at<duckdb_list_entry>(row);
      duckdb_vector child = duckdb_list_vector_get_child(c.vector);
      LogicalType child_type(duckdb_list_type_child_type(c.type));
      for (idx_t i = 0; i < entry.length; ++i) items.add(make_value(child, child_type.get(), entry.offset + i));
      return Value(duckdb_create_list_value(child_type.get(), items.data(), items.size()));
    }
    case DUCKDB_TYPE_ARRAY: {
      idx_t n = duckdb_array_type_array_size(c.type);
      duckdb_vector child = duckdb_array_vector_get_child(c.vector);
      LogicalType child_type(duckdb_array_type_child_type(c.type));
      for (idx_t i = 0; i < n; ++i) items.add(make_value(child, child_type.get(), row * n + i));
      return Value(duckdb_create_array_value(child_type.get(), items.data(), items.size()));
    }
    case DUCKDB_TYPE_STRUCT: {
      idx_t n = duckdb_struct_type_child_count(c.type);
      for (idx_t i = 0; i < n; ++i) {
        LogicalType child_type(duckdb_struct_type_child_type(c.type, i));
        items.add(make_value(duckdb_struct_vector_get_child(c.vector, i), child_type.get(), row));
      }
      return Value(duckdb_create_struct_value(c.type, items.data()));
    }
    case DUCKDB_TYPE_MAP: {
      auto entry = c.at<duckdb_list_entry>(row);
      duckdb_vector entries = duckdb_list_vector_get_child(c.vector);
      LogicalType key_type(duckdb_map_type_key_type(c.type));
      LogicalType value_type(duckdb_map_type_value_type(c.type));
      ValueList values;
      for (idx_t i = 0; i < entry.length; ++i) {
        items.add(make_value(duckdb_struct_vector_get_child(entries, 0), key_type.get(), entry.offset + i));
        values.add(make_value(duckdb_struct_vector_get_child(entries, 1), value_type.get(), entry.offset + i));
      }
      return Value(duckdb_create_map_value(c.type, items.data(), values.data(), items.size()));
    }
    case DUCKDB_TYPE_UNION: {
      // A union is stored as a struct whose first child holds the tag of the member in use.
      auto tag = static_cast<const uint8_t*>(duckdb_vector_get_data(duckdb_struct_vector_get_child(c.vector, 0)))[row];
      LogicalType member_type(duckdb_union_type_member_type(c.type, tag));
      Value member = make_value(duckdb_struct_vector_get_child(c.vector, tag + 1), member_type.get(), row);
      if (!member.get()) return Value();
      return Value(duckdb_create_union_value(c.type, tag, member.get()));
    }
    default:
      return Value();
  }
}

Value make_value(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  VectorView c(vector, type);
  if (c.is_null(row)) return Value(duckdb_create_null_value());
  switch (c.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return Value(duckdb_create_bool(c.at<bool>(row)));
    case DUCKDB_TYPE_TINYINT:
      return Value(duckdb_create_int8(c.at<int8_t>(row)));
    case DUCKDB_TYPE_SMALLINT:
      return Value(duckdb_create_int16(c.at<int16_t>(row)));
    case DUCKDB_TYPE_INTEGER:
      return Value(duckdb_create_int32(c.at<int32_t>(row)));
    case DUCKDB_TYPE_BIGINT:
      return Value(duckdb_create_int64(c.at<int64_t>(row)));
    case DUCKDB_TYPE_UTINYINT:
      return Value(duckdb_create_uint8(c.at<uint8_t>(row)));
    case DUCKDB_TYPE_USMALLINT:
      return Value(duckdb_create_uint16(c.at<uint16_t>(row)));
    case DUCKDB_TYPE_UINTEGER:
      return Value(duckdb_create_uint32(c.at<uint32_t>(row)));
    case DUCKDB_TYPE_UBIGINT:
      return Value(duckdb_create_uint64(c.at<uint64_t>(row)));
    case DUCKDB_TYPE_HUGEINT:
      return Value(duckdb_create_hugeint(c.at<duckdb_hugeint>(row)));
    case DUCKDB_TYPE_UHUGEINT:
      return Value(duckdb_create_uhugeint(c.at<duckdb_uhugeint>(row)));
    case DUCKDB_TYPE_FLOAT:
      return Value(duckdb_create_float(c.at<float>(row)));
    case DUCKDB_TYPE_DOUBLE:
      return Value(duckdb_create_double(c.at<double>(row)));
    case DUCKDB_TYPE_DATE:
      return Value(duckdb_create_date(c.at<duckdb_date>(row)));
    case DUCKDB_TYPE_TIME:
      return Value(duckdb_create_time(c.at<duckdb_time>(row)));
    case DUCKDB_TYPE_TIME_NS:
      return Value(duckdb_create_time_ns(c.at<duckdb_time_ns>(row)));
    case DUCKDB_TYPE_TIME_TZ:
      return Value(duckdb_create_time_tz_value(c.at<duckdb_time_tz>(row)));
    case DUCKDB_TYPE_TIMESTAMP:
      return Value(duckdb_create_timestamp(c.at<duckdb_timestamp>(row)));
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Value(duckdb_create_timestamp_tz(c.at<duckdb_timestamp>(row)));
    case DUCKDB_TYPE_TIMESTAMP_S:
      return Value(duckdb_create_timestamp_s(c.at<duckdb_timestamp_s>(row)));
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return Value(duckdb_create_timestamp_ms(c.at<duckdb_timestamp_ms>(row)));
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Value(duckdb_create_timestamp_ns(c.at<duckdb_timestamp_ns>(row)));
    case DUCKDB_TYPE_INTERVAL:
      return Value(duckdb_create_interval(c.at<duckdb_interval>(row)));
    case DUCKDB_TYPE_VARCHAR: {
      auto s = string_at(c, row);
      return Value(duckdb_create_varchar_length(s.data(), s.size()));
    }
    case DUCKDB_TYPE_BLOB: {
      auto s = string_at(c, row);
      return Value(duckdb_create_blob(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }
    case DUCKDB_TYPE_BIT: {
      // The vector holds the same padded layout that duckdb_bit describes.
      auto s = string_at(c, row);
      return Value(duckdb_create_bit({reinterpret_cast<uint8_t*>(const_cast<char*>(s.data())), s.size()}));
    }
    case DUCKDB_TYPE_UUID: {
      // Vectors keep UUIDs with the top bit flipped so that they sort as signed numbers.
      auto h = c.at<duckdb_hugeint>(row);
      return Value(duckdb_create_uuid({h.lower, static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63)}));
    }
    case DUCKDB_TYPE_DECIMAL: {
      duckdb_decimal d{duckdb_decimal_width(type), duckdb_decimal_scale(type), to_hugeint(decimal_raw(c, row))};
      return Value(duckdb_create_decimal(d));
    }
    case DUCKDB_TYPE_ENUM: {
      uint64_t index = 0;
      switch (duckdb_enum_internal_type(type)) {
        case DUCKDB_TYPE_UTINYINT:
          index = c.at<uint8_t>(row);
          break;
        case DUCKDB_TYPE_USMALLINT:
          index = c.at<uint16_t>(row);
          break;
        default:
          index = c.at<uint32_t>(row);
          break;
      }
      return Value(duckdb_create_enum_value(type, index));
    }
    default:
      return make_nested(c, row);
  }
}

std::string quoted_field(std::string name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char ch : name)
    plain = plain &&
            (std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_');
  return plain ? name : quote_identifier(name);
}

std::string member_list(duckdb_logical_type type, idx_t count, bool is_union) {
  std::string out;
  for (idx_t i = 0; i < count; ++i) {
    std::string name =
        take_duckdb_string(is_union ? duckdb_union_type_member_name(type, i) : duckdb_struct_type_child_name(type, i));
    LogicalType child(is_union ? duckdb_union_type_member_type(type, i) : duckdb_struct_type_child_type(type, i));
    out += (i ? ", " : "") + quoted_field(name) + " " + type_name(child.get());
  }
  return out;
}

}  // namespace

VectorView::VectorView(duckdb_vector v, duckdb_logical_type t)
    : vector(v),
      type(t),
      id(duckdb_get_type_id(t)),
      data(duckdb_vector_get_data(v)),
      validity(duckdb_vector_get_validity(v)) {}

std::string type_name(duckdb_logical_type type) {
  std::string alias = take_duckdb_string(duckdb_logical_type_get_alias(type));
  if (!alias.empty()) return alias;
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
             std::to_string(duckdb_decimal_scale(type)) + ")";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_NS:
      return "TIME_NS";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_BIGNUM:
      return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    case DUCKDB_TYPE_ENUM: {
      std::string out = "ENUM(";
      for (idx_t i = 0, n = duckdb_enum_dictionary_size(type); i < n; ++i) {
        out += (i ? ", " : "") + quote_literal(take_duckdb_string(duckdb_enum_dictionary_value(type, i)));
      }
      return out + ")";
    }
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      return type_name(child.get()) + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      return type_name(child.get()) + "[" + std::to_string(duckdb_array_type_array_size(type)) + "]";
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      return "MAP(" + type_name(key.get()) + ", " + type_name(value.get()) + ")";
    }
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT(" + member_list(type, duckdb_struct_type_child_count(type), false) + ")";
    case DUCKDB_TYPE_UNION:
      return "UNION(" + member_list(type, duckdb_union_type_member_count(type), true) + ")";
    default:
      return "UNKNOWN";
  }
}

nlohmann::json value_json(const VectorView& c, idx_t row) {
  switch (c.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return c.at<bool>(row);
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: {
      // Beyond int64, JSON readers lose digits, so the exact digits travel as a string.
      if (auto v = value_int64(c, row)) return *v;
      if (c.id == DUCKDB_TYPE_UBIGINT) return std::to_string(c.at<uint64_t>(row));
      if (c.id == DUCKDB_TYPE_UHUGEINT) return u128_text(to_u128(c.at<duckdb_uhugeint>(row)));
      return i128_text(to_i128(c.at<duckdb_hugeint>(row)));
    }
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: {
      double v = *value_double(c, row);
      return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    }
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
      if (auto micros = timestamp_micros(c, row)) return format_timestamp_us(*micros);
      return value_text(c, row);  // "infinity", "-infinity"
    }
    case DUCKDB_TYPE_DATE: {
      int32_t days = c.at<int32_t>(row);
      if (days == kInt32Max || days == -kInt32Max) return value_text(c, row);
      return format_date_days(days);
    }
    case DUCKDB_TYPE_VARCHAR:
      return std::string(string_at(c, row));
    default:
      return value_text(c, row);
  }
}

std::string value_text(const VectorView& c, idx_t row) {
  if (c.id == DUCKDB_TYPE_VARCHAR) return std::string(string_at(c, row));
  Value v = make_value(c.vector, c.type, row);
  if (!v.get()) return "(" + type_name(c.type) + " value)";
  return take_duckdb_string(duckdb_get_varchar(v.get()));
}

std::optional<int64_t> value_int64(const VectorView& c, idx_t row) {
  switch (c.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return c.at<bool>(row) ? 1 : 0;
    case DUCKDB_TYPE_TINYINT:
      return c.at<int8_t>(row);
    case DUCKDB_TYPE_SMALLINT:
      return c.at<int16_t>(row);
    case DUCKDB_TYPE_INTEGER:
      return c.at<int32_t>(row);
    case DUCKDB_TYPE_BIGINT:
      return c.at<int64_t>(row);
    case DUCKDB_TYPE_UTINYINT:
      return c.at<uint8_t>(row);
    case DUCKDB_TYPE_USMALLINT:
      return c.at<uint16_t>(row);
    case DUCKDB_TYPE_UINTEGER:
      return c.at<uint32_t>(row);
    case DUCKDB_TYPE_UBIGINT:
      return fit_int64(c.at<uint64_t>(row));
    case DUCKDB_TYPE_HUGEINT:
      return fit_int64(to_i128(c.at<duckdb_hugeint>(row)));
    case DUCKDB_TYPE_UHUGEINT: {
      u128 v = to_u128(c.at<duckdb_uhugeint>(row));
      return v > static_cast<u128>(kInt64Max) ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(v));
    }
    case DUCKDB_TYPE_DATE:
      return c.at<int32_t>(row);
    default:
      return is_timestamp(c.id) ? timestamp_micros(c, row) : std::nullopt;
  }
}

std::optional<double> value_double(const VectorView& c, idx_t row) {
  switch (c.id) {
    case DUCKDB_TYPE_FLOAT:
      return float_as_double(c.at<float>(row));
    case DUCKDB_TYPE_DOUBLE:
      return c.at<double>(row);
    case DUCKDB_TYPE_DECIMAL:
      return decimal_double(c, row);
    case DUCKDB_TYPE_HUGEINT:
      return static_cast<double>(to_i128(c.at<duckdb_hugeint>(row)));
    case DUCKDB_TYPE_UHUGEINT:
      return static_cast<double>(to_u128(c.at<duckdb_uhugeint>(row)));
    case DUCKDB_TYPE_UBIGINT:
      return static_cast<double>(c.at<uint64_t>(row));
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_DATE:
      return std::nullopt;
    default: {
      if (is_timestamp(c.id)) return std::nullopt;
      auto v = value_int64(c, row);
      return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
    }
  }
}

}  // namespace superstore::query
