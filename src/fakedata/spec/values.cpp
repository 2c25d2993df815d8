#include "fakedata/spec/values.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "fakedata/time_units.h"

namespace superstore::fakedata::spec {

std::string_view type_label(Type type) {
  switch (type) {
    case Type::Null:
      return "NULL";
    case Type::Int:
      return "integer";
    case Type::Float:
      return "Float64";
    case Type::String:
      return "String";
    case Type::Bool:
      return "Boolean";
    case Type::Timestamp:
      return "Timestamp";
    case Type::Date:
      return "Date";
  }
  return "?";
}

Type type_of(ColumnType column_type) {
  switch (column_type) {
    case ColumnType::Int16:
    case ColumnType::Int32:
    case ColumnType::Int64:
      return Type::Int;
    case ColumnType::Float64:
      return Type::Float;
    case ColumnType::String:
      return Type::String;
    case ColumnType::Boolean:
      return Type::Bool;
    case ColumnType::Timestamp:
      return Type::Timestamp;
    case ColumnType::Date:
      return Type::Date;
  }
  return Type::Null;
}

ColumnType storage_of(Type type) {
  switch (type) {
    case Type::Null:
    case Type::Int:
      return ColumnType::Int64;
    case Type::Float:
      return ColumnType::Float64;
    case Type::String:
      return ColumnType::String;
    case Type::Bool:
      return ColumnType::Boolean;
    case Type::Timestamp:
      return ColumnType::Timestamp;
    case Type::Date:
      return ColumnType::Date;
  }
  return ColumnType::Int64;
}

bool is_numeric(Type type) { return type == Type::Int || type == Type::Float; }

int64_t min_of(ColumnType type) {
  switch (type) {
    case ColumnType::Int16:
      return std::numeric_limits<int16_t>::min();
    case ColumnType::Int32:
      return std::numeric_limits<int32_t>::min();
    default:
      return std::numeric_limits<int64_t>::min();
  }
}

int64_t max_of(ColumnType type) {
  switch (type) {
    case ColumnType::Int16:
      return std::numeric_limits<int16_t>::max();
    case ColumnType::Int32:
      return std::numeric_limits<int32_t>::max();
    default:
      return std::numeric_limits<int64_t>::max();
  }
}

bool converts_to(Type from, ColumnType to) {
  const Type target = type_of(to);
  if (from == Type::Null || from == target) return true;
  if (is_numeric(from) && is_numeric(target)) return true;
  return (from == Type::Date && target == Type::Timestamp) || (from == Type::Timestamp && target == Type::Date);
}

void push_converted(const Column& in, size_t i, Type from, Column& out, ColumnType to) {
  if (from == Type::Null || in.is_null(i)) return out.push_null();
  const Type target = type_of(to);
  if (target == Type::Float) {
    out.push_double(from == Type::Float ? in.double_at(i) : static_cast<double>(in.int_at(i)));
    return;
  }
  if (target == Type::String) {
    out.push_string(in.string_at(i));
    return;
  }
  if (target == Type::Int) {
    int64_t v;
    if (from == Type::Float) {
      const double d = std::round(in.double_at(i));
      // 2^63 is exactly representable; anything at or past it (or NaN) does not fit.
      if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) return out.push_null();
      v = static_cast<int64_t>(d);
    } else {
      v = in.int_at(i);
    }
    if (v < min_of(to) || v > max_of(to)) return out.push_null();
    out.push_int(v);
    return;
  }
  int64_t v = in.int_at(i);
  if (from == Type::Date && target == Type::Timestamp) v *= kDayUs;
  if (from == Type::Timestamp && target == Type::Date) v = floor_div(v, kDayUs);
  out.push_int(v);
}

void append_text(const Column& in, size_t i, Type type, std::string& out) {
  char buffer[32];
  switch (type) {
    case Type::Null:
      return;
    case Type::Int: {
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, in.int_at(i)).ptr;
      out.append(buffer, end);
      return;
    }
    case Type::Float: {
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, in.double_at(i)).ptr;
      out.append(buffer, end);
      return;
    }
    case Type::String:
      out.append(in.string_at(i));
      return;
    case Type::Bool:
      out.append(in.int_at(i) != 0 ? "true" : "false");
      return;
    case Type::Timestamp:
      out.append(format_timestamp_us(in.int_at(i)));
      return;
    case Type::Date:
      out.append(format_date_days(static_cast<int32_t>(in.int_at(i))));
      return;
  }
}

namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += continuation(c) ? 0 : 1;
  return n;
}

size_t invalid_utf8_at(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      if (byte < (k == 1 ? low : 0x80) || byte > (k == 1 ? high : 0xBF)) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

std::string_view utf8_substr(std::string_view text, size_t start, size_t count) {
  size_t p = 0;
  for (size_t skipped = 0; p < text.size() && skipped < start;) {
    ++p;
    while (p < text.size() && continuation(text[p])) ++p;
    ++skipped;
  }
  size_t e = p;
  for (size_t taken = 0; e < text.size() && taken < count;) {
    ++e;
    while (e < text.size() && continuation(text[e])) ++e;
    ++taken;
  }
  return text.substr(p, e - p);
}

}  // namespace superstore::fakedata::spec
