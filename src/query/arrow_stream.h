// A user query's whole result as an Arrow IPC stream (the "stream format" of the Arrow columnar
// specification, media type application/vnd.apache.arrow.stream), written as DuckDB produces it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "query/database.h"
#include "query/user_query.h"

namespace superstore::query {

// What write_arrow_stream has done so far; it updates the fields as it goes, so after an exception they
// say how far it got.
struct ArrowStreamProgress {
  int64_t bytes_written = 0;  // 0 after an exception: nothing reached `write`, the caller may still answer an error
  int64_t rows = 0;
  int64_t batches = 0;  // record batches written
};

// Runs `sql` on `connection` under the rules of run_user_query (user_query.h): one read statement,
// checked with check_read_only and kept prepared, the same unique column names, and the time limit of
// `control` from the start of the call to the end of the stream, time spent in `write` included (a slow
// reader holds the engine too), and its `cancelled` check (Error(Cancelled)). Writes its whole result to `write` as an
// Arrow IPC stream: the Schema message, one RecordBatch message per chunk DuckDB produces (up to 2048 rows), then the
// end-of-stream marker. Each call of `write` gets whole messages: the first the Schema and the first RecordBatch, then
// one RecordBatch each, and last the 8 bytes of the end-of-stream marker (with the Schema when the result is empty).
// Memory stays at about one chunk however large the result.
//
// The Schema message waits for the first chunk, so an error DuckDB meets computing it (a failed cast, the
// memory limit, the time limit) still comes before any byte is written. Errors throw superstore::Error as
// run_user_query's do: InvalidArgument for SQL DuckDB rejects or the time limit ("query stopped after the
// time limit of N s; narrow it or add LIMIT"), TooLarge for the memory limit, InvalidArgument naming the
// column for a type the writer does not support (ENUM, UNION: cast them to VARCHAR). When an error comes
// after bytes were written, `progress->bytes_written` is above 0 and the stream is cut short (no
// end-of-stream marker): the caller can only close the connection.
//
// `write` returns false when the reader is gone; the query is then interrupted and the function returns
// false without writing more. It returns true when the whole stream was written.
//
// Types: BOOLEAN, the signed and unsigned integers, FLOAT, DOUBLE, DECIMAL (as Arrow decimal128), HUGEINT
// (decimal128(38, 0)), VARCHAR and UUID (utf8), BLOB, BIT and VARINT (binary), DATE (date32), TIME and
// TIMETZ (time64 µs, the offset dropped), TIMESTAMP_S/_MS/TIMESTAMP/_NS (timestamp in s/ms/µs/ns),
// TIMESTAMPTZ (timestamp µs, timezone of the session), INTERVAL (month_day_nano), UHUGEINT (16-byte fixed
// size binary), and LIST, STRUCT, MAP and ARRAY of these: all as DuckDB's own Arrow export makes them
// with the connection's settings, DuckDB's extension metadata kept as field metadata.
bool write_arrow_stream(Connection& connection, const std::string& sql, const QueryControl& control,
                        const std::function<bool(std::string_view bytes)>& write,
                        ArrowStreamProgress* progress = nullptr);

}  // namespace superstore::query
