// A result page as a grid: typed, aligned, NULLs marked, sortable by a header click.

import { useMemo, useState } from 'preact/hooks';

import { api, type Column, type ExecuteResponse, type Row } from './api';
import { formatCell, formatCount, isNumeric, quoteIdentifier, rowsAsText, type CopyFormat } from './format';
import { ErrorBox, Spinner } from './ui';
import { useLoad } from './use-load';

export interface Selection {
  row: number; // index among the rows shown
  column: number | null; // null: the whole row
}

export interface GridSort {
  column: number;
  name: string;
  direction: 'asc' | 'desc';
}

// The result page's grid with its tools: filters over the loaded page, copies of a cell, a row or the page
// (CSV, TSV or Markdown, exact values), Ctrl/Cmd+C for the selection, and a profile per column.
export function ResultGrid({
  result,
  sort,
  onSort,
  query,
}: {
  result: ExecuteResponse;
  sort?: GridSort | null;
  onSort?: (sort: GridSort | null) => void;
  // The result's query, for a column's profile (none: no profiles).
  query: string | null;
}) {
  const columns = result.data.columns;
  const [filters, setFilters] = useState<string[]>([]);
  const [selected, setSelected] = useState<Selection | null>(null);
  const [format, setFormat] = useState<CopyFormat>('tsv');
  const [status, setStatus] = useState<string | null>(null);
  const [profile, setProfile] = useState<number | null>(null);

  const shown = useMemo(() => {
    const needles = filters.map((f) => f.trim().toLowerCase());
    return result.data.rows
      .map((row, i) => ({ row, number: result.from + i }))
      .filter(({ row }) =>
        columns.every((c, j) => {
          if (!needles[j]) return true;
          const cell = formatCell(row[c.name], c.type);
          return cell.text.toLowerCase().includes(needles[j]) || cell.copy.toLowerCase().includes(needles[j]);
        }),
      );
  }, [result, filters]);
  const rows = shown.map((s) => s.row);
  const filtered = filters.some((f) => f.trim());

  const copy = (text: string, what: string) => {
    navigator.clipboard
      .writeText(text)
      .then(() => setStatus(`Copied ${what}.`))
      .catch((e) => setStatus(`The copy failed: ${e instanceof Error ? e.message : String(e)}`));
  };
  const names = { csv: 'CSV', tsv: 'TSV', markdown: 'Markdown' } as const;
  const copySelection = () => {
    if (!selected || !rows[selected.row]) return;
    const row = rows[selected.row];
    if (selected.column === null) copy(rowsAsText(columns, [row], format), `row ${shown[selected.row].number} as ${names[format]}`);
    else {
      const c = columns[selected.column];
      copy(formatCell(row[c.name], c.type).copy, `the ${c.name} of row ${shown[selected.row].number}`);
    }
  };
  const selectedCell = selected && selected.column !== null && rows[selected.row] ? selected : null;

  return (
    <>
      <div class="grid-tools">
        <label class="copy-format">
          Copy as
          <select value={format} onChange={(e) => setFormat((e.currentTarget as HTMLSelectElement).value as CopyFormat)}>
            <option value="tsv">TSV</option>
            <option value="csv">CSV</option>
            <option value="markdown">Markdown</option>
          </select>
        </label>
        <button type="button" class="btn btn-small" disabled={!selectedCell} onClick={copySelection} title="Click a cell first">
          Copy cell
        </button>
        <button
          type="button"
          class="btn btn-small"
          disabled={!selected || !rows[selected.row]}
          title="Click a cell or a row number first"
          onClick={() => selected && copy(rowsAsText(columns, [rows[selected.row]], format), `row ${shown[selected.row].number} as ${names[format]}`)}
        >
          Copy row
        </button>
        <button
          type="button"
          class="btn btn-small"
          disabled={rows.length === 0}
          onClick={() => copy(rowsAsText(columns, rows, format), `${formatCount(rows.length)} ${rows.length === 1 ? 'row' : 'rows'} as ${names[format]}`)}
        >
          Copy {filtered ? 'matching rows' : 'page'}
        </button>
        {filtered && (
          <span class="small muted" data-testid="filter-count">
            {formatCount(rows.length)} of {formatCount(result.data.rows.length)} rows on this page match
          </span>
        )}
        {status && (
          <span class="small copy-status" role="status" data-testid="copy-status">
            {status}
          </span>
        )}
      </div>
      {profile !== null && query && columns[profile] && (
        <ColumnProfile key={profile} query={query} column={columns[profile]} onClose={() => setProfile(null)} />
      )}
      <div
        class="grid-scroll"
        tabIndex={0}
        aria-label="Result rows"
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && selected && !(e.target instanceof HTMLInputElement)) {
            e.preventDefault();
            copySelection();
          }
        }}
      >
        <RowsGrid
          columns={columns}
          rows={rows}
          rowNumbers={shown.map((s) => s.number)}
          firstRow={result.from}
          sort={sort}
          onSort={onSort}
          filters={filters}
          onFilter={(i, text) => {
            setSelected(null);
            setFilters((old) => {
              const next = [...old];
              next[i] = text;
              return next;
            });
          }}
          selected={selected}
          onSelect={setSelected}
          onProfile={query ? setProfile : undefined}
        />
      </div>
    </>
  );
}

