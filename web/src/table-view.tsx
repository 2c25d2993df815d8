// One table: its columns and keys, totals, and its micro-partitions, paged and sorted by the server.
// The app mounts one per table id (key={id}), so another table starts on page 1.
import { useState } from 'preact/hooks';

import { api, type SortColumn, type SortDirection, type TableResponse, type TableSummary } from './api';
import { formatBytes, formatCount, formatStat, isNumeric } from './format';
import { ErrorBox, LoadingBar, PageSizeSelect, Pager } from './ui';
import { useLoad } from './use-load';

interface Props {
  id: number;
  onQueryTable: (table: TableSummary) => void;
}

const PAGE_SIZES = [25, 50, 100, 250];

export function TableView({ id, onQueryTable }: Props) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [sortColumn, setSortColumn] = useState<SortColumn>('id');
  const [sortDirection, setSortDirection] = useState<SortDirection>('asc');
  const [statColumn, setStatColumn] = useState<string | null>(null);
  // A retry shows the skeleton again rather than the old error.
  const { data, loading, error, reload } = useLoad<TableResponse>(
    (signal) => api.table(id, { page, pageSize, sortColumn, sortDirection }, signal),
    [id, page, pageSize, sortColumn, sortDirection],
    { clearErrorFirst: true },
  );

  const table = data && data.table.id === id ? data.table : null;

  if (!table) {
    return (
      <section class="view table-view" aria-busy={loading} aria-labelledby="table-title">
        <h1 id="table-title" class="view-title">
          {error ? 'Table' : <span class="skeleton-line w40" aria-label="Loading table" />}
        </h1>
        {error ? <ErrorBox message={error} onRetry={reload} /> : <TableSkeleton />}
      </section>
    );
  }

  const stat = statColumn && table.columns.some((c) => c.name === statColumn) ? statColumn : defaultStatColumn(table);
  const statType = table.columns.find((c) => c.name === stat)?.type ?? '';
  const totals = data!.totals;
  const pagination = data!.pagination;
  const lastPage = Math.max(1, pagination.totalPages);

  const sortBy = (column: SortColumn) => {
    if (column === sortColumn) setSortDirection(sortDirection === 'asc' ? 'desc' : 'asc');
    else {
      setSortColumn(column);
      setSortDirection(column === 'id' ? 'asc' : 'desc');
    }
    setPage(1);
  };
  const sortHeader = (column: SortColumn, label: string, numeric = true) => {
    const active = sortColumn === column;
    return (
      <th
        scope="col"
        class={numeric ? 'num' : undefined}
        aria-sort={active ? (sortDirection === 'asc' ? 'ascending' : 'descending') : 'none'}
      >
        <button type="button" class="sort-button" onClick={() => sortBy(column)}>
          {label}
          <span class={`sort-mark ${active ? sortDirection : ''}`} aria-hidden="true" />
        </button>
      </th>
    );
  };

  return (
    <section class="view table-view" aria-labelledby="table-title">
      <header class="view-head">
        <div>
          <p class="breadcrumb">
            {table.database} › {table.schema}
          </p>
          <h1 id="table-title" class="view-title">
            {table.name}
            {table.status && table.status !== 'active' && <span class={`badge badge-${table.status}`}>{table.status}</span>}
          </h1>
        </div>
        {table.status === 'dropped' ? (
          // Its name may belong to a live table now: a query by name would read that one, not this.
          <p class="muted small dropped-note" data-testid="dropped-note">
            Dropped: its files stay, but SQL no longer reaches it by name.
          </p>
        ) : (
          <button type="button" class="btn btn-primary" onClick={() => onQueryTable(table)}>
            Query this table
          </button>
        )}
      </header>

      <dl class="stat-cards">
        <div>
          <dt>Rows</dt>
          <dd data-testid="table-rows">{formatCount(totals.rows)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd title={`${formatCount(totals.bytes)} bytes`}>{formatBytes(totals.bytes)}</dd>
        </div>
        <div>
          <dt>Micro-partitions</dt>
          <dd data-testid="table-micro-partitions">{formatCount(totals.micro_partitions)}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{table.version}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd class="small">{table.created_at}</dd>
        </div>
      </dl>

      <div class="two-col">
        <section class="panel" aria-labelledby="columns-heading">
          <h2 id="columns-heading">Columns</h2>
          <div class="table-scroll">
            <table class="data-table compact">
              <thead>
                <tr>
                  <th scope="col" class="num">
                    #
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Key</th>
                </tr>
              </thead>
              <tbody>
                {table.columns.map((c, i) => {
                  const part = table.partition_keys.indexOf(c.name);
                  const sort = table.sort_keys.indexOf(c.name);
                  return (
                    <tr key={c.name}>
                      <td class="num muted">{i + 1}</td>
                      <td class="mono">{c.name}</td>
                      <td>
                        <span class="type-tag">{c.type}</span>
                      </td>
                      <td>
                        {part >= 0 && <span class="badge badge-partition">partition</span>}
                        {sort >= 0 && <span class="badge badge-sort">sort {sort + 1}</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
        <section class="panel" aria-labelledby="keys-heading">
          <h2 id="keys-heading">Layout</h2>
          <dl class="key-list">
            <dt>Partition keys</dt>
            <dd>{chips(table.partition_keys)}</dd>
            <dt>Sort keys</dt>
            <dd>{chips(table.sort_keys)}</dd>
            {table.location && (
              <>
                <dt>Location</dt>
                <dd class="mono small break">{table.location}</dd>
              </>
            )}
          </dl>
        </section>
      </div>

      <section class="panel" aria-labelledby="mp-heading" aria-busy={loading}>
        <div class="panel-head">
          <h2 id="mp-heading">
            Micro-partitions <span class="muted">({formatCount(totals.micro_partitions)})</span>
          </h2>
          <div class="controls">
            <label for="stat-column">
              Statistics of
              <select
                id="stat-column"
                value={stat ?? ''}
                onChange={(e) => setStatColumn((e.currentTarget as HTMLSelectElement).value)}
              >
                {table.columns.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <PageSizeSelect
              id="mp-page-size"
              value={pageSize}
              options={PAGE_SIZES}
              onChange={(size) => {
                setPageSize(size);
                setPage(1);
              }}
            />
          </div>
        </div>
        {error && <ErrorBox message={error} onRetry={reload} />}
        <div class={`table-scroll results-frame ${loading ? 'is-loading' : ''}`}>
          <LoadingBar active={loading} />
          <table class="data-table" data-testid="micro-partitions">
            <thead>
              <tr>
                {sortHeader('id', 'ID')}
                <th scope="col">Partition</th>
                {sortHeader('rows', 'Rows')}
                {sortHeader('filesize', 'Size')}
                <th scope="col" class={isNumeric(statType) ? 'num' : undefined}>
                  min({stat})
                </th>
                <th scope="col" class={isNumeric(statType) ? 'num' : undefined}>
                  max({stat})
                </th>
                <th scope="col" class="num">
                  Nulls
                </th>
                <th scope="col" class="num">
                  Distinct
                </th>
              </tr>
            </thead>
            <tbody>
              {data!.micro_partitions.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted empty-row">
                    No micro-partitions: the table holds no rows.
                  </td>
                </tr>
              )}
              {data!.micro_partitions.map((mp) => {
                const s = stat ? mp.stats?.[stat] : undefined;
                const numeric = isNumeric(statType);
                return (
                  <tr key={mp.id}>
                    <td class="num mono">{mp.id}</td>
                    <td class="mono small" title={mp.path}>
                      {mp.partition_path || <span class="muted">(unpartitioned)</span>}
                    </td>
                    <td class="num">{formatCount(mp.rows)}</td>
                    <td class="num" title={`${formatCount(mp.bytes)} bytes`}>
                      {formatBytes(mp.bytes)}
                    </td>
                    <td class={numeric ? 'num' : 'stat-text'}>{formatStat(s?.min)}</td>
                    <td class={numeric ? 'num' : 'stat-text'}>{formatStat(s?.max)}</td>
                    <td class="num">{formatCount(s?.null_count ?? null)}</td>
                    <td class="num">{formatCount(s?.distinct_count ?? null)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div class="panel-foot">
          <span class="muted">
            {formatCount(totals.rows)} rows in {formatCount(totals.micro_partitions)} files,{' '}
            {formatBytes(totals.bytes)}
          </span>
          <Pager page={pagination.page} lastPage={lastPage} onPage={setPage} disabled={loading} label="Micro-partition pages" />
        </div>
      </section>
    </section>
  );
}

function chips(items: string[]) {
  if (items.length === 0) return <span class="muted">none</span>;
  return items.map((k) => (
    <span key={k} class="chip mono">
      {k}
    </span>
  ));
}

// The first sort key is usually what a reader wants to see pruned by min/max.
function defaultStatColumn(table: TableSummary): string | null {
  return table.sort_keys[0] ?? table.columns[0]?.name ?? null;
}

function TableSkeleton() {
  return (
    <div aria-hidden="true">
      <div class="stat-cards">
        {[1, 2, 3, 4, 5].map((i) => (
          <div key={i}>
            <span class="skeleton-line w60" />
            <span class="skeleton-line w40 tall" />
          </div>
        ))}
      </div>
      <div class="panel">
        {[1, 2, 3, 4, 5, 6].map((i) => (
          <span key={i} class="skeleton-line w90" />
        ))}
      </div>
    </div>
  );
}
