// A result page as a grid: typed, aligned, NULLs marked, sortable by a header click.

import type { Column, ExecuteResponse, Row } from './api';
import { formatCell, isNumeric } from './format';

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
