// Value types of the spec engine and how its values are read, converted and printed (internal to
// fakedata/spec). Columns of a batch are plain superstore::Column objects; every integer-like type is
// stored as int64 there, so a Type says how to read one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/columns.h"
#include "common/instant.h"
#include "common/types.h"

namespace superstore::fakedata::spec {

// The types an expression or generator yields. Int covers Int16/Int32/Int64 columns; Null is the type
// of the literal NULL, which fits every other type.
enum class Type { Null, Int, Float, String, Bool, Timestamp, Date };

std::string_view type_label(Type type);
Type type_of(ColumnType column_type);
// The Column type that stores values of this type (Null is stored as Int64, all rows null).
ColumnType storage_of(Type type);
bool is_numeric(Type type);

// Appends the value of row `i` of `in` (of type `from`) to `out` as a column of type `to`, converting
// where the spec engine allows it (ints to floats; floats to ints rounded half away from zero; dates to
// timestamps at midnight and back); a value the target type cannot hold becomes NULL.
void push_converted(const Column& in, size_t i, Type from, Column& out, ColumnType to);

// Whether a value of type `from` may be stored in a column of type `to` (push_converted's rules).
bool converts_to(Type from, ColumnType to);

// The text of row `i` (which must not be null): ints in decimal, floats in their shortest exact form,
// booleans as true/false, timestamps and dates in ISO 8601. Appends to `out`.
void append_text(const Column& in, size_t i, Type type, std::string& out);

using superstore::parse_instant_us;  // common/instant.h

// UTF-8 text by characters (code points), so that no cut lands inside a character: the number of
// characters, and the bytes of characters [start, start + count) (clipped to the text).
size_t utf8_length(std::string_view text);
std::string_view utf8_substr(std::string_view text, size_t start, size_t count);
// The offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlong forms,
// surrogates or code points past U+10FFFF), or std::string_view::npos when the text is UTF-8.
size_t invalid_utf8_at(std::string_view text);

// The smallest and largest value a column of this integer type holds.
int64_t min_of(ColumnType type);
int64_t max_of(ColumnType type);

}  // namespace superstore::fakedata::spec
