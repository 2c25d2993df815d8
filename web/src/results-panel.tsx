// The result of the current tab's query: a summary line, the rows as a grid (sortable by the server over
// the whole result), a chart, or a query plan; downloads of the whole result; and the pager.
import { useState } from 'preact/hooks';

import { downloadResult, errorMessage, type DownloadFormat, type ExecuteResponse } from './api';
import { formatBytes, formatCompact, formatCount, formatDuration } from './format';
import { ChartPanel } from './chart-panel';
import { ResultGrid } from './results';
import { ErrorBox, LoadingBar, PageSizeSelect, Pager, Spinner } from './ui';

export interface Sort {
  column: number; // 0-based position in the result
  name: string;
  direction: 'asc' | 'desc';
}

export interface Run {
  query: string; // as written (trimmed)
  offset: number; // where it starts in the editor's text
  page: number;
  perPage: number;
  sort: Sort | null;
}

const PAGE_SIZES = [30, 100, 500, 1000];

// The query as sent: sorted by a column's position (names may repeat in a result) over the whole result.
export function sortedQuery(run: Run): string {
  if (!run.sort) return run.query;
  const inner = run.query.replace(/[\s;]+$/, '');
  return `SELECT * FROM (\n${inner}\n) AS sorted_result ORDER BY ${run.sort.column + 1} ${run.sort.direction.toUpperCase()} NULLS LAST`;
}

// DuckDB answers EXPLAIN with two text columns: what was explained, and the plan drawn in boxes.
export function isPlan(result: ExecuteResponse): boolean {
  const names = result.data.columns.map((c) => c.name);
  return names.length === 2 && names[0] === 'explain_key' && names[1] === 'explain_value';
}

function PlanView({ result }: { result: ExecuteResponse }) {
  return (
    <div class="plan-view" data-testid="query-plan">
      {result.data.rows.map((row, i) => (
        <section key={i} class="plan-part">
          <h3 class="plan-key">{String(row.explain_key).replace(/_/g, ' ')}</h3>
          <pre class="plan-text" tabIndex={0}>
            {String(row.explain_value ?? '')}
          </pre>
        </section>
      ))}
    </div>
  );
}

const FORMATS: { format: DownloadFormat; label: string }[] = [
  { format: 'csv', label: 'CSV' },
  { format: 'ndjson', label: 'NDJSON' },
  { format: 'parquet', label: 'Parquet' },
];

function DownloadMenu({ run, disabled }: { run: Run; disabled: boolean }) {
  const [busy, setBusy] = useState<DownloadFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const download = async (format: DownloadFormat) => {
    setBusy(format);
    setError(null);
    try {
      const { blob, filename } = await downloadResult(sortedQuery(run), format);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="download">
      <div class="segmented" role="group" aria-label="Download the whole result as">
        {FORMATS.map(({ format, label }) => (
          <button
            key={format}
            type="button"
            class="btn btn-small"
            disabled={disabled || busy !== null}
            onClick={() => download(format)}
            title={`Download every row as ${label}`}
            data-format={format}
          >
            {busy === format ? <Spinner /> : '↓'} {label}
          </button>
        ))}
      </div>
      {error && <ErrorBox title="The download failed" message={error} />}
    </div>
  );
}

interface Props {
  result: ExecuteResponse | null;
  run: Run | null;
  running: Run | null;
  perPage: number;
  onSort: (sort: Sort | null) => void;
  onPage: (page: number) => void;
  onPerPage: (size: number) => void;
  runShortcut: string;
}

export function ResultsPanel({ result, run, running, perPage, onSort, onPage, onPerPage, runShortcut }: Props) {
  const [mode, setMode] = useState<'grid' | 'chart'>('grid');
  const busy = running !== null;
  const plan = result !== null && isPlan(result);
  const shown = plan ? 'plan' : mode;

  return (
    <section
      class="panel results-panel"
      aria-labelledby="results-heading"
      aria-busy={busy}
      data-query={run?.query}
      data-page={result?.page}
      data-sort={run?.sort ? `${run.sort.name} ${run.sort.direction}` : ''}
    >
      <div class="panel-head">
        <h2 id="results-heading" class="visually-hidden">
          Results
        </h2>
        {!plan && (
          <div class="segmented" role="group" aria-label="Show the result as">
            <button type="button" class="btn btn-small" aria-pressed={shown === 'grid'} onClick={() => setMode('grid')}>
              Grid
            </button>
            <button
              type="button"
              class="btn btn-small"
              aria-pressed={shown === 'chart'}
              disabled={!result}
              title="Show as a chart"
              onClick={() => setMode('chart')}
            >
              Chart
            </button>
          </div>
        )}
        <p class="result-summary" data-testid="result-summary" aria-live="polite">
          {result ? (
            <>
              {plan ? (
                <strong>Query plan</strong>
              ) : (
                <>
                  <strong data-testid="result-total">{formatCount(result.total)}</strong> {result.total === 1 ? 'row' : 'rows'}
                  {result.total > 0 && (
                    <span class="muted">
                      {' '}
                      (showing {formatCount(result.from)}–{formatCount(result.to)})
                    </span>
                  )}
                </>
              )}
              <span class="sep" aria-hidden="true">
                ·
              </span>
              <span data-testid="result-time">{formatDuration(result.stats.execution_time)}</span>
              {typeof result.stats.rows_in_tables === 'number' && (
                <span class="muted">
                  <span class="sep" aria-hidden="true">
                    ·
                  </span>
                  read {formatCompact(result.stats.rows_in_tables)} rows, {formatBytes(result.stats.bytes_in_tables)}
                </span>
              )}
              {run?.sort && (
                <span class="muted">
                  <span class="sep" aria-hidden="true">
                    ·
                  </span>
                  sorted by {run.sort.name} {run.sort.direction === 'asc' ? '↑' : '↓'}
                </span>
              )}
            </>
          ) : (
            <span class="muted">{busy ? 'Running…' : 'No result yet'}</span>
          )}
        </p>
        {result && run && !plan && <DownloadMenu run={run} disabled={busy} />}
      </div>

      <div class={`results-frame ${busy ? 'is-loading' : ''}`}>
        <LoadingBar active={busy} />
        {!result && !busy && (
          <div class="empty-state">
            <p>
              Write a query and press <kbd>{runShortcut}</kbd>, or click a table name on the left to see its first rows.
            </p>
          </div>
        )}
        {!result && busy && (
          <div class="empty-state">
            <Spinner label="Running the query" />
          </div>
        )}
        {result && shown === 'plan' && <PlanView result={result} />}
        {result && shown === 'grid' && (
          <ResultGrid
            key={`${run?.query}|${result.page}|${result.per_page}|${run?.sort?.name}|${run?.sort?.direction}`}
            result={result}
            sort={run?.sort ?? null}
            onSort={onSort}
            query={run?.query ?? null}
          />
        )}
        {result && shown === 'chart' && <ChartPanel key={run ? sortedQuery(run) : ''} result={result} query={run ? sortedQuery(run) : null} />}
      </div>

      {!plan && (
        <div class="panel-foot">
          <PageSizeSelect id="result-page-size" value={perPage} options={PAGE_SIZES} onChange={onPerPage} disabled={busy} />
          {result && (
            <Pager page={result.page} lastPage={Math.max(1, result.last_page)} onPage={onPage} disabled={busy} label="Result pages" />
          )}
        </div>
      )}
    </section>
  );
}
