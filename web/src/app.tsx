// The console's shell: login, then a top bar, the table tree and one view at a time (#/ SQL,
// #/table/<id>, #/dev). Routes live in the URL's hash, so the server serves one page at /.
import type { SQLNamespace } from '@codemirror/lang-sql';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';

import {
  api,
  ApiError,
  errorMessage,
  hasToken,
  isAbort,
  setToken,
  setUnauthorizedHandler,
  type DatabasesResponse,
  type TableSummary,
  type User,
} from './api';
import { DevView } from './dev-view';
import { quoteIdentifier } from './format';
import { Logo, MenuIcon } from './icons';
import { Login } from './login';
import { Sidebar } from './sidebar';
import { SqlView, type SqlViewHandle } from './sql-view';
import { TableView } from './table-view';
import { effectiveTheme, THEME_EVENT, toggleTheme } from './theme';
import { ShortcutsDialog } from './shortcuts';
import { Spinner } from './ui';
import { useLoad } from './use-load';

type Route = { view: 'sql' } | { view: 'table'; id: number } | { view: 'dev' };

function parseRoute(hash: string): Route {
  const table = /^#\/table\/(\d+)\b/.exec(hash);
  if (table) return { view: 'table', id: Number(table[1]) };
  if (hash.startsWith('#/dev')) return { view: 'dev' };
  return { view: 'sql' };
}

export function App() {
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(hasToken());
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setUnauthorizedHandler((message) => {
      setUser(null);
      setNotice(`Your session has ended: ${message.replace(/[.\s]+$/, '')}.`);
    });
    if (!hasToken()) return;
    api
      .me()
      .then(setUser)
      .catch((e) => {
        setToken(null);
        if (!(e instanceof ApiError && e.status === 401)) setNotice(errorMessage(e));
      })
      .finally(() => setChecking(false));
  }, []);

  if (checking) {
    return (
      <div class="boot">
        <Spinner label="Loading the console" />
      </div>
    );
  }
  if (!user) {
    return (
      <Login
        notice={notice}
        onLoggedIn={(u) => {
          setNotice(null);
          setUser(u);
        }}
      />
    );
  }
  return (
    <Console
      user={user}
      onLoggedOut={() => {
        setUser(null);
        setNotice('You have logged out.');
      }}
    />
  );
}

function Console({ user, onLoggedOut }: { user: User; onLoggedOut: () => void }) {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const {
    data: databases,
    loading: dbLoading,
    error: dbError,
    reload: reloadDatabases,
  } = useLoad<DatabasesResponse>((signal) => api.databases(signal), []);
  const [devAvailable, setDevAvailable] = useState<boolean | null>(null);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);

  // "?" outside a text field lists the keyboard shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.composedPath()[0] as HTMLElement | undefined;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      e.preventDefault();
      setShortcutsOpen(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const sqlRef = useRef<SqlViewHandle | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  const menuButtonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(location.hash));
      setDrawerOpen(false);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // The dev panel exists only where the server has /dev/* (APP_ENV=dev); elsewhere it answers 403.
  useEffect(() => {
    const controller = new AbortController();
    api
      .fakeDataStatus(controller.signal)
      .then(() => setDevAvailable(true))
      .catch((e) => {
        if (!isAbort(e)) setDevAvailable(false);
      });
    return () => controller.abort();
  }, []);

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setDrawerOpen(false);
        menuButtonRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const schema = useMemo<SQLNamespace>(() => {
    const out: Record<string, string[]> = {};
    for (const db of databases?.databases ?? [])
      for (const s of db.schemas) for (const t of s.tables) out[t.name] = t.columns.map((c) => c.name);
    return out;
  }, [databases]);

  // A table's first rows, run at once in the current tab.
  const queryTable = useCallback((table: TableSummary) => {
    sqlRef.current?.open(`SELECT * FROM ${quoteIdentifier(table.name)} LIMIT 100`, true);
    if (parseRoute(location.hash).view !== 'sql') location.hash = '#/';
    setRoute({ view: 'sql' });
    setDrawerOpen(false);
    // After the SQL view is shown again (it was hidden), so focus can land in it.
    requestAnimationFrame(() => sqlRef.current?.focus());
  }, []);

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      // The token is dropped either way; an expired one cannot be logged out.
    }
    setToken(null);
    onLoggedOut();
  };

  const currentTableId = route.view === 'table' ? route.id : null;
  return (
    <div class={`app ${drawerOpen ? 'drawer-open' : ''}`}>
      <a
        class="skip-link"
        href="#/"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to the content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="btn btn-icon menu-button"
          ref={menuButtonRef}
          aria-expanded={drawerOpen}
          aria-controls="sidebar"
          aria-label="Tables"
          onClick={() => setDrawerOpen((o) => !o)}
        >
          <MenuIcon size={20} />
        </button>
        <a class="brand" href="#/">
          <Logo />
          <span>superstore</span>
        </a>
        <nav class="topnav" aria-label="Views">
          <a href="#/" aria-current={route.view === 'sql' ? 'page' : undefined}>
            SQL
          </a>
          {devAvailable && (
            <a href="#/dev" aria-current={route.view === 'dev' ? 'page' : undefined}>
              Dev data
            </a>
          )}
          <a href="/openapi.json" target="_blank" rel="noopener" title="The HTTP API, described in OpenAPI 3.1">
            API
          </a>
        </nav>
        <ThemeToggle />
        <button type="button" class="btn btn-small btn-icon shortcuts-button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => setShortcutsOpen(true)}>
          ?
        </button>
        <div class="user-box">
          <span class="user-email" title={user.email}>
            {user.email}
          </span>
          <button type="button" class="btn btn-small" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <aside id="sidebar" class="sidebar" aria-label="Tables">
        <Sidebar
          databases={databases}
          loading={dbLoading}
          error={dbError}
          currentTableId={currentTableId}
          onReload={reloadDatabases}
          onQueryTable={queryTable}
          onNavigate={() => setDrawerOpen(false)}
        />
      </aside>
      <div class="backdrop" onClick={() => setDrawerOpen(false)} aria-hidden="true" />
      <main id="main" class="main" ref={mainRef} tabIndex={-1}>
        <SqlView active={route.view === 'sql'} handleRef={sqlRef} schema={schema} />
        {route.view === 'table' && <TableView key={route.id} id={route.id} onQueryTable={queryTable} />}
        {route.view === 'dev' &&
          (devAvailable === false ? (
            <section class="view">
              <h1 class="view-title">Fake data</h1>
              <p class="muted">The fake-data panel exists only when the server runs with APP_ENV=dev.</p>
            </section>
          ) : (
            <DevView onTablesChanged={reloadDatabases} />
          ))}
      </main>
      {shortcutsOpen && <ShortcutsDialog onClose={() => setShortcutsOpen(false)} />}
    </div>
  );
}

function ThemeToggle() {
  const [theme, setTheme] = useState(effectiveTheme);
  useEffect(() => {
    const follow = () => setTheme(effectiveTheme());
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    media?.addEventListener('change', follow);
    window.addEventListener(THEME_EVENT, follow);
    return () => {
      media?.removeEventListener('change', follow);
      window.removeEventListener(THEME_EVENT, follow);
    };
  }, []);
  return (
    <button
      type="button"
      class="btn btn-small theme-toggle"
      aria-label="Dark mode"
      aria-pressed={theme === 'dark'}
      title="Dark mode (follows the system until you choose)"
      onClick={() => setTheme(toggleTheme())}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span> <span class="theme-label">Dark mode</span>
    </button>
  );
}
