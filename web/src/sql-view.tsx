// The SQL editor in tabs, each with its own query and result. It stays mounted while other views show
// (hidden), so texts, results and pages survive a look at a table. A running query can be cancelled
// (button or Esc); cancelling, running another query in its tab, closing its tab or leaving the page
// aborts its request, and the server cancels a query whose client went away.
import type { SQLNamespace } from '@codemirror/lang-sql';
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

import { api, errorMessage, isAbort, type ExecuteResponse } from './api';
import type { SqlEditor } from './editor';
import { PlayIcon } from './icons';
import { formatDuration } from './format';
import { EXAMPLES, Elapsed, HistoryPanel, SavedPanel, TabBar } from './query-panels';
import {
  addHistory,
  clearHistory,
  deleteSaved,
  loadHistory,
  loadSaved,
  loadTabs,
  queryFromUrl,
  saveQuery,
  storeTabs,
  urlForQuery,
  type HistoryEntry,
  type SavedQuery,
} from './query-store';
import { ResultsPanel, sortedQuery, type Run, type Sort } from './results-panel';
import { errorPosition } from './sql-error';
import { ErrorBox, Spinner } from './ui';

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const RUN_SHORTCUT = isMac ? '⌘↵' : 'Ctrl+Enter';

// What the rest of the console asks of the SQL view.
export interface SqlViewHandle {
  // Puts `query` into the current tab's editor (undoable) and, with run, runs it at once.
  open(query: string, run: boolean): void;
  focus(): void;
}

interface Props {
  active: boolean;
  handleRef: RefObject<SqlViewHandle | null>;
  schema: SQLNamespace;
}

interface Running {
  since: number;
  startedAt: string;
  run: Run;
  record: boolean;
}

interface Tab {
  id: number;
  text: string;
  result: ExecuteResponse | null;
  run: Run | null; // what `result` answers
  error: string | null;
  notice: string | null;
  running: Running | null;
}

function newTab(id: number, text: string): Tab {
  return { id, text, result: null, run: null, error: null, notice: null, running: null };
}

function initialTabs(): { tabs: Tab[]; active: number } {
  const stored = loadTabs();
  const tabs = stored.tabs.map((t) => newTab(t.id, t.query));
  let active = stored.active;
  if (tabs.length === 0) tabs.push(newTab(1, ''));
  if (!tabs.some((t) => t.id === active)) active = tabs[0].id;
  // A query in the address (a shared link, a reload) shows in its own tab, or in a tab that holds it.
  const fromUrl = queryFromUrl(location.hash);
  if (fromUrl !== null && fromUrl.trim()) {
    const same = tabs.find((t) => t.text === fromUrl);
    if (same) active = same.id;
    else if (tabs.length === 1 && !tabs[0].text.trim()) tabs[0].text = fromUrl;
    else {
      const id = Math.max(...tabs.map((t) => t.id)) + 1;
      tabs.push(newTab(id, fromUrl));
      active = id;
    }
  }
  return { tabs, active };
}

// The first line of an error, for the history list.
function firstLine(message: string): string {
  return message.split('\n')[0].slice(0, 200);
}

