// The dev panel's spec editor: a developer writes (or pastes) a fake-data spec in YAML or JSON, previews
// sample rows of its tables, and creates them. A spec error's lines are listed, and the lines of the text
// they name are marked in the editor.
import { useEffect, useRef, useState } from 'preact/hooks';

import { api, errorMessage, isAbort, type SpecCreated, type SpecPreview } from './api';
import type { LineProblem, SpecEditor } from './editor';
import { formatCount } from './format';
import { PlayIcon } from './icons';
import { RowsGrid } from './results';
import { RUN_SHORTCUT } from './sql-view';
import { ErrorBox, LoadingBar, Notice, Spinner } from './ui';

const SPEC_KEY = 'superstore.fakeDataSpec';
const PREVIEW_ROWS = [10, 20, 100];
// How the server names the text it was sent, in its error positions ("request body:5:7: ...").
const BODY_LABEL = 'request body';

// The spec language's example (issue 12): a table that refers to the built-in fake_users.
export const EXAMPLE_SPEC = `tables:
  - name: fake_subscriptions          # required; any valid table name (no fake_ prefix required)
    database: development             # default development
    schema: dev_schema                # default dev_schema
    description: Plans users pay for. # optional, shown by status
    rows: 2000                        # rows at FAKE_DATA_SCALE=1; multiplied by the scale
    partition_by: [plan]
    sort_by: [started_at, id]
    columns:
      - {name: id, type: Int64, gen: sequence}                      # 1..rows, unique
      - {name: user_id, type: Int64, gen: {ref: fake_users.id}}     # a real row of another (spec or built-in) table
      - {name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}
      - {name: seats, type: Int32, gen: {int: {min: 1, max: 200, skew: 1.3}}}
      - {name: monthly_price, type: Float64,
         gen: {expr: "case when plan = 'free' then 0 when plan = 'pro' then 12 else round(8.5 * seats, 2) end"}}
      - {name: started_at, type: Timestamp, gen: {timestamp: {after: user_id.created_at, before: anchor}}}
      - {name: cancelled_at, type: Timestamp, null: 0.7, gen: {timestamp: {after: started_at, within: 180d}}}
      - {name: contact, type: String, gen: {template: "{user_id.first_name}.{user_id.last_name}+{id}@example.com", case: lower}}
      - {name: city, type: String, gen: {words: city}}
      - {name: trial, type: Boolean, gen: {bool: 0.15}}
`;

// One line of a spec error: its text, and where it points into the editor's text when it does.
interface ProblemLine {
  text: string;
  line?: number;
  column?: number;
}

interface Problems {
  title: string;
  lines: ProblemLine[];
}

// "the fake-data spec has 2 problems:\nrequest body:5:7: table t, column c: ..." → a title and one entry
// a problem. Positions in other sources (a spec file on disk, a table's recorded spec) are left as text.
export function parseProblems(message: string): Problems {
  const all = message.split('\n').filter((l) => l.trim() !== '');
  const header = all.length > 1 && /:\s*$/.test(all[0]) ? all.shift()! : null;
  const position = new RegExp(`^${BODY_LABEL}:(\\d+)(?::(\\d+))?:\\s*`);
  const lines = all.map((text) => {
    const m = position.exec(text);
    return m ? { text: text.slice(m[0].length), line: Number(m[1]), column: m[2] ? Number(m[2]) : undefined } : { text };
  });
  const title = header ? header.replace(/:\s*$/, '').replace(/^./, (c) => c.toUpperCase()) : 'The spec was refused';
  return { title, lines };
}

function readSaved(): string {
  try {
    return localStorage.getItem(SPEC_KEY) ?? EXAMPLE_SPEC;
  } catch {
    return EXAMPLE_SPEC;
  }
}

function save(text: string) {
  try {
    localStorage.setItem(SPEC_KEY, text);
  } catch {
    // A full or refused storage only loses the text on the next load.
  }
}

function list(names: string[]): string {
  return names.join(', ');
}

