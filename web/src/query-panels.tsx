// Beside the SQL editor: the tab bar, the history of queries run, the saved queries, the examples, and
// the elapsed time of a running query. What they hold lives in the browser (query-store.ts).
import { useEffect, useState } from 'preact/hooks';

import { formatCount, formatDuration } from './format';
import type { HistoryEntry, SavedQuery } from './query-store';
import { Spinner } from './ui';

export interface TabInfo {
  id: number;
  text: string;
  running: boolean;
}

// A tab's name: the start of its query's first line, or "Query N" while it is empty.
export function tabTitle(text: string, index: number): string {
  const first = text.trim().split('\n')[0].replace(/\s+/g, ' ');
  if (!first) return `Query ${index + 1}`;
  return first.length > 28 ? `${first.slice(0, 27)}…` : first;
}

export function TabBar({
  tabs,
  activeId,
  onSelect,
  onClose,
  onNew,
}: {
  tabs: TabInfo[];
  activeId: number;
  onSelect: (id: number) => void;
  onClose: (id: number) => void;
  onNew: () => void;
}) {
  return (
    <div class="tab-bar">
      <div class="tab-list" role="tablist" aria-label="Query tabs">
        {tabs.map((t, i) => {
          const title = tabTitle(t.text, i);
          return (
            <div key={t.id} class={`query-tab ${t.id === activeId ? 'active' : ''}`} data-tab-id={t.id}>
              <button
                type="button"
                role="tab"
                class="tab-select"
                aria-selected={t.id === activeId}
                title={t.text.trim() || title}
                onClick={() => onSelect(t.id)}
              >
                {t.running && <Spinner />}
                <span class="tab-title">{title}</span>
              </button>
              <button type="button" class="tab-close" aria-label={`Close tab ${title}`} title="Close this tab" onClick={() => onClose(t.id)}>
                ×
              </button>
            </div>
          );
        })}
      </div>
      <button type="button" class="btn btn-small tab-new" onClick={onNew} aria-label="New tab" title="A new tab with its own query and result">
        +
      </button>
    </div>
  );
}

// Seconds since a query started, ticking while it runs.
export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, [since]);
  return (
    <span class="elapsed" data-testid="elapsed" role="timer" aria-live="off">
      {((now - since) / 1000).toFixed(1)} s
    </span>
  );
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function HistoryPanel({
  entries,
  onPick,
  onClear,
}: {
  entries: HistoryEntry[];
  onPick: (query: string) => void;
  onClear: () => void;
}) {
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const shown = needle ? entries.filter((e) => e.query.toLowerCase().includes(needle)) : entries;
  return (
    <section class="side-list" aria-labelledby="history-heading" data-testid="history-panel">
      <div class="side-list-head">
        <h2 id="history-heading">History</h2>
        <input
          type="search"
          class="side-search"
          placeholder="Search the history"
          aria-label="Search the history"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="button" class="btn btn-small" onClick={onClear} disabled={entries.length === 0}>
          Clear
        </button>
      </div>
      {shown.length === 0 ? (
        <p class="muted small pad">{entries.length === 0 ? 'Queries you run are listed here.' : 'No query in the history matches.'}</p>
      ) : (
        <ul class="side-items">
          {shown.slice(0, 200).map((e, i) => (
            <li key={`${e.at}-${i}`} class={e.ok ? 'ok' : 'failed'}>
              <button type="button" class="side-item" onClick={() => onPick(e.query)} title="Put this query into the editor">
                <code class="side-query">{e.query}</code>
                <span class="side-meta">
                  <span class={`badge ${e.ok ? 'badge-ok' : e.cancelled ? 'badge-missing' : 'badge-dropped'}`}>
                    {e.ok ? 'ok' : e.cancelled ? 'cancelled' : 'error'}
                  </span>{' '}
                  {when(e.at)} · {formatDuration(e.ms)}
                  {e.ok && typeof e.rows === 'number' && ` · ${formatCount(e.rows)} ${e.rows === 1 ? 'row' : 'rows'}`}
                  {e.error && <span class="side-error"> · {e.error}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function SavedPanel({
  saved,
  currentText,
  onPick,
  onSave,
  onDelete,
}: {
  saved: SavedQuery[];
  currentText: string;
  onPick: (query: string) => void;
  onSave: (name: string) => void;
  onDelete: (name: string) => void;
}) {
  const [name, setName] = useState(() => saved.find((q) => q.query === currentText)?.name ?? '');
  return (
    <section class="side-list" aria-labelledby="saved-heading" data-testid="saved-panel">
      <div class="side-list-head">
        <h2 id="saved-heading">Saved queries</h2>
      </div>
      <form
        class="save-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() && currentText.trim()) onSave(name.trim());
        }}
      >
        <input
          type="text"
          class="side-search"
          placeholder="Name for the query in the editor"
          aria-label="Name of the saved query"
          value={name}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="btn btn-small btn-primary" disabled={!name.trim() || !currentText.trim()}>
          Save
        </button>
      </form>
      {saved.length === 0 ? (
        <p class="muted small pad">Give the editor's query a name to keep it here.</p>
      ) : (
        <ul class="side-items">
          {saved.map((q) => (
            <li key={q.name} data-saved={q.name}>
              <button type="button" class="side-item" onClick={() => onPick(q.query)} title="Put this query into the editor">
                <strong class="side-name">{q.name}</strong>
                <code class="side-query">{q.query}</code>
              </button>
              <button type="button" class="btn btn-small side-delete" aria-label={`Delete the saved query ${q.name}`} onClick={() => onDelete(q.name)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// Queries over the fake tables, to start from.
export const EXAMPLES: { title: string; query: string }[] = [
  {
    title: 'Revenue by order status',
    query:
      'SELECT status, COUNT(*) AS order_count, SUM(total_amount) AS total_revenue, AVG(total_amount) AS avg_order_value\nFROM fake_orders\nGROUP BY status\nORDER BY total_revenue DESC',
  },
  {
    title: 'Events by country and device',
    query:
      'SELECT country, device_type, COUNT(*) AS events\nFROM fake_analytics\nGROUP BY country, device_type\nORDER BY country, device_type',
  },
  {
    title: 'Orders per day',
    query: 'SELECT CAST(order_date AS DATE) AS day, COUNT(*) AS orders, SUM(total_amount) AS revenue\nFROM fake_orders\nGROUP BY day\nORDER BY day',
  },
  {
    title: 'Average salary by department',
    query: 'SELECT department, COUNT(*) AS people, AVG(salary) AS avg_salary\nFROM fake_users\nGROUP BY department\nORDER BY avg_salary DESC',
  },
  {
    title: 'A query plan (EXPLAIN ANALYZE)',
    query: 'EXPLAIN ANALYZE\nSELECT u.department, COUNT(*) AS orders\nFROM fake_orders o JOIN fake_users u ON u.id = o.user_id\nGROUP BY u.department',
  },
];
