// What the console keeps in the browser's localStorage: the history of queries run, the saved queries
// and the editor tabs. Nothing of it goes to the server. Each list is read and written whole; a value
// that does not parse (another version, a hand edit) counts as empty rather than breaking the page.

export interface HistoryEntry {
  query: string;
  at: string; // ISO time the run started
  ms: number; // how long it took, as the browser saw it
  ok: boolean;
  rows?: number; // the result's total, when it succeeded
  error?: string; // the first line of the error, when it failed
  cancelled?: boolean;
}

export interface SavedQuery {
  name: string;
  query: string;
  saved_at: string;
}

export interface StoredTab {
  id: number;
  query: string;
}

const HISTORY_KEY = 'superstore.history';
const SAVED_KEY = 'superstore.saved';
const TABS_KEY = 'superstore.tabs';
export const HISTORY_LIMIT = 500;

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    if (raw === null) return fallback;
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(fallback) === Array.isArray(parsed) && parsed !== null ? (parsed as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or refused storage loses the history, not the query.
  }
}

export function loadHistory(): HistoryEntry[] {
  return read<HistoryEntry[]>(HISTORY_KEY, []).filter((e) => typeof e?.query === 'string');
}

// Newest first, at most HISTORY_LIMIT entries.
export function addHistory(entry: HistoryEntry): HistoryEntry[] {
  const next = [entry, ...loadHistory()].slice(0, HISTORY_LIMIT);
  write(HISTORY_KEY, next);
  return next;
}

export function clearHistory(): HistoryEntry[] {
  write(HISTORY_KEY, []);
  return [];
}

export function loadSaved(): SavedQuery[] {
  return read<SavedQuery[]>(SAVED_KEY, []).filter((q) => typeof q?.name === 'string' && typeof q?.query === 'string');
}

// A name saved again replaces the query it had.
export function saveQuery(name: string, query: string): SavedQuery[] {
  const rest = loadSaved().filter((q) => q.name !== name);
  const next = [...rest, { name, query, saved_at: new Date().toISOString() }].sort((a, b) => a.name.localeCompare(b.name));
  write(SAVED_KEY, next);
  return next;
}

export function deleteSaved(name: string): SavedQuery[] {
  const next = loadSaved().filter((q) => q.name !== name);
  write(SAVED_KEY, next);
  return next;
}

export function loadTabs(): { tabs: StoredTab[]; active: number } {
  const stored = read<{ tabs?: StoredTab[]; active?: number }>(TABS_KEY, {});
  const tabs = (stored.tabs ?? []).filter((t) => typeof t?.id === 'number' && typeof t?.query === 'string');
  return { tabs, active: typeof stored.active === 'number' ? stored.active : (tabs[0]?.id ?? 1) };
}

export function storeTabs(tabs: StoredTab[], active: number): void {
  write(TABS_KEY, { tabs, active });
}

// The query in the page's address (#/?q=...), so a link or a reload brings it back.
export function queryFromUrl(hash: string): string | null {
  const at = hash.indexOf('?');
  if (!hash.startsWith('#/') || at < 0 || hash.startsWith('#/table') || hash.startsWith('#/dev')) return null;
  return new URLSearchParams(hash.slice(at + 1)).get('q');
}

export function urlForQuery(query: string): string {
  return query.trim() ? `#/?${new URLSearchParams({ q: query })}` : '#/';
}
