// Running a compiled spec table over a batch of rows: the columns the caller wants and those they read,
// in spec order, each as one Column for the whole batch.
#include "fakedata/spec/program.h"

#include <algorithm>

#include "common/error.h"
#include "fakedata/spec/distributions.h"
#include "fakedata/spec/spec.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata::spec {

uint64_t Parent::rows(const Params& params) const {
  return builtin ? builtin->spec.rows(params) : program->rows(params);
}

// Integer arithmetic only (128 bits: days of µs times rows a day), so that counts and births agree
// exactly on every machine: row base + k is born at base_anchor + ceil((k + 1) x day / rate), which is
// at or before an anchor exactly when k < floor((anchor - base_anchor) x rate / day).
uint64_t TableProgram::rows(const Params& params) const {
  const uint64_t base = base_rows * static_cast<uint64_t>(params.scale);
  if (!growth || params.anchor_us <= kDefaultAnchorUs) return base;
  const __int128 rate = static_cast<__int128>(growth->per_day) * params.scale;
  const __int128 born = static_cast<__int128>(params.anchor_us - kDefaultAnchorUs) * rate / kDayUs;
  return base + static_cast<uint64_t>(born);
}

int64_t TableProgram::birth_us(const Params& params, uint64_t row) const {
  const uint64_t k = row - base_rows * static_cast<uint64_t>(params.scale);
  const __int128 rate = static_cast<__int128>(growth->per_day) * params.scale;
  const __int128 span = static_cast<__int128>(k + 1) * kDayUs;
  return kDefaultAnchorUs + static_cast<int64_t>((span + rate - 1) / rate);
}

ColumnBatch Parent::fetch(const Params& params, std::span<const uint64_t> rows, ColumnMask columns) const {
  if (builtin) return generate_rows(*builtin, params, rows, columns);
  std::vector<Column> values = program->run(params, rows, columns);
  ColumnBatch out;
  for (size_t v = 0; v < program->visible.size(); ++v) {
    if (!wants(columns, v)) continue;
    const CompiledColumn& c = program->columns[program->visible[v]];
    out.schema.push_back({c.name, c.type});
    out.columns.push_back(std::move(values[v]));
  }
  return out;
}

std::string stream_table(const std::string& table) {
  return "spec/" + std::to_string(kSpecGeneratorVersion) + "/" + table;
}

namespace {

// `raw` (of type `from`) as a column of type `to`, with the rows marked in `nulls` set to NULL.
Column finish(Column raw, Type from, ColumnType to, const std::vector<uint8_t>& nulls) {
  if (nulls.empty() && raw.type() == to) return raw;
  Column out(to);
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (!nulls.empty() && nulls[i] != 0)
      out.push_null();
    else
      push_converted(raw, i, from, out, to);
  }
  return out;
}

}  // namespace

// `generated` with the rows born after the default anchor holding their birth (µs, or days for a Date).
Column TableProgram::with_births(const Params& params, std::span<const uint64_t> rows, Column generated) const {
  const uint64_t base = base_rows * static_cast<uint64_t>(params.scale);
  if (std::none_of(rows.begin(), rows.end(), [&](uint64_t r) { return r >= base; })) return generated;
  Column out(generated.type());
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= base) {
      const int64_t birth = birth_us(params, rows[i]);
      out.push_int(generated.type() == ColumnType::Date ? floor_div(birth, kDayUs) : birth);
    } else if (generated.is_null(i)) {
      out.push_null();
    } else {
      out.push_int(generated.int_at(i));
    }
  }
  return out;
}

