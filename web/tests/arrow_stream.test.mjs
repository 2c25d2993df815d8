// The Arrow IPC streams of superstore's query layer (write_arrow_stream, src/query/arrow_stream.h) read
// by Apache Arrow's JavaScript library, an implementation written without ours in mind. The helper
// arrow_stream_fixtures (tests/arrow_stream_fixtures.cpp) writes each case's stream and DuckDB's own
// text of the values; this reads the stream with tableFromIPC and compares value by value.
//
//   ARROW_FIXTURES_BIN=build/tests/arrow_stream_fixtures node --test web/tests/arrow_stream.test.mjs
//
// ctest runs this as arrow_stream_js (tests/CMakeLists.txt).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DataType, TimeUnit, Vector, tableFromIPC } from 'apache-arrow';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const HELPER = path.resolve(process.env.ARROW_FIXTURES_BIN || path.join(repo, 'build', 'tests', 'arrow_stream_fixtures'));

let folder;
before(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'arrow-stream-'));
  execFileSync(HELPER, [folder], { stdio: 'inherit' });
});
after(() => rmSync(folder, { recursive: true, force: true }));

function load(name) {
  const table = tableFromIPC(readFileSync(path.join(folder, `${name}.arrows`)));
  const expected = JSON.parse(readFileSync(path.join(folder, `${name}.json`), 'utf8'));
  return { table, expected };
}

// A signed integer of `words` little-endian 32-bit words, two's complement.
function signedWords(values, at, words) {
  let n = 0n;
  for (let w = words - 1; w >= 0; w--) n = (n << 32n) | BigInt(values[at + w] >>> 0);
  const bits = BigInt(32 * words);
  return n >= 1n << (bits - 1n) ? n - (1n << bits) : n;
}

function decimalText(unscaled, scale) {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (negative ? '-' : '') + digits;
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');

// Nested values as plain JSON-like values, as DuckDB's to_json writes them.
function plain(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof Vector) return Array.from(value, plain);  // a list
  return Object.fromEntries(Object.entries(value.toJSON()).map(([k, v]) => [k, plain(v)]));  // struct or map row
}

// The value at `row` of one batch's column, as text comparable with the helper's (see its header), read
// from the column's own buffers where the library's convenience getters would round (decimals, times).
function text(column, row) {
  if (!column.isValid(row)) return null;
  const type = column.type;
  const data = column.data[0];
  const values = data.values;
  const at = data.offset + row;
  if (DataType.isDecimal(type)) return decimalText(signedWords(values, at * 4, 4), type.scale);
  if (DataType.isDate(type)) return String(values[at]);
  if (DataType.isTime(type) || DataType.isTimestamp(type)) return String(values[at]);
  if (DataType.isInterval(type)) {
    const view = new DataView(values.buffer, values.byteOffset + at * 16, 16);
    return `${view.getInt32(0, true)},${view.getInt32(4, true)},${view.getBigInt64(8, true)}`;
  }
  if (DataType.isBinary(type)) return hex(column.get(row));
  if (DataType.isList(type) || DataType.isStruct(type) || DataType.isMap(type) || DataType.isFixedSizeList(type)) {
    return JSON.stringify(plain(column.get(row)));
  }
  return String(column.get(row));
}

function sameFloat(actual, expected, single) {
  if (expected === 'nan') return Number.isNaN(Number(actual));
  const want = expected === 'inf' ? Infinity : expected === '-inf' ? -Infinity : Number(expected);
  return Number(actual) === (single ? Math.fround(want) : want);
}

function compare(name) {
  const { table, expected } = load(name);
  assert.deepEqual(table.schema.fields.map((f) => f.name), expected.columns.map((c) => c.name));
  assert.equal(table.numRows, expected.rows.length);
  let offset = 0;
  for (const batch of table.batches) {
    expected.columns.forEach((spec, c) => {
      const column = batch.getChildAt(c);
      for (let row = 0; row < batch.numRows; row++) {
        const want = expected.rows[offset + row][c];
        const got = text(column, row);
        const where = `${name}: column ${spec.name} (${spec.type}), row ${offset + row}`;
        if (DataType.isFloat(column.type) && want !== null) {
          assert.ok(sameFloat(got, want, spec.type === 'FLOAT'), `${where}: ${got} is not ${want}`);
        } else if (want !== null && /^[[{]/.test(want)) {
          assert.deepEqual(JSON.parse(got), JSON.parse(want), where);
        } else {
          assert.equal(got, want, where);
        }
      }
    });
    offset += batch.numRows;
  }
  return table;
}

test('every scalar type, with NULLs, extremes, unicode and dates before 1970', () => {
  const table = compare('scalars');
  const type = (name) => table.schema.fields.find((f) => f.name === name).type;
  assert.equal(type('ts_s').unit, TimeUnit.SECOND);
  assert.equal(type('ts_ms').unit, TimeUnit.MILLISECOND);
  assert.equal(type('ts').unit, TimeUnit.MICROSECOND);
  assert.equal(type('ts_ns').unit, TimeUnit.NANOSECOND);
  assert.equal(type('ts').timezone, null);
  assert.ok(type('tstz').timezone, 'TIMESTAMPTZ carries a time zone');
  assert.equal(type('d38').precision, 38);
  assert.equal(type('d38').scale, 10);
  assert.ok(table.schema.fields.every((f) => f.nullable));
});

test('lists, structs, maps and fixed-size arrays', () => {
  compare('nested');
});

test('an empty result still has its schema', () => {
  const table = compare('empty');
  assert.equal(table.numRows, 0);
  assert.deepEqual(table.schema.fields.map((f) => String(f.type)), ['Int32', 'Utf8', 'List<Int32>']);
});

test('a result of several record batches', () => {
  const table = compare('batches');
  assert.equal(table.numRows, 10000);
  assert.ok(table.batches.length > 1, `${table.batches.length} batch(es)`);
});
