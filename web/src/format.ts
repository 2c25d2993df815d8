// How values look: one place for numbers, sizes, durations and the typed cells of the result grid.

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
}

const MAX_CELL_TEXT = 200;

// A result value as the grid shows it: exact digits (no rounding, no grouping), NULL distinct from the
// text 'NULL', numbers right-aligned by their class.
export function formatCell(value: unknown, type: string): Cell {
  if (value === null || value === undefined) return { text: 'NULL', className: 'cell-null' };
  const kind = kindOf(type);
  if (typeof value === 'number') {
    const scale = decimalScale(type);
    const text = scale !== null && Math.abs(value) < 1e15 ? value.toFixed(scale) : String(value);
    return { text, className: 'cell-num' };
  }
  if (typeof value === 'boolean') return { text: String(value), className: `cell-bool cell-${value}` };
  if (typeof value === 'string') {
    // Integers beyond 2^53 arrive as strings of digits (or were kept as their source text on parsing).
    if (kind === 'int' || kind === 'float') return { text: value, className: 'cell-num' };
    const className = kind === 'temporal' ? 'cell-time' : 'cell-text';
    if (value.length > MAX_CELL_TEXT) return { text: `${value.slice(0, MAX_CELL_TEXT)}…`, className, title: value };
    return { text: value, className, title: value.length > 40 ? value : undefined };
  }
  const json = JSON.stringify(value);
  return {
    text: json.length > MAX_CELL_TEXT ? `${json.slice(0, MAX_CELL_TEXT)}…` : json,
    className: 'cell-other',
    title: json,
  };
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