std::vector<Column> TableProgram::run(const Params& at, std::span<const uint64_t> rows, ColumnMask wanted) const {
  // A growing table's generators see the world as at the default anchor at the latest (see Growth).
  Params params = at;
  if (growth) params.anchor_us = std::min(params.anchor_us, kDefaultAnchorUs);
  const size_t n = columns.size();
  const std::string key = stream_table(name);
  // Which columns and parent slots are needed: the wanted ones and, walking back, what they read.
  std::vector<char> need(n, 0);
  std::vector<char> need_slot(static_cast<size_t>(slot_count), 0);
  std::vector<size_t> owner(static_cast<size_t>(slot_count));
  for (size_t c = 0; c < n; ++c) {
    owner[c] = c;
    for (const auto& [parent_column, slot] : columns[c].parent_slots) owner[static_cast<size_t>(slot)] = c;
  }
  for (size_t v = 0; v < visible.size(); ++v) {
    if (wants(wanted, v)) need[visible[v]] = 1;
  }
  for (size_t c = n; c-- > 0;) {
    if (!need[c]) continue;
    for (const int slot : columns[c].reads) {
      need_slot[static_cast<size_t>(slot)] = 1;
      need[owner[static_cast<size_t>(slot)]] = 1;
    }
  }

  std::vector<Column> values;
  values.reserve(static_cast<size_t>(slot_count));
  for (int s = 0; s < slot_count; ++s) values.emplace_back(ColumnType::Int64);
  std::vector<const Column*> slots(static_cast<size_t>(slot_count), nullptr);
  std::vector<uint8_t> nulls;
  std::vector<uint64_t> parent_rows;

  for (size_t c = 0; c < n; ++c) {
    if (!need[c]) continue;
    const CompiledColumn& col = columns[c];
    const Stream stream(params, key, col.name);
    nulls.clear();
    if (col.null_threshold != 0) {
      const Stream null_stream(params, key, col.name + "#null");
      nulls.resize(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) nulls[i] = null_stream(rows[i]) < col.null_threshold;
    }
    if (col.parent) {
      const uint64_t parent_count = col.parent->rows(params);
      parent_rows.resize(rows.size());
      if (col.skew > 0) {
        const std::shared_ptr<const ZipfRanks> ranks = col.skew_ranks->get(parent_count);
        const Shuffle popularity(parent_count, Stream(params, key, col.name + "#popularity")(0));
        for (size_t i = 0; i < rows.size(); ++i) parent_rows[i] = popularity((*ranks)(stream(rows[i])));
      } else {
        for (size_t i = 0; i < rows.size(); ++i) parent_rows[i] = below(stream(rows[i]), parent_count);
      }
      ColumnMask mask = ColumnMask{1} << col.parent_column;
      for (const auto& [parent_column, slot] : col.parent_slots) {
        if (need_slot[static_cast<size_t>(slot)]) mask |= ColumnMask{1} << parent_column;
      }
      ColumnBatch fetched = col.parent->fetch(params, parent_rows, mask);
      // fetched holds the masked columns in the parent's order.
      const auto position = [&](size_t parent_column) {
        return static_cast<size_t>(std::popcount(mask & ((ColumnMask{1} << parent_column) - 1)));
      };
      Column& target = fetched[position(col.parent_column)];
      const bool target_read_too = std::any_of(col.parent_slots.begin(), col.parent_slots.end(), [&](const auto& ps) {
        return ps.first == col.parent_column && need_slot[static_cast<size_t>(ps.second)];
      });
      // The type is read before a move: the order of a call's arguments is unspecified.
      const Type target_type = type_of(target.type());
      values[c] = target_read_too ? finish(target, target_type, col.type, nulls)
                                  : finish(std::move(target), target_type, col.type, nulls);
      for (const auto& [parent_column, slot] : col.parent_slots) {
        if (!need_slot[static_cast<size_t>(slot)]) continue;
        Column& from = fetched[position(parent_column)];
        // A NULL reference has no parent: what is read through it is NULL too.
        const ColumnType from_type = from.type();
        values[static_cast<size_t>(slot)] = parent_column == col.parent_column
                                                ? finish(from, type_of(from_type), from_type, nulls)
                                                : finish(std::move(from), type_of(from_type), from_type, nulls);
        slots[static_cast<size_t>(slot)] = &values[static_cast<size_t>(slot)];
      }
    } else {
      const GenInput input{params, rows, slots, stream, key};
      // Written in the column's own type when nothing needs converting, so that it need not be copied.
      const bool direct = type_of(col.type) == col.generator->type() && col.generator->fits_any_width();
      Column raw(direct ? col.type : storage_of(col.generator->type()));
      raw.reserve(rows.size());
      col.generator->fill(input, raw);
      if (raw.size() != rows.size()) fail(ErrorCode::Internal, "generator of " + col.name + " gave a wrong row count");
      values[c] = finish(std::move(raw), col.generator->type(), col.type, nulls);
    }
    if (growth && growth->column == c) values[c] = with_births(at, rows, std::move(values[c]));
    slots[c] = &values[c];
  }

  std::vector<Column> out;
  out.reserve(visible.size());
  for (size_t v = 0; v < visible.size(); ++v) {
    if (wants(wanted, v))
      out.push_back(std::move(values[visible[v]]));
    else
      out.emplace_back(columns[visible[v]].type);
  }
  return out;
}

}  // namespace superstore::fakedata::spec
