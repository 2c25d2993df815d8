#include "query/arrow_ipc.h"

#include <flatbuffers/flatbuffers.h>

#include <bit>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "arrow_ipc_generated.h"
#include "common/error.h"

namespace superstore::query::arrow_ipc {
namespace {

namespace af = superstore::arrow_format;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

// The IPC format is little-endian here (Schema.endianness), and buffers are copied as they lie in memory.
static_assert(std::endian::native == std::endian::little);

constexpr int64_t kNullableFlag = 2;    // ARROW_FLAG_NULLABLE
constexpr int64_t kKeysSortedFlag = 4;  // ARROW_FLAG_MAP_KEYS_SORTED
constexpr uint32_t kContinuation = 0xFFFFFFFF;

int64_t padded8(int64_t bytes) { return (bytes + 7) & ~int64_t{7}; }

// How a type's values lie in buffers after the validity bitmap, in the order the IPC format lists them.
enum class Layout {
  Null,    // no buffers at all, not even validity
  Fixed,   // one data buffer of `bits` per value (1 for booleans)
  Binary,  // offsets of `bits` each, then the bytes
  List,    // offsets of `bits` each, then one child array
  Nested,  // children only (struct, fixed-size list)
};

struct TypeInfo {
  Layout layout = Layout::Fixed;
  int64_t bits = 0;
  af::Type type = af::Type_NONE;
  Offset<void> table{};  // the type's table, when described with a builder
};

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<af::TimeUnit> time_unit(char code) {
  switch (code) {
    case 's':
      return af::TimeUnit_SECOND;
    case 'm':
      return af::TimeUnit_MILLISECOND;
    case 'u':
      return af::TimeUnit_MICROSECOND;
    case 'n':
      return af::TimeUnit_NANOSECOND;
    default:
      return std::nullopt;
  }
}

// The layout of a C data interface format string ("i", "d:18,3", "tsu:UTC", "+l", ...) and, with a
// builder, its IPC type table; nullopt for formats this writer does not encode.
std::optional<TypeInfo> describe(const ArrowSchema& field, FlatBufferBuilder* fbb) {
  const std::string_view format = field.format ? field.format : "";
  TypeInfo info;
  auto set = [&](af::Type type, Layout layout, int64_t bits, auto make) {
    info.type = type;
    info.layout = layout;
    info.bits = bits;
    if (fbb) info.table = make(*fbb).Union();
    return info;
  };
  auto integer = [&](int bits, bool is_signed) {
    return set(af::Type_Int, Layout::Fixed, bits, [&](auto& b) { return af::CreateInt(b, bits, is_signed); });
  };
  auto floating = [&](af::Precision precision, int bits) {
    return set(af::Type_FloatingPoint, Layout::Fixed, bits,
               [&](auto& b) { return af::CreateFloatingPoint(b, precision); });
  };
  if (format.size() == 1) {
    switch (format[0]) {
      case 'n':
        return set(af::Type_Null, Layout::Null, 0, [](auto& b) { return af::CreateNull(b); });
      case 'b':
        return set(af::Type_Bool, Layout::Fixed, 1, [](auto& b) { return af::CreateBool(b); });
      case 'c':
        return integer(8, true);
      case 'C':
        return integer(8, false);
      case 's':
        return integer(16, true);
      case 'S':
        return integer(16, false);
      case 'i':
        return integer(32, true);
      case 'I':
        return integer(32, false);
      case 'l':
        return integer(64, true);
      case 'L':
        return integer(64, false);
      case 'e':
        return floating(af::Precision_HALF, 16);
      case 'f':
        return floating(af::Precision_SINGLE, 32);
      case 'g':
        return floating(af::Precision_DOUBLE, 64);
      case 'z':
        return set(af::Type_Binary, Layout::Binary, 32, [](auto& b) { return af::CreateBinary(b); });
      case 'Z':
        return set(af::Type_LargeBinary, Layout::Binary, 64, [](auto& b) { return af::CreateLargeBinary(b); });
      case 'u':
        return set(af::Type_Utf8, Layout::Binary, 32, [](auto& b) { return af::CreateUtf8(b); });
      case 'U':
        return set(af::Type_LargeUtf8, Layout::Binary, 64, [](auto& b) { return af::CreateLargeUtf8(b); });
      default:
        return std::nullopt;
    }
  }
  if (format.starts_with("d:")) {  // decimal: "d:precision,scale" or "d:precision,scale,bit width"
    std::string_view rest = format.substr(2);
    size_t comma = rest.find(',');
    size_t comma2 = comma == std::string_view::npos ? comma : rest.find(',', comma + 1);
    if (comma == std::string_view::npos) return std::nullopt;
    auto precision = parse_int(rest.substr(0, comma));
    auto scale = parse_int(rest.substr(comma + 1, comma2 == std::string_view::npos ? comma2 : comma2 - comma - 1));
    auto width = comma2 == std::string_view::npos ? std::optional<int64_t>(128) : parse_int(rest.substr(comma2 + 1));
    if (!precision || !scale || !width || (*width != 128 && *width != 256)) return std::nullopt;
    return set(af::Type_Decimal, Layout::Fixed, *width, [&](auto& b) {
      return af::CreateDecimal(b, static_cast<int32_t>(*precision), static_cast<int32_t>(*scale),
                               static_cast<int32_t>(*width));
    });
  }
  if (format.starts_with("w:")) {
    auto width = parse_int(format.substr(2));
    if (!width || *width < 1) return std::nullopt;
    return set(af::Type_FixedSizeBinary, Layout::Fixed, *width * 8,
               [&](auto& b) { return af::CreateFixedSizeBinary(b, static_cast<int32_t>(*width)); });
  }
  if (format == "tdD" || format == "tdm") {
    bool days = format == "tdD";
    return set(af::Type_Date, Layout::Fixed, days ? 32 : 64,
               [&](auto& b) { return af::CreateDate(b, days ? af::DateUnit_DAY : af::DateUnit_MILLISECOND); });
  }
  if (format.size() == 3 && format.starts_with("tt")) {
    auto unit = time_unit(format[2]);
    if (!unit) return std::nullopt;
    int bits = *unit <= af::TimeUnit_MILLISECOND ? 32 : 64;
    return set(af::Type_Time, Layout::Fixed, bits, [&](auto& b) { return af::CreateTime(b, *unit, bits); });
  }
  if (format.size() >= 4 && format.starts_with("ts") && format[3] == ':') {
    auto unit = time_unit(format[2]);
    if (!unit) return std::nullopt;
    std::string zone(format.substr(4));
    return set(af::Type_Timestamp, Layout::Fixed, 64,
               [&](auto& b) { return af::CreateTimestamp(b, *unit, zone.empty() ? 0 : b.CreateString(zone)); });
  }
  if (format.size() == 3 && format.starts_with("tD")) {
    auto unit = time_unit(format[2]);
    if (!unit) return std::nullopt;
    return set(af::Type_Duration, Layout::Fixed, 64, [&](auto& b) { return af::CreateDuration(b, *unit); });
  }
  if (format == "tiM" || format == "tiD" || format == "tin") {
    af::IntervalUnit unit = format == "tiM"   ? af::IntervalUnit_YEAR_MONTH
                            : format == "tiD" ? af::IntervalUnit_DAY_TIME
                                              : af::IntervalUnit_MONTH_DAY_NANO;
    int bits = format == "tiM" ? 32 : format == "tiD" ? 64 : 128;
    return set(af::Type_Interval, Layout::Fixed, bits, [&](auto& b) { return af::CreateInterval(b, unit); });
  }
  if (format == "+l") return set(af::Type_List, Layout::List, 32, [](auto& b) { return af::CreateList(b); });
  if (format == "+L") return set(af::Type_LargeList, Layout::List, 64, [](auto& b) { return af::CreateLargeList(b); });
  if (format == "+s") return set(af::Type_Struct_, Layout::Nested, 0, [](auto& b) { return af::CreateStruct_(b); });
  if (format == "+m") {
    bool sorted = (field.flags & kKeysSortedFlag) != 0;
    return set(af::Type_Map, Layout::List, 32, [&](auto& b) { return af::CreateMap(b, sorted); });
  }
  if (format.starts_with("+w:")) {
    auto size = parse_int(format.substr(3));
    if (!size || *size < 0) return std::nullopt;
    return set(af::Type_FixedSizeList, Layout::Nested, 0,
               [&](auto& b) { return af::CreateFixedSizeList(b, static_cast<int32_t>(*size)); });
  }
  return std::nullopt;
}

// The C data interface's metadata (int32 count, then int32-length-prefixed key and value bytes) as IPC
// key-value pairs; DuckDB puts extension type names there ("ARROW:extension:name").
Offset<flatbuffers::Vector<Offset<af::KeyValue>>> build_metadata(FlatBufferBuilder& fbb, const char* metadata) {
  if (!metadata) return 0;
  auto read_int = [&](const char*& at) {
    int32_t value;
    std::memcpy(&value, at, sizeof value);
    at += sizeof value;
    return value;
  };
  const char* at = metadata;
  const int32_t count = read_int(at);
  std::vector<Offset<af::KeyValue>> pairs;
  for (int32_t i = 0; i < count; ++i) {
    const int32_t key_size = read_int(at);
    auto key = fbb.CreateString(at, static_cast<size_t>(key_size));
    at += key_size;
    const int32_t value_size = read_int(at);
    auto value = fbb.CreateString(at, static_cast<size_t>(value_size));
    at += value_size;
    pairs.push_back(af::CreateKeyValue(fbb, key, value));
  }
  return fbb.CreateVector(pairs);
}

Offset<af::Field> build_field(FlatBufferBuilder& fbb, const ArrowSchema& field) {
  std::vector<Offset<af::Field>> children;
  for (int64_t i = 0; i < field.n_children; ++i) children.push_back(build_field(fbb, *field.children[i]));
  auto children_vector = fbb.CreateVector(children);
  auto metadata = build_metadata(fbb, field.metadata);
  auto name = fbb.CreateString(field.name ? field.name : "");
  auto info = describe(field, &fbb);
  if (!info) fail(ErrorCode::Internal, "Arrow format '" + std::string(field.format) + "' is not supported");
  return af::CreateField(fbb, name, (field.flags & kNullableFlag) != 0, info->type, info->table, 0, children_vector,
                         metadata);
}

// One IPC message: continuation, metadata length, the Message flatbuffer padded to 8 bytes, then the body
// pieces, each padded to 8 bytes as the buffer offsets in the metadata assume.
struct Piece {
  const void* data;
  int64_t size;
};

std::string frame(FlatBufferBuilder& fbb, const std::vector<Piece>& body, int64_t body_size) {
  const auto metadata_size = static_cast<int64_t>(fbb.GetSize());
  std::string out;
  out.reserve(static_cast<size_t>(8 + padded8(metadata_size) + body_size));
  const auto metadata_length = static_cast<int32_t>(padded8(metadata_size));
  out.append(reinterpret_cast<const char*>(&kContinuation), 4);
  out.append(reinterpret_cast<const char*>(&metadata_length), 4);
  out.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), static_cast<size_t>(metadata_size));
  out.append(static_cast<size_t>(padded8(metadata_size) - metadata_size), '\0');
  for (const Piece& piece : body) {
    if (piece.size > 0) out.append(static_cast<const char*>(piece.data), static_cast<size_t>(piece.size));
    out.append(static_cast<size_t>(padded8(piece.size) - piece.size), '\0');
  }
  return out;
}

