// A result page as a grid (typed, aligned, NULLs marked) or as a chart.
import { useEffect, useRef, useState } from 'preact/hooks';

import type { Column, ExecuteResponse, Row } from './api';
import type { ChartKind } from './chart';
import { formatCell, isNumeric, kindOf } from './format';
import { ErrorBox, Spinner } from './ui';

export interface GridSort {
  column: number;
  name: string;
  direction: 'asc' | 'desc';
}

export function ResultGrid({
  result,
  sort,
  onSort,
}: {
  result: ExecuteResponse;
  sort?: GridSort | null;
  onSort?: (sort: GridSort | null) => void;
}) {
  return <RowsGrid columns={result.data.columns} rows={result.data.rows} firstRow={result.from} sort={sort} onSort={onSort} />;
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
}: {
  columns: Column[];
  rows: Row[];
  firstRow?: number;
  testId?: string;
  label?: string;
  sort?: GridSort | null;
  onSort?: (sort: GridSort | null) => void;
}) {
  if (columns.length === 0) return <p class="muted pad">The statement returned no columns.</p>;
  // The row-number column as wide as its largest number.
  const digits = String(firstRow + Math.max(0, rows.length - 1)).length;
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
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={columns.length + 1} class="muted empty-row">
              No rows.
            </td>
          </tr>
        )}
        {rows.map((row, r) => (
          <tr key={firstRow + r}>
            <td class="num row-number">{firstRow + r}</td>
            {columns.map((c, i) => {
              const cell = formatCell(row[c.name], c.type);
              return (
                <td key={i} class={cell.className} title={cell.title}>
                  {cell.text}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// A chart fits a result with exactly one text or date column (the labels) and some numeric columns.
export function chartColumns(columns: Column[]): { label: Column; values: Column[] } | null {
  const labels = columns.filter((c) => {
    const kind = kindOf(c.type);
    return kind === 'text' || kind === 'temporal';
  });
  const values = columns.filter((c) => isNumeric(c.type));
  if (labels.length !== 1 || values.length === 0) return null;
  return { label: labels[0], values };
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function ResultChart({ result }: { result: ExecuteResponse }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [kind, setKind] = useState<ChartKind>(() => {
    const cols = chartColumns(result.data.columns);
    return cols && kindOf(cols.label.type) === 'temporal' ? 'line' : 'bar';
  });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const cols = chartColumns(result.data.columns);

  useEffect(() => {
    if (!cols || !canvasRef.current) return;
    let destroy: (() => void) | null = null;
    let cancelled = false;
    import('./chart')
      .then(({ drawChart }) => {
        if (cancelled || !canvasRef.current) return;
        destroy = drawChart(canvasRef.current, {
          kind,
          labels: result.data.rows.map((row) => {
            const v = row[cols.label.name];
            return v === null || v === undefined ? 'NULL' : String(v);
          }),
          series: cols.values.map((c) => ({ name: c.name, values: result.data.rows.map((row) => toNumber(row[c.name])) })),
        });
        setLoading(false);
      })
      .catch((e) => {
        if (!cancelled) setError(`The chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`);
      });
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [result, kind]);

  if (!cols) return <p class="muted pad">A chart needs one text or date column and at least one numeric column.</p>;
  return (
    <div class="chart-panel">
      <div class="chart-toolbar">
        <div class="segmented" role="group" aria-label="Chart type">
          {(['bar', 'line'] as const).map((k) => (
            <button key={k} type="button" class="btn btn-small" aria-pressed={kind === k} onClick={() => setKind(k)}>
              {k === 'bar' ? 'Bars' : 'Lines'}
            </button>
          ))}
        </div>
        <span class="muted small">
          {cols.values.map((c) => c.name).join(', ')} by {cols.label.name}, rows {result.from}–{result.to} of this page
        </span>
      </div>
      {error && <ErrorBox message={error} />}
      <div class="chart-box">
        {loading && !error && (
          <div class="chart-loading">
            <Spinner label="Loading the chart" />
          </div>
        )}
        <canvas ref={canvasRef} data-testid="result-chart" aria-label={`Chart of ${cols.values.map((c) => c.name).join(', ')} by ${cols.label.name}`} role="img" />
      </div>
    </div>
  );
}
