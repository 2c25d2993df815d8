// The SQL editor and its results. It stays mounted while other views show (hidden), so the text, the
// result and its page survive a look at a table.
import type { SQLNamespace } from '@codemirror/lang-sql';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { api, errorMessage, isAbort, type ExecuteResponse } from './api';
import type { SqlEditor } from './editor';
import { PlayIcon } from './icons';
import { formatBytes, formatCompact, formatCount, formatDuration } from './format';
import { chartColumns, ResultChart, ResultGrid } from './results';
import { ErrorBox, LoadingBar, PageSizeSelect, Pager, Spinner } from './ui';

const QUERY_KEY = 'superstore.query';
const PAGE_SIZES = [30, 100, 500, 1000];
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const RUN_SHORTCUT = isMac ? '⌘↵' : 'Ctrl+Enter';

interface Props {
  active: boolean;
  editorRef: RefObject<SqlEditor | null>;
  schema: SQLNamespace;
}

interface Run {
  query: string;
  page: number;
  perPage: number;
}

export function SqlView({ active, editorRef, schema }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [result, setResult] = useState<ExecuteResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [perPage, setPerPage] = useState(100);
  const [mode, setMode] = useState<'grid' | 'chart'>('grid');
  const lastRun = useRef<Run | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const perPageRef = useRef(perPage);
  perPageRef.current = perPage;

  const execute = (run: Run) => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setRunning(true);
    setError(null);
    api
      .execute(run.query, run.page, run.perPage, controller.signal)
      .then((response) => {
        if (controller.signal.aborted) return;
        lastRun.current = run;
        setResult(response);
        if (!chartColumns(response.data.columns)) setMode('grid');
        setRunning(false);
      })
      .catch((e) => {
        if (isAbort(e)) return;
        setError(errorMessage(e));
        setResult(null);
        setRunning(false);
      });
  };

  const runEditor = () => {
    const query = editorRef.current?.query().trim() ?? '';
    if (!query) {
      setError('Write a SQL statement first, or click a table name to start from one.');
      return;
    }
    sessionStorage.setItem(QUERY_KEY, editorRef.current?.query() ?? '');
    execute({ query, page: 1, perPage: perPageRef.current });
  };
  const runRef = useRef(runEditor);
  runRef.current = runEditor;

  // CodeMirror is most of the console's code: it loads on its own after the page (and the login form)
  // is up. Until it is there, a stand-in keeps what the app asks of the editor.
  const [editorReady, setEditorReady] = useState(false);
  const [editorError, setEditorError] = useState<string | null>(null);
  useEffect(() => {
    let editor: SqlEditor | null = null;
    let pending = sessionStorage.getItem(QUERY_KEY) ?? '';
    let pendingSchema: SQLNamespace = {};
    let focusWanted = false;
    let disposed = false;
    editorRef.current = {
      query: () => (editor ? editor.query() : pending),
      replace: (text) => (editor ? editor.replace(text) : (pending = text)),
      setSchema: (schema) => (editor ? editor.setSchema(schema) : (pendingSchema = schema)),
      focus: () => (editor ? editor.focus() : (focusWanted = true)),
      destroy: () => editor?.destroy(),
    };
    import('./editor')
      .then(({ createSqlEditor }) => {
        if (disposed) return;
        editor = createSqlEditor(hostRef.current!, pending, () => runRef.current());
        editor.setSchema(pendingSchema);
        if (focusWanted) editor.focus();
        setEditorReady(true);
      })
      .catch((e) => setEditorError(`The editor could not be loaded: ${errorMessage(e)}`));
    return () => {
      disposed = true;
      editor?.destroy();
      editorRef.current = null;
      inFlight.current?.abort();
    };
  }, []);

  useEffect(() => editorRef.current?.setSchema(schema), [schema]);

  const goToPage = (page: number) => {
    if (lastRun.current) execute({ ...lastRun.current, page });
  };
  const changePerPage = (size: number) => {
    setPerPage(size);
    if (lastRun.current) execute({ ...lastRun.current, page: 1, perPage: size });
  };

  const chartable = result ? chartColumns(result.data.columns) !== null : false;

  return (
    <section class="view sql-view" hidden={!active} aria-labelledby="sql-title">
      <h1 id="sql-title" class="visually-hidden">
        SQL
      </h1>
      <div class="editor-panel panel">
        <div class={`editor-host ${editorReady ? '' : 'is-loading'}`} ref={hostRef} data-testid="sql-editor">
          {!editorReady && !editorError && <span class="skeleton-line w40 editor-skeleton" aria-label="Loading the editor" />}
        </div>
        {editorError && <ErrorBox message={editorError} />}
        <div class="editor-bar">
          <button type="button" class="btn btn-primary" onClick={runEditor} disabled={running} data-testid="run-query">
            {running ? <Spinner /> : <PlayIcon />} Run
            <kbd class="shortcut">{RUN_SHORTCUT}</kbd>
          </button>
          <span class="muted small editor-hint">Runs the selection if there is one, else the whole text.</span>
        </div>
        {error && <ErrorBox title="The query failed" message={error} />}
      </div>

      <section
        class="panel results-panel"
        aria-labelledby="results-heading"
        aria-busy={running}
        data-query={result?.data.query}
        data-page={result?.page}
      >
        <div class="panel-head">
          <h2 id="results-heading" class="visually-hidden">
            Results
          </h2>
          <div class="segmented" role="group" aria-label="Show the result as">
            <button type="button" class="btn btn-small" aria-pressed={mode === 'grid'} onClick={() => setMode('grid')}>
              Grid
            </button>
            <button
              type="button"
              class="btn btn-small"
              aria-pressed={mode === 'chart'}
              disabled={!chartable}
              title={chartable ? 'Show as a chart' : 'A chart needs one text or date column and numeric columns'}
              onClick={() => setMode('chart')}
            >
              Chart
            </button>
          </div>
          <p class="result-summary" data-testid="result-summary" aria-live="polite">
            {result ? (
              <>
                <strong data-testid="result-total">{formatCount(result.total)}</strong>{' '}
                {result.total === 1 ? 'row' : 'rows'}
                {result.total > 0 && (
                  <span class="muted">
                    {' '}
                    (showing {formatCount(result.from)}–{formatCount(result.to)})
                  </span>
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
              </>
            ) : (
              <span class="muted">{running ? 'Running…' : 'No result yet'}</span>
            )}
          </p>
        </div>

        <div class={`results-frame ${running ? 'is-loading' : ''}`}>
          <LoadingBar active={running} />
          {!result && !running && (
            <div class="empty-state">
              <p>
                Write a query and press <kbd>{RUN_SHORTCUT}</kbd>, or click a table name on the left to start from{' '}
                <code>SELECT * FROM … LIMIT 100</code>.
              </p>
            </div>
          )}
          {!result && running && (
            <div class="empty-state">
              <Spinner label="Running the query" />
            </div>
          )}
          {result && mode === 'grid' && (
            <div class="grid-scroll" tabIndex={0} aria-label="Result rows">
              <ResultGrid result={result} />
            </div>
          )}
          {result && mode === 'chart' && <ResultChart result={result} />}
        </div>

        <div class="panel-foot">
          <PageSizeSelect id="result-page-size" value={perPage} options={PAGE_SIZES} onChange={changePerPage} disabled={running} />
          {result && (
            <Pager
              page={result.page}
              lastPage={Math.max(1, result.last_page)}
              onPage={goToPage}
              disabled={running}
              label="Result pages"
            />
          )}
        </div>
      </section>
    </section>
  );
}