// The nodes and buffers of one record batch, in the depth-first order the IPC format wants.
struct BatchParts {
  std::vector<af::FieldNode> nodes;
  std::vector<af::Buffer> buffers;
  std::vector<Piece> body;
  int64_t body_size = 0;

  void add(const void* data, int64_t size) {
    buffers.emplace_back(body_size, size);
    body.push_back({data, size});
    body_size += padded8(size);
  }
};

int64_t count_nulls(const void* validity, int64_t length) {
  const auto* bytes = static_cast<const uint8_t*>(validity);
  int64_t valid = 0;
  for (int64_t i = 0; i < length / 8; ++i) valid += std::popcount(bytes[i]);
  for (int64_t i = length / 8 * 8; i < length; ++i) valid += (bytes[i / 8] >> (i % 8)) & 1;
  return length - valid;
}

int64_t last_offset(const void* offsets, int64_t length, int64_t bits) {
  if (bits == 32) return static_cast<const int32_t*>(offsets)[length];
  return static_cast<const int64_t*>(offsets)[length];
}

void collect(const ArrowSchema& field, const ArrowArray& array, BatchParts& parts) {
  static const int64_t kZeroOffset = 0;  // the one offset of an empty list or string array without buffers
  if (array.offset != 0) fail(ErrorCode::Internal, "Arrow array with a non-zero offset");
  const auto info = describe(field, nullptr);
  if (!info) fail(ErrorCode::Internal, "Arrow format '" + std::string(field.format) + "' is not supported");
  const int64_t length = array.length;
  if (info->layout == Layout::Null) {
    parts.nodes.emplace_back(length, length);
    return;
  }
  const int64_t wanted = info->layout == Layout::Nested ? 1 : info->layout == Layout::Binary ? 3 : 2;
  if (array.n_buffers != wanted) {
    fail(ErrorCode::Internal, "Arrow array of format '" + std::string(field.format) + "' has " +
                                  std::to_string(array.n_buffers) + " buffers, not " + std::to_string(wanted));
  }
  const void* validity = array.buffers[0];
  const int64_t nulls = !validity ? 0 : array.null_count >= 0 ? array.null_count : count_nulls(validity, length);
  parts.nodes.emplace_back(length, nulls);
  // Without nulls the bitmap may be left out (length 0), which the format allows.
  parts.add(nulls > 0 ? validity : nullptr, nulls > 0 ? (length + 7) / 8 : 0);
  switch (info->layout) {
    case Layout::Fixed:
      parts.add(array.buffers[1], info->bits == 1 ? (length + 7) / 8 : length * (info->bits / 8));
      break;
    case Layout::Binary:
    case Layout::List: {
      const void* offsets = array.buffers[1];
      if (length == 0 || !offsets) {
        parts.add(&kZeroOffset, info->bits / 8);
      } else {
        parts.add(offsets, (length + 1) * (info->bits / 8));
      }
      if (info->layout == Layout::Binary) {
        parts.add(array.buffers[2], length == 0 || !offsets ? 0 : last_offset(offsets, length, info->bits));
      }
      break;
    }
    case Layout::Nested:
    case Layout::Null:
      break;
  }
  if (array.n_children != field.n_children) fail(ErrorCode::Internal, "Arrow array and schema differ in children");
  for (int64_t i = 0; i < array.n_children; ++i) collect(*field.children[i], *array.children[i], parts);
}

}  // namespace

