// Databases → schemas → tables. A table's name runs `SELECT * FROM <table> LIMIT 100` in the editor;
// the ⓘ button beside it opens the table's page.
import { useState } from 'preact/hooks';

import type { DatabasesResponse, TableSummary } from './api';
import { formatCompact } from './format';
import { DatabaseIcon, InfoIcon, ReloadIcon, SchemaIcon } from './icons';
import { ErrorBox, LoadingBar } from './ui';

interface Props {
  databases: DatabasesResponse | null;
  loading: boolean;
  error: string | null;
  currentTableId: number | null;
  onReload: () => void;
  onQueryTable: (table: TableSummary) => void;
  onNavigate: () => void;
}

export function Sidebar({ databases, loading, error, currentTableId, onReload, onQueryTable, onNavigate }: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const toggle = (key: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <div class="sidebar-inner">
      <div class="sidebar-head">
        <h2 id="tables-heading">Tables</h2>
        <button
          type="button"
          class="btn btn-icon"
          onClick={onReload}
          disabled={loading}
          aria-label="Reload the list of tables"
          title="Reload"
        >
          <ReloadIcon />
        </button>
      </div>
      <div class="sidebar-body" aria-busy={loading}>
        <LoadingBar active={loading} />
        {error && <ErrorBox message={error} onRetry={onReload} />}
        {!databases && !error && <SkeletonTree />}
        {databases && databases.databases.length === 0 && <p class="muted pad">No databases yet.</p>}
        {databases && (
          <ul class="tree" aria-labelledby="tables-heading">
            {databases.databases.map((db) => {
              const dbKey = db.name;
              const dbOpen = !collapsed.has(dbKey);
              return (
                <li key={dbKey}>
                  <button type="button" class="tree-toggle" aria-expanded={dbOpen} onClick={() => toggle(dbKey)}>
                    <span class="caret" aria-hidden="true" />
                    <span class="tree-icon">
                      <DatabaseIcon size={14} />
                    </span>
                    {db.name}
                  </button>
                  {dbOpen && (
                    <ul>
                      {db.schemas.map((schema) => {
                        const schemaKey = `${db.name}.${schema.name}`;
                        const open = !collapsed.has(schemaKey);
                        return (
                          <li key={schemaKey}>
                            <button
                              type="button"
                              class="tree-toggle"
                              aria-expanded={open}
                              onClick={() => toggle(schemaKey)}
                            >
                              <span class="caret" aria-hidden="true" />
                              <span class="tree-icon">
                                <SchemaIcon size={14} />
                              </span>
                              {schema.name}
                            </button>
                            {open && (
                              <ul>
                                {schema.tables.length === 0 && <li class="muted tree-empty">no tables</li>}
                                {schema.tables.map((t) => (
                                  <li key={t.id} class={t.id === currentTableId ? 'tree-table current' : 'tree-table'}>
                                    <button
                                      type="button"
                                      class="table-name"
                                      data-table={t.name}
                                      title={`Run SELECT * FROM ${t.name} LIMIT 100`}
                                      onClick={() => {
                                        onQueryTable(t);
                                        onNavigate();
                                      }}
                                    >
                                      {t.name}
                                    </button>
                                    <span class="table-rows" title={`${t.rows.toLocaleString('en-US')} rows`}>
                                      {formatCompact(t.rows)}
                                    </span>
                                    <a
                                      class="btn btn-icon table-info"
                                      href={`#/table/${t.id}`}
                                      aria-label={`${t.name}: columns and micro-partitions`}
                                      title="Columns and micro-partitions"
                                      aria-current={t.id === currentTableId ? 'page' : undefined}
                                      onClick={onNavigate}
                                    >
                                      <InfoIcon />
                                    </a>
                                  </li>
                                ))}
                              </ul>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}

function SkeletonTree() {
  return (
    <ul class="tree skeleton" aria-hidden="true">
      {[70, 55, 80, 60, 75].map((w, i) => (
        <li key={i}>
          <span class={`skeleton-line w${w}`} />
        </li>
      ))}
    </ul>
  );
}