// One query over the whole result: its row count, nulls, distinct values, range and most common values.
export function profileQuery(query: string, column: string): string {
  const inner = query.replace(/[\s;]+$/, '');
  return [
    `WITH r AS (SELECT q.${quoteIdentifier(column)} AS v FROM (\n${inner}\n) AS q),`,
    's AS (SELECT count(*) AS rows, count(v) AS non_null, count(DISTINCT v) AS distinct_values, min(v)::VARCHAR AS min_value, max(v)::VARCHAR AS max_value FROM r),',
    'top AS (SELECT v::VARCHAR AS value, count(*) AS n FROM r GROUP BY v ORDER BY n DESC, value LIMIT 8)',
    'SELECT s.*, top.value, top.n FROM s LEFT JOIN top ON true ORDER BY top.n DESC NULLS LAST, top.value',
  ].join('\n');
}

function ColumnProfile({ query, column, onClose }: { query: string; column: Column; onClose: () => void }) {
  const { data, error, loading } = useLoad((signal) => api.execute(profileQuery(query, column.name), 1, 20, signal), [query, column.name]);
  const rows = data?.data.rows ?? [];
  const first = rows[0];
  const total = Number(first?.rows ?? 0);
  const nonNull = Number(first?.non_null ?? 0);
  const top = rows.filter((r) => r.n !== null && r.n !== undefined);
  const most = Math.max(1, ...top.map((r) => Number(r.n)));
  return (
    <section class="column-profile" aria-label={`Profile of ${column.name}`} data-testid="column-profile" aria-busy={loading}>
      <div class="profile-head">
        <h3>
          {column.name} <span class="col-type">{column.type}</span>
        </h3>
        <button type="button" class="btn btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      {error && <ErrorBox message={error} />}
      {loading && !data && <Spinner label="Profiling the column" />}
      {first && (
        <>
          <dl class="profile-stats">
            <div>
              <dt>Rows</dt>
              <dd data-stat="rows">{formatCount(total)}</dd>
            </div>
            <div>
              <dt>Null</dt>
              <dd data-stat="null-share">{total ? `${((100 * (total - nonNull)) / total).toFixed(1)}%` : '—'}</dd>
            </div>
            <div>
              <dt>Distinct</dt>
              <dd data-stat="distinct">{formatCount(Number(first.distinct_values))}</dd>
            </div>
            <div>
              <dt>Min</dt>
              <dd data-stat="min">{first.min_value === null ? 'NULL' : String(first.min_value)}</dd>
            </div>
            <div>
              <dt>Max</dt>
              <dd data-stat="max">{first.max_value === null ? 'NULL' : String(first.max_value)}</dd>
            </div>
          </dl>
          <table class="profile-top" aria-label="Most common values">
            <tbody>
              {top.map((r, i) => (
                <tr key={i} data-value={r.value === null ? 'NULL' : String(r.value)}>
                  <td class={r.value === null ? 'cell-null' : 'mono'}>{r.value === null ? 'NULL' : String(r.value)}</td>
                  <td class="profile-bar-cell">
                    <span class="profile-bar" style={{ '--share': String(Number(r.n) / most) }} />
                  </td>
                  <td class="num" data-count={String(r.n)}>
                    {formatCount(Number(r.n))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

// A header click sorts ascending, then descending, then as the query had it.
function nextSort(sort: GridSort | null | undefined, column: number, name: string): GridSort | null {
  if (!sort || sort.column !== column) return { column, name, direction: 'asc' };
  return sort.direction === 'asc' ? { column, name, direction: 'desc' } : null;
}

// Rows under typed column heads, numbered from firstRow: a result page, or a fake-data spec's preview.
export function RowsGrid({
  columns,
  rows,
  firstRow = 1,
  testId = 'result-grid',
  label,
  sort,
  onSort,
  filters,
  onFilter,
  selected,
  onSelect,
  onProfile,
  rowNumbers,
}: {
  columns: Column[];
  rows: Row[];
  firstRow?: number;
  testId?: string;
  label?: string;
  sort?: GridSort | null;
  onSort?: (sort: GridSort | null) => void;
  // The result grid's extras: a filter box per column, a selected cell or row, a profile per column.
  filters?: string[];
  onFilter?: (column: number, text: string) => void;
  selected?: Selection | null;
  onSelect?: (selection: Selection) => void;
  onProfile?: (column: number) => void;
  // The numbers of the rows shown, when a filter left only some.
  rowNumbers?: number[];
}) {
  if (columns.length === 0) return <p class="muted pad">The statement returned no columns.</p>;
  // The row-number column as wide as its largest number.
  const digits = String(rowNumbers ? Math.max(1, ...rowNumbers) : firstRow + Math.max(0, rows.length - 1)).length;
  return (
    <table class="data-table result-grid" data-testid={testId} aria-label={label} style={{ '--row-digits': digits }}>
      <thead>
        <tr>
          <th scope="col" class="num row-number" aria-label="Row number">
            #
          </th>
          {columns.map((c, i) => {
            const active = sort?.column === i;
            const head = (
              <>
                <span class="col-name">{c.name}</span>
                <span class="col-type">{c.type}</span>
              </>
            );
            return (
              <th
                key={i}
                scope="col"
                class={isNumeric(c.type) ? 'num' : undefined}
                aria-sort={onSort ? (active ? (sort!.direction === 'asc' ? 'ascending' : 'descending') : 'none') : undefined}
              >
                {onSort ? (
                  <button
                    type="button"
                    class="sort-button col-sort"
                    title={`Sort the whole result by ${c.name}`}
                    onClick={() => onSort(nextSort(sort, i, c.name))}
                  >
                    <span class="col-head">{head}</span>
                    <span class={`sort-mark ${active ? sort!.direction : ''}`} aria-hidden="true" />
                  </button>
                ) : (
                  head
                )}
                {onProfile && (
                  <button type="button" class="btn-link col-profile" aria-label={`Profile of ${c.name}`} title={`Profile of ${c.name}: nulls, distinct values, range, top values`} onClick={() => onProfile(i)}>
                    ≡
                  </button>
                )}
              </th>
            );
          })}
        </tr>
        {onFilter && (
          <tr class="filter-row">
            <th scope="col" class="row-number">
              <span class="visually-hidden">Filters</span>
            </th>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                <input
                  type="search"
                  class="col-filter"
                  placeholder="filter"
                  aria-label={`Filter ${c.name} on this page`}
                  value={filters?.[i] ?? ''}
                  onInput={(e) => onFilter(i, (e.currentTarget as HTMLInputElement).value)}
                />
              </th>
            ))}
          </tr>
        )}
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={columns.length + 1} class="muted empty-row">
              No rows.
            </td>
          </tr>
        )}
        {rows.map((row, r) => {
          const number = rowNumbers ? rowNumbers[r] : firstRow + r;
          const rowSelected = selected?.row === r && selected.column === null;
          return (
            <tr key={number} class={rowSelected ? 'selected' : undefined}>
              <td class="num row-number" onClick={onSelect && (() => onSelect({ row: r, column: null }))}>
                {number}
              </td>
              {columns.map((c, i) => {
                const cell = formatCell(row[c.name], c.type);
                const cellSelected = selected?.row === r && selected.column === i;
                return (
                  <td
                    key={i}
                    class={`${cell.className}${cellSelected ? ' selected' : ''}`}
                    title={cell.title}
                    data-value={cell.className === 'cell-num' ? cell.copy : undefined}
                    onClick={onSelect && (() => onSelect({ row: r, column: i }))}
                  >
                    {cell.text}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