export function SqlView({ active, handleRef, schema }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [initial] = useState(initialTabs);
  const [tabs, setTabs] = useState<Tab[]>(initial.tabs);
  const [activeId, setActiveId] = useState(initial.active);
  const [perPage, setPerPage] = useState(100);
  const [panel, setPanel] = useState<'history' | 'saved' | 'examples' | null>(null);
  const [historyEntries, setHistory] = useState<HistoryEntry[]>(loadHistory);
  const [saved, setSaved] = useState<SavedQuery[]>(loadSaved);
  const editorObj = useRef<SqlEditor | null>(null);
  const controllers = useRef(new Map<number, AbortController>());
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  const activeRef = useRef(activeId);
  activeRef.current = activeId;
  const perPageRef = useRef(perPage);
  perPageRef.current = perPage;

  const tab = tabs.find((t) => t.id === activeId) ?? tabs[0];
  const patch = (id: number, change: Partial<Tab>) => setTabs((all) => all.map((t) => (t.id === id ? { ...t, ...change } : t)));
  const record = (entry: HistoryEntry) => setHistory(addHistory(entry));

  // Stops the tab's query, if one runs: its request is aborted (the server then cancels the query).
  const cancel = (id: number, why: 'cancelled' | 'replaced' | 'closed') => {
    const controller = controllers.current.get(id);
    const running = tabsRef.current.find((t) => t.id === id)?.running;
    if (!controller || !running) return;
    controller.abort();
    controllers.current.delete(id);
    const ms = performance.now() - running.since;
    if (running.record) record({ query: running.run.query, at: running.startedAt, ms, ok: false, cancelled: true });
    if (why !== 'closed') patch(id, { running: null, notice: why === 'cancelled' ? `Cancelled after ${formatDuration(ms)}.` : null });
  };

  const execute = (id: number, run: Run, recordIt: boolean) => {
    cancel(id, 'replaced');
    const controller = new AbortController();
    controllers.current.set(id, controller);
    const running: Running = { since: performance.now(), startedAt: new Date().toISOString(), run, record: recordIt };
    // The last result stays in view until the new one arrives.
    patch(id, { running, error: null, notice: null });
    if (id === activeRef.current) editorObj.current?.markError(null);
    api
      .execute(sortedQuery(run), run.page, run.perPage, controller.signal)
      .then((response) => {
        if (controller.signal.aborted) return;
        controllers.current.delete(id);
        const ms = performance.now() - running.since;
        patch(id, { result: response, run, running: null });
        if (recordIt) record({ query: run.query, at: running.startedAt, ms, ok: true, rows: response.total });
      })
      .catch((e) => {
        if (isAbort(e) || controller.signal.aborted) return;
        controllers.current.delete(id);
        const message = errorMessage(e);
        patch(id, { error: message, running: null });
        if (recordIt) record({ query: run.query, at: running.startedAt, ms: performance.now() - running.since, ok: false, error: firstLine(message) });
        // DuckDB's position of a syntax or binder error, marked in the editor (not for a re-sorted query,
        // whose text the editor does not hold).
        const at = run.sort ? null : errorPosition(message, run.query);
        if (at && id === activeRef.current) editorObj.current?.markError({ offset: run.offset + at.offset, message: firstLine(message) });
      });
  };

  const runText = (text: string, offset: number) => {
    const id = activeRef.current;
    if (!text.trim()) {
      patch(id, { error: 'Write a SQL statement first, or click a table name to start from one.', notice: null });
      return;
    }
    editorObj.current?.closeCompletion();
    execute(id, { query: text.trim(), offset: offset + (text.length - text.trimStart().length), page: 1, perPage: perPageRef.current, sort: null }, true);
  };

  const runEditor = () => {
    const editor = editorObj.current;
    if (editor) {
      const { text, offset } = editor.runText();
      runText(text, offset);
    } else {
      runText(tabsRef.current.find((t) => t.id === activeRef.current)?.text ?? '', 0);
    }
  };
  const runRef = useRef(runEditor);
  runRef.current = runEditor;

  const setText = (text: string) => {
    if (editorObj.current) editorObj.current.replace(text);
    else patch(activeRef.current, { text });
  };

  handleRef.current = {
    open(query, run) {
      setText(query);
      if (run) runText(query, 0);
    },
    focus: () => editorObj.current?.focus(),
  };

  // CodeMirror is most of the console's code: it loads on its own after the page (and the login form)
  // is up. Until it is there, the tab's text stands in for it.
  const [editorReady, setEditorReady] = useState(false);
  const [editorError, setEditorError] = useState<string | null>(null);
  const schemaRef = useRef(schema);
  schemaRef.current = schema;
  useEffect(() => {
    let disposed = false;
    import('./editor')
      .then(({ createSqlEditor }) => {
        if (disposed) return;
        const start = tabsRef.current.find((t) => t.id === activeRef.current)?.text ?? '';
        const editor = createSqlEditor(
          hostRef.current!,
          start,
          () => runRef.current(),
          (text) => patch(activeRef.current, { text }),
        );
        editor.swap(activeRef.current, start);
        editor.setSchema(schemaRef.current);
        editorObj.current = editor;
        setEditorReady(true);
      })
      .catch((e) => setEditorError(`The editor could not be loaded: ${errorMessage(e)}`));
    return () => {
      disposed = true;
      editorObj.current?.destroy();
      editorObj.current = null;
      for (const controller of controllers.current.values()) controller.abort();
    };
  }, []);

  useEffect(() => editorObj.current?.setSchema(schema), [schema]);

  // Tabs are kept for the next visit; the address holds the current tab's query.
  const texts = tabs.map((t) => `${t.id}:${t.text}`).join('\u0000');
  useEffect(() => {
    storeTabs(
      tabsRef.current.map((t) => ({ id: t.id, query: t.text })),
      activeId,
    );
    if (!active) return;
    const timer = setTimeout(() => {
      const url = urlForQuery(tab.text);
      // Only while the address still shows the SQL view: a hash change may be on its way.
      const onSql = !/^#\/(table|dev)\b/.test(location.hash);
      if (onSql && location.hash !== url) history.replaceState(null, '', url);
    }, 250);
    return () => clearTimeout(timer);
  }, [texts, activeId, active]);

  // Esc stops the current tab's query. A layout effect, so that the key works as soon as the query shows
  // as running: Preact runs plain effects a frame later, and an Esc pressed in between was lost.
  useLayoutEffect(() => {
    if (!tab.running || !active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) cancel(activeRef.current, 'cancelled');
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [tab.running, active]);

  const selectTab = (id: number) => {
    const target = tabsRef.current.find((t) => t.id === id);
    if (!target) return;
    editorObj.current?.swap(id, target.text);
    setActiveId(id);
  };
  const addTab = (text = '') => {
    const id = Math.max(0, ...tabsRef.current.map((t) => t.id)) + 1;
    setTabs((all) => [...all, newTab(id, text)]);
    editorObj.current?.swap(id, text);
    setActiveId(id);
    requestAnimationFrame(() => editorObj.current?.focus());
  };
  const closeTab = (id: number) => {
    cancel(id, 'closed');
    editorObj.current?.forget(id);
    const all = tabsRef.current;
    const index = all.findIndex((t) => t.id === id);
    const rest = all.filter((t) => t.id !== id);
    if (rest.length === 0) {
      const fresh = newTab(id + 1, '');
      setTabs([fresh]);
      editorObj.current?.swap(fresh.id, '');
      setActiveId(fresh.id);
      return;
    }
    setTabs(rest);
    if (id === activeRef.current) selectTab(rest[Math.min(index, rest.length - 1)].id);
  };

  const pick = (query: string) => {
    setText(query);
    requestAnimationFrame(() => editorObj.current?.focus());
  };

  const again = (run: Run) => execute(tab.id, run, false);
  const sortBy = (sort: Sort | null) => tab.run && again({ ...tab.run, page: 1, sort });
  const goToPage = (page: number) => tab.run && again({ ...tab.run, page });
  const changePerPage = (size: number) => {
    setPerPage(size);
    if (tab.run) again({ ...tab.run, page: 1, perPage: size });
  };

  const running = tab.running !== null;
  const togglePanel = (which: 'history' | 'saved' | 'examples') => setPanel((p) => (p === which ? null : which));

  return (
    <section class="view sql-view" hidden={!active} aria-labelledby="sql-title">
      <h1 id="sql-title" class="visually-hidden">
        SQL
      </h1>
      <TabBar
        tabs={tabs.map((t) => ({ id: t.id, text: t.text, running: t.running !== null }))}
        activeId={tab.id}
        onSelect={selectTab}
        onClose={closeTab}
        onNew={() => addTab()}
      />
      <div class="editor-panel panel">
        <div class={`editor-host ${editorReady ? '' : 'is-loading'}`} ref={hostRef} data-testid="sql-editor">
          {!editorReady && !editorError && <span class="skeleton-line w40 editor-skeleton" aria-label="Loading the editor" />}
        </div>
        {editorError && <ErrorBox message={editorError} />}
        <div class="editor-bar">
          {running ? (
            <button type="button" class="btn btn-danger" onClick={() => cancel(tab.id, 'cancelled')} data-testid="cancel-query">
              <Spinner /> Cancel <kbd class="shortcut">Esc</kbd>
            </button>
          ) : (
            <button type="button" class="btn btn-primary" onClick={runEditor} data-testid="run-query">
              <PlayIcon /> Run
              <kbd class="shortcut">{RUN_SHORTCUT}</kbd>
            </button>
          )}
          {tab.running && <Elapsed since={tab.running.since} />}
          <div class="editor-tools" role="group" aria-label="Queries">
            {(['history', 'saved', 'examples'] as const).map((which) => (
              <button
                key={which}
                type="button"
                class="btn btn-small"
                aria-pressed={panel === which}
                aria-controls="query-side-panel"
                onClick={() => togglePanel(which)}
              >
                {which === 'history' ? 'History' : which === 'saved' ? 'Saved' : 'Examples'}
              </button>
            ))}
          </div>
          <span class="muted small editor-hint">Runs the selection, or the statement at the cursor.</span>
        </div>
        {tab.error && <ErrorBox title="The query failed" message={tab.error} />}
        {tab.notice && (
          <p class="notice notice-info small" role="status" data-testid="query-notice">
            {tab.notice}
          </p>
        )}
        <div id="query-side-panel">
          {panel === 'history' && <HistoryPanel entries={historyEntries} onPick={pick} onClear={() => setHistory(clearHistory())} />}
          {panel === 'saved' && (
            <SavedPanel
              saved={saved}
              currentText={tab.text}
              onPick={pick}
              onSave={(name) => setSaved(saveQuery(name, tab.text))}
              onDelete={(name) => setSaved(deleteSaved(name))}
            />
          )}
          {panel === 'examples' && (
            <section class="side-list" aria-labelledby="examples-heading">
              <div class="side-list-head">
                <h2 id="examples-heading">Examples</h2>
              </div>
              <ul class="side-items">
                {EXAMPLES.map((x) => (
                  <li key={x.title}>
                    <button
                      type="button"
                      class="side-item"
                      data-example={x.title}
                      onClick={() => {
                        setPanel(null);
                        handleRef.current?.open(x.query, true);
                      }}
                    >
                      <strong class="side-name">{x.title}</strong>
                      <code class="side-query">{x.query}</code>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </div>

      <ResultsPanel
        result={tab.result}
        run={tab.run}
        running={tab.running ? tab.running.run : null}
        perPage={perPage}
        onSort={sortBy}
        onPage={goToPage}
        onPerPage={changePerPage}
        runShortcut={RUN_SHORTCUT}
      />
    </section>
  );
}
