// How values look: one place for numbers, sizes, durations and the typed cells of the result grid.
import type { Column, Row } from './api';

const counts = new Intl.NumberFormat('en-US');
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCount(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? counts.format(n) : '—';
}

// 1,234 → "1.2k": for the narrow sidebar.
export function formatCompact(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const units = ['', 'k', 'M', 'B', 'T'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? counts.format(value) : `${oneDecimal.format(value)}${units[unit]}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${oneDecimal.format(value)} ${units[unit]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

// What a column holds, from DuckDB's type names ("BIGINT", "DECIMAL(18,2)", "TIMESTAMP WITH TIME ZONE")
// and from the catalog's ("Int64", "Float64", "String", "Date", ...).
export type Kind = 'int' | 'float' | 'bool' | 'temporal' | 'text' | 'other';

export function kindOf(type: string): Kind {
  const t = type.trim().toUpperCase();
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$|^INT(8|16|32|64|128)?$|^UINT(8|16|32|64)$/.test(t)) return 'int';
  if (/^(FLOAT|DOUBLE|REAL|FLOAT(32|64))$|^DECIMAL\b|^NUMERIC\b/.test(t)) return 'float';
  if (t === 'BOOLEAN' || t === 'BOOL') return 'bool';
  if (/^(DATE|TIME|TIMESTAMP|TIMESTAMPTZ|INTERVAL)\b|^TIMESTAMP_/.test(t)) return 'temporal';
  if (/^(VARCHAR|STRING|TEXT|UUID|CHAR|BPCHAR|ENUM)\b/.test(t)) return 'text';
  return 'other';
}

export function isNumeric(type: string): boolean {
  const kind = kindOf(type);
  return kind === 'int' || kind === 'float';
}

// Digits after the point of a DECIMAL(p,s) column, so 7.0 of DECIMAL(10,2) shows as 7.00.
function decimalScale(type: string): number | null {
  const m = /^DECIMAL\s*\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(type.trim());
  return m ? Number(m[1]) : null;
}

export interface Cell {
  text: string;
  className: string;
  title?: string;
  // The exact value as text, for copies (and tests): numbers as the server sent them, '' for NULL.
  copy: string;
}

// Numbers in the browser's locale: integers grouped, DECIMAL(p,s) with its s digits, other fractions to
// two decimals (four significant digits below 1), so 388944.86999998085 reads 388,944.87.
const groupedInt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const smallFraction = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });

export function formatNumber(value: number | string, type: string): string {
  if (typeof value === 'string') {
    // Beyond 2^53: exact digits, grouped.
    if (/^-?\d+$/.test(value)) return groupedInt.format(BigInt(value));
    const n = Number(value);
    return Number.isFinite(n) ? formatNumber(n, type) : value;
  }
  if (!Number.isFinite(value)) return String(value);
  const scale = decimalScale(type);
  if (scale !== null && Math.abs(value) < 1e15)
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: scale, maximumFractionDigits: scale }).format(value);
  if (Number.isInteger(value)) return groupedInt.format(value);
  return Math.abs(value) < 1 ? smallFraction.format(value) : twoDecimals.format(value);
}

const MAX_CELL_TEXT = 200;

// A result value as the grid shows it: exact digits (no rounding, no grouping), NULL distinct from the
// text 'NULL', numbers right-aligned by their class.
export function formatCell(value: unknown, type: string): Cell {
  if (value === null || value === undefined) return { text: 'NULL', className: 'cell-null', copy: '' };
  const kind = kindOf(type);
  // Integers beyond 2^53 arrive as strings of digits (or were kept as their source text on parsing).
  if (typeof value === 'number' || (typeof value === 'string' && (kind === 'int' || kind === 'float'))) {
    const exact = String(value);
    const text = formatNumber(value, type);
    return { text, className: 'cell-num', title: text === exact ? undefined : exact, copy: exact };
  }
  if (typeof value === 'boolean') return { text: String(value), className: `cell-bool cell-${value}`, copy: String(value) };
  if (typeof value === 'string') {
    const className = kind === 'temporal' ? 'cell-time' : 'cell-text';
    if (value.length > MAX_CELL_TEXT) return { text: `${value.slice(0, MAX_CELL_TEXT)}…`, className, title: value, copy: value };
    return { text: value, className, title: value.length > 40 ? value : undefined, copy: value };
  }
  const json = JSON.stringify(value);
  return {
    text: json.length > MAX_CELL_TEXT ? `${json.slice(0, MAX_CELL_TEXT)}…` : json,
    className: 'cell-other',
    title: json,
    copy: json,
  };
}

export type CopyFormat = 'csv' | 'tsv' | 'markdown';

// Rows as text for the clipboard, with exact values (not the grid's rounded ones).
export function rowsAsText(columns: Column[], rows: Row[], format: CopyFormat, header = true): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c.name], c.type)));
  if (format === 'markdown') {
    const escape = (t: string) => t.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
    const line = (values: string[]) => `| ${values.map(escape).join(' | ')} |`;
    const body = cells.map((r) => line(r.map((c) => (c.className === 'cell-null' ? 'NULL' : c.copy))));
    return [...(header ? [line(columns.map((c) => c.name)), `|${columns.map((c) => (isNumeric(c.type) ? ' ---: ' : ' --- ')).join('|')}|`] : []), ...body].join('\n');
  }
  const separator = format === 'csv' ? ',' : '\t';
  const field =
    format === 'csv'
      ? (t: string) => (/[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t)
      : (t: string) => t.replace(/[\t\r\n]+/g, ' ');
  const lines = cells.map((r) => r.map((c) => field(c.copy)).join(separator));
  return [...(header ? [columns.map((c) => field(c.name)).join(separator)] : []), ...lines].join('\n');
}

// A statistic (min or max) of the catalog's column types, for the micro-partition table.
export function formatStat(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// SQL identifiers that need no quotes stay bare; anything else is double-quoted.
export function quoteIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