export function SpecPanel({ onCreated }: { onCreated: () => void }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<SpecEditor | null>(null);
  const [editorReady, setEditorReady] = useState(false);
  const [editorError, setEditorError] = useState<string | null>(null);
  const [rows, setRows] = useState(20);
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState<null | 'preview' | 'create'>(null);
  const [preview, setPreview] = useState<SpecPreview | null>(null);
  const [created, setCreated] = useState<(SpecCreated & { replaced: boolean }) | null>(null);
  const [problems, setProblems] = useState<Problems | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const text = () => editorRef.current?.text() ?? '';

  const showError = (e: unknown) => {
    const parsed = parseProblems(errorMessage(e));
    setProblems(parsed);
    editorRef.current?.setProblems(
      parsed.lines.filter((l) => l.line !== undefined).map((l) => ({ line: l.line!, column: l.column, message: l.text }) as LineProblem),
    );
  };

  const clearProblems = () => {
    setProblems(null);
    editorRef.current?.setProblems([]);
  };

  const runPreview = () => {
    const spec = text();
    if (!spec.trim()) {
      setProblems({ title: 'Nothing to preview', lines: [{ text: 'Write a spec first, or start from the example.' }] });
      return;
    }
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setBusy('preview');
    setCreated(null);
    api
      .previewSpec(spec, rowsRef.current, controller.signal)
      .then((answer) => {
        if (controller.signal.aborted) return;
        clearProblems();
        setPreview(answer);
        setBusy(null);
      })
      .catch((e) => {
        if (isAbort(e)) return;
        showError(e);
        setPreview(null);
        setBusy(null);
      });
  };
  const previewRef = useRef(runPreview);
  previewRef.current = runPreview;

  const create = async () => {
    const spec = text();
    if (!spec.trim()) {
      setProblems({ title: 'Nothing to create', lines: [{ text: 'Write a spec first, or start from the example.' }] });
      return;
    }
    inFlight.current?.abort();
    setBusy('create');
    setCreated(null);
    try {
      const answer = await api.createSpecTables(spec, replace);
      clearProblems();
      setCreated({ ...answer, replaced: replace });
      onCreated();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(null);
    }
  };

  // CodeMirror loads on its own (it is shared with the SQL view); until then a stand-in keeps the text.
  useEffect(() => {
    let editor: SpecEditor | null = null;
    let pending = readSaved();
    let disposed = false;
    editorRef.current = {
      text: () => (editor ? editor.text() : pending),
      replace: (t) => (editor ? editor.replace(t) : ((pending = t), save(t))),
      setProblems: (p) => editor?.setProblems(p),
      goTo: (line, column) => editor?.goTo(line, column),
      focus: () => editor?.focus(),
      destroy: () => editor?.destroy(),
    };
    import('./editor')
      .then(({ createSpecEditor }) => {
        if (disposed || !hostRef.current) return;
        editor = createSpecEditor(hostRef.current, pending, { onRun: () => previewRef.current(), onChange: save });
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

  const startFromExample = () => {
    editorRef.current?.replace(EXAMPLE_SPEC);
    clearProblems();
    editorRef.current?.focus();
  };

  return (
    <section class="panel spec-panel" aria-labelledby="spec-heading">
      <div class="panel-head">
        <div>
          <h2 id="spec-heading">Tables from a spec</h2>
          <p class="muted small spec-hint">
            Describe your own fake tables in YAML or JSON, preview their rows, then create them. The text is kept in this
            browser; spec files belong in <span class="mono">FAKE_DATA_SPECS</span>.
          </p>
        </div>
        <button type="button" class="btn btn-small" onClick={startFromExample} disabled={!editorReady}>
          Start from the example
        </button>
      </div>

      <div class="spec-editor-frame">
        <div class={`editor-host spec-editor-host ${editorReady ? '' : 'is-loading'}`} ref={hostRef} data-testid="spec-editor">
          {!editorReady && !editorError && <span class="skeleton-line w40 editor-skeleton" aria-label="Loading the editor" />}
        </div>
        {editorError && <ErrorBox message={editorError} />}
        <div class="editor-bar">
          <button type="button" class="btn btn-primary" onClick={runPreview} disabled={busy !== null || !editorReady} data-testid="spec-preview">
            {busy === 'preview' ? <Spinner /> : <PlayIcon />} Preview
            <kbd class="shortcut">{RUN_SHORTCUT}</kbd>
          </button>
          <label class="page-size" for="spec-preview-rows">
            Rows
            <select
              id="spec-preview-rows"
              value={String(rows)}
              onChange={(e) => setRows(Number((e.currentTarget as HTMLSelectElement).value))}
            >
              {PREVIEW_ROWS.map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <span class="bar-gap" />
          <label class="check">
            <input type="checkbox" checked={replace} onChange={(e) => setReplace((e.currentTarget as HTMLInputElement).checked)} />
            Replace existing
          </label>
          <button type="button" class="btn" onClick={create} disabled={busy !== null || !editorReady} data-testid="spec-create">
            {busy === 'create' && <Spinner />} {replace ? 'Create or replace tables' : 'Create tables'}
          </button>
        </div>
      </div>

      {busy === 'create' && (
        <Notice>
          <Spinner /> {replace ? 'Making the tables anew from the spec…' : 'Creating the tables of the spec…'}
        </Notice>
      )}
      {problems && (
        <div class="error-box spec-problems" role="alert" data-testid="spec-problems">
          <strong class="error-title">{problems.title}</strong>
          <ul class="problem-list">
            {problems.lines.map((p, i) => (
              <li key={i} data-line={p.line}>
                {p.line !== undefined && (
                  <>
                    <button
                      type="button"
                      class="problem-pos"
                      onClick={() => editorRef.current?.goTo(p.line!, p.column)}
                      title="Show this line in the editor"
                    >
                      line {p.line}
                      {p.column !== undefined ? `:${p.column}` : ''}
                    </button>{' '}
                  </>
                )}
                <span class="problem-text">{p.text}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {created && <CreatedNotice created={created} />}

      {(preview || busy === 'preview') && (
        <div class={`spec-preview ${busy === 'preview' ? 'is-loading' : ''}`} aria-busy={busy === 'preview'} data-testid="spec-preview-result">
          <LoadingBar active={busy === 'preview'} />
          {preview?.tables.length === 0 && <p class="muted pad">The spec has no tables.</p>}
          {preview?.tables.map((t) => (
            <section key={t.name} class="spec-preview-table" data-table={t.name} aria-label={`Preview of ${t.name}`}>
              <div class="spec-preview-head">
                <h3 class="mono">{t.name}</h3>
                <span class="muted small">
                  {t.database}.{t.schema} · <span data-testid="spec-rows-total">{formatCount(t.rows_total)}</span> rows when
                  created
                </span>
                <span class="spec-keys">
                  {t.partition_keys.map((k) => (
                    <span key={`p-${k}`} class="badge badge-partition">
                      partition {k}
                    </span>
                  ))}
                  {t.sort_keys.map((k, i) => (
                    <span key={`s-${k}`} class="badge badge-sort">
                      sort {i + 1} {k}
                    </span>
                  ))}
                </span>
              </div>
              {t.description && <p class="muted small spec-description">{t.description}</p>}
              <div class="grid-scroll spec-grid" tabIndex={0} aria-label={`Sample rows of ${t.name}`}>
                <RowsGrid columns={t.columns} rows={t.rows} testId="spec-preview-grid" />
              </div>
            </section>
          ))}
        </div>
      )}
    </section>
  );
}

function CreatedNotice({ created }: { created: SpecCreated & { replaced: boolean } }) {
  const made = created.created;
  const dropped = created.dropped.length;
  return (
    <Notice kind="success">
      <span data-testid="spec-created">
        {made.length > 0 &&
          (created.replaced
            ? `Made ${list(made)} anew from the spec${dropped ? `, replacing ${dropped} old ${dropped === 1 ? 'table' : 'tables'}` : ''}.`
            : `Created ${list(made)}.`)}{' '}
        {created.existing.length > 0 &&
          `Kept ${list(created.existing)}: ${created.existing.length === 1 ? 'it exists' : 'they exist'} already (tick “Replace existing” to make ${created.existing.length === 1 ? 'it' : 'them'} anew).`}
        {made.length === 0 && created.existing.length === 0 && 'The spec has no tables.'}
      </span>
    </Notice>
  );
}
