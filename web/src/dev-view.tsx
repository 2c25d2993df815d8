// Dev only (APP_ENV=dev): the fake tables' status (built-in and spec tables), creating the missing ones,
// a reset of all or of one table after a confirmation, and the editor of a spec of your own tables.
import { useRef, useState } from 'preact/hooks';

import { api, errorMessage, type FakeDataStatus, type FakeTableStatus } from './api';
import { formatBytes, formatCount } from './format';
import { SpecPanel } from './spec-panel';
import { ErrorBox, LoadingBar, Notice, Spinner } from './ui';
import { useLoad } from './use-load';

interface Props {
  // The fake tables changed: the sidebar's list is stale.
  onTablesChanged: () => void;
}

type Busy = null | 'create' | 'reset';

export function DevView({ onTablesChanged }: Props) {
  const { data: status, loading, error, setError, reload } = useLoad<FakeDataStatus>(
    (signal) => api.fakeDataStatus(signal),
    [],
  );
  const [busy, setBusy] = useState<Busy>(null);
  const [done, setDone] = useState<string | null>(null);
  // What the confirmation dialog would reset: every fake table (null) or one.
  const [resetTarget, setResetTarget] = useState<string | null>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);

  const tables = status?.tables ?? [];
  const missing = tables.filter((t) => !t.exists).map((t) => t.name);

  const act = async (kind: 'create' | 'reset', table: string | null = null) => {
    setBusy(kind);
    setDone(null);
    setError(null);
    try {
      if (kind === 'create') {
        const answer = await api.createFakeData();
        const created = answer?.created ?? [];
        setDone(created.length ? `Created ${created.join(', ')}.` : 'Nothing to create: every fake table exists.');
      } else if (table) {
        await api.resetFakeData(table);
        setDone(`Reset ${table}: it was dropped and created anew.`);
      } else {
        await api.resetFakeData();
        setDone('Fake data reset: every fake table was dropped and created anew.');
      }
      onTablesChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
      reload();
    }
  };

  const confirmReset = (event: Event) => {
    event.preventDefault();
    dialogRef.current?.close();
    void act('reset', resetTarget);
  };

  const askReset = (table: string | null) => {
    setResetTarget(table);
    dialogRef.current?.showModal();
  };

  // A spec's tables were created: the status and the sidebar are stale.
  const specTablesCreated = () => {
    onTablesChanged();
    reload();
  };

  const first = tables.find((t) => t.exists);
  return (
    <section class="view dev-view" aria-labelledby="dev-title">
      <header class="view-head">
        <div>
          <p class="breadcrumb">APP_ENV=dev</p>
          <h1 id="dev-title" class="view-title">
            Fake data
          </h1>
        </div>
        <div class="controls">
          <button
            type="button"
            class="btn"
            onClick={() => act('create')}
            disabled={busy !== null || loading || missing.length === 0}
            title={missing.length === 0 ? 'Every fake table exists' : `Creates ${missing.join(', ')}`}
          >
            {busy === 'create' && <Spinner />} Create missing tables{missing.length > 0 ? ` (${missing.length})` : ''}
          </button>
          <button
            type="button"
            class="btn btn-danger"
            onClick={() => askReset(null)}
            disabled={busy !== null || loading}
          >
            {busy === 'reset' && <Spinner />} Reset fake data…
          </button>
        </div>
      </header>

      {busy && (
        <Notice>
          <Spinner />{' '}
          {busy === 'reset'
            ? `Dropping and regenerating ${resetTarget ?? 'the fake tables'}…`
            : 'Creating the missing tables…'}{' '}
          This can take a while.
        </Notice>
      )}
      {done && <Notice kind="success">{done}</Notice>}
      {error && <ErrorBox message={error} onRetry={() => reload()} />}

      <section class="panel" aria-labelledby="fake-heading" aria-busy={loading}>
        <div class="panel-head">
          <h2 id="fake-heading">Fake tables</h2>
          {status && (
            <span class="muted small">
              {status.database && status.schema ? `${status.database}.${status.schema} · ` : ''}seed{' '}
              {String(first?.seed ?? tables[0]?.seed ?? '—')} · scale {String(first?.scale ?? tables[0]?.scale ?? '—')}
              {status.specs ? (
                <>
                  {' '}
                  · spec files <span class="mono">{status.specs}</span>
                </>
              ) : null}
            </span>
          )}
        </div>
        {status?.spec_error && (
          <div class="spec-error" data-testid="spec-error">
            <ErrorBox title="The spec files did not load" message={status.spec_error} />
          </div>
        )}
        <div class={`table-scroll results-frame ${loading ? 'is-loading' : ''}`}>
          <LoadingBar active={loading} />
          <table class="data-table fake-status-table" data-testid="fake-data-status">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Rows
                </th>
                <th scope="col" class="num">
                  Size
                </th>
                <th scope="col" class="num">
                  Micro-partitions
                </th>
                <th scope="col" class="num">
                  Version
                </th>
                <th scope="col" class="num">
                  Columns
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {!status &&
                [1, 2, 3, 4].map((i) => (
                  <tr key={i} aria-hidden="true">
                    <td colSpan={9}>
                      <span class="skeleton-line w90" />
                    </td>
                  </tr>
                ))}
              {tables.map((t) => (
                <StatusRow key={`${t.database}.${t.schema}.${t.name}`} table={t} disabled={busy !== null || loading} onReset={askReset} />
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <SpecPanel onCreated={specTablesCreated} />

      <dialog ref={dialogRef} class="dialog" aria-labelledby="reset-title" aria-describedby="reset-text">
        <form method="dialog" onSubmit={confirmReset}>
          <h2 id="reset-title">{resetTarget ? `Reset ${resetTarget}?` : 'Reset the fake data?'}</h2>
          <p id="reset-text">
            {resetTarget ? (
              <>
                This drops {resetTarget} and generates it anew. Its table id changes; its old files stay on disk as a
                dropped table.
              </>
            ) : (
              <>
                This drops {tables.map((t) => t.name).join(', ') || 'the fake tables'} and generates them anew. Their table
                ids change; their old files stay on disk as dropped tables.
              </>
            )}
          </p>
          <div class="dialog-buttons">
            <button type="button" class="btn" onClick={() => dialogRef.current?.close()} autofocus>
              Cancel
            </button>
            <button type="submit" class="btn btn-danger" data-testid="confirm-reset">
              Reset
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}

function StatusRow({
  table: t,
  disabled,
  onReset,
}: {
  table: FakeTableStatus;
  disabled: boolean;
  onReset: (table: string) => void;
}) {
  const columns = Array.isArray(t.columns) ? t.columns.length : t.column_count;
  const spec = t.kind === 'spec';
  return (
    <tr data-table={t.name} data-kind={t.kind}>
      <td class="fake-name">
        <span class="mono">{t.exists && t.table_id ? <a href={`#/table/${t.table_id}`}>{t.name}</a> : t.name}</span>
        {t.description && <span class="fake-description">{t.description}</span>}
      </td>
      <td>
        <span class={`badge ${spec ? 'badge-spec' : ''}`} title={spec && t.spec_source ? `From ${t.spec_source}` : undefined}>
          {spec ? 'spec' : 'built-in'}
        </span>
      </td>
      <td class="fake-status">
        <span class={`badge ${t.exists ? 'badge-ok' : 'badge-missing'}`}>{t.exists ? 'exists' : 'missing'}</span>
        {t.spec_changed && (
          <span
            class="badge badge-changed"
            data-testid="spec-changed"
            title="The spec differs from the one this table was made from: reset the table to make it from the spec as it is now"
          >
            spec changed
          </span>
        )}
      </td>
      <td class="num" data-label="Rows">{t.exists ? formatCount(t.rows) : '—'}</td>
      <td class="num" data-label="Size">{t.exists ? formatBytes(t.bytes) : '—'}</td>
      <td class="num" data-label="Micro-partitions">{t.exists ? formatCount(t.micro_partitions) : '—'}</td>
      <td class="num" data-label="Version">{t.exists ? formatCount(t.version) : '—'}</td>
      <td class="num" data-label="Columns">{typeof columns === 'number' ? columns : '—'}</td>
      <td class="row-actions">
        {t.exists && (
          <button
            type="button"
            class="btn btn-small"
            onClick={() => onReset(t.name)}
            disabled={disabled}
            aria-label={`Reset ${t.name}…`}
            title={`Drop ${t.name} and generate it anew`}
          >
            Reset…
          </button>
        )}
      </td>
    </tr>
  );
}