std::string unsupported_reason(const ArrowSchema& field) {
  if (field.dictionary) return "dictionary-encoded values";
  if (!describe(field, nullptr)) return "Arrow format '" + std::string(field.format ? field.format : "") + "'";
  for (int64_t i = 0; i < field.n_children; ++i) {
    std::string reason = unsupported_reason(*field.children[i]);
    if (!reason.empty()) return reason;
  }
  return {};
}

std::string schema_message(const ArrowSchema& root) {
  FlatBufferBuilder fbb;
  std::vector<Offset<af::Field>> fields;
  for (int64_t i = 0; i < root.n_children; ++i) fields.push_back(build_field(fbb, *root.children[i]));
  auto fields_vector = fbb.CreateVector(fields);
  auto schema = af::CreateSchema(fbb, af::Endianness_Little, fields_vector);
  fbb.Finish(af::CreateMessage(fbb, af::MetadataVersion_V5, af::MessageHeader_Schema, schema.Union(), 0));
  return frame(fbb, {}, 0);
}

std::string record_batch_message(const ArrowSchema& root, const ArrowArray& batch) {
  if (batch.n_children != root.n_children) fail(ErrorCode::Internal, "Arrow batch and schema differ in columns");
  BatchParts parts;
  for (int64_t i = 0; i < batch.n_children; ++i) collect(*root.children[i], *batch.children[i], parts);
  FlatBufferBuilder fbb;
  auto nodes = fbb.CreateVectorOfStructs(parts.nodes);
  auto buffers = fbb.CreateVectorOfStructs(parts.buffers);
  auto record_batch = af::CreateRecordBatch(fbb, batch.length, nodes, buffers);
  fbb.Finish(af::CreateMessage(fbb, af::MetadataVersion_V5, af::MessageHeader_RecordBatch, record_batch.Union(),
                               parts.body_size));
  return frame(fbb, parts.body, parts.body_size);
}

std::string_view end_of_stream() {
  static constexpr char kMarker[8] = {'\xFF', '\xFF', '\xFF', '\xFF', 0, 0, 0, 0};
  return {kMarker, sizeof kMarker};
}

}  // namespace superstore::query::arrow_ipc
