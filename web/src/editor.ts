// The SQL editor: CodeMirror 6 with SQL highlighting, completion of table and column names, and
// Ctrl/Cmd+Enter to run. Also the dev panel's fake-data spec editor: YAML (or JSON) with light
// highlighting, Ctrl/Cmd+Enter to preview, and the lines a spec error names marked.
//
// CodeMirror styles itself at run time. In a document it does so with a <style> element, which the
// console's Content-Security-Policy (style-src 'self') refuses; inside a shadow root it uses a constructed
// stylesheet (adoptedStyleSheets), which the policy does not govern. So the editor lives in a shadow root,
// and its whole look comes from the theme below rather than from styles.css.
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import {
  bracketMatching,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  StreamLanguage,
  syntaxHighlighting,
} from '@codemirror/language';
import { Compartment, EditorState, Prec, RangeSet, StateEffect, StateField, type Extension } from '@codemirror/state';
import {
  Decoration,
  drawSelection,
  EditorView,
  GutterMarker,
  gutterLineClass,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
  type DecorationSet,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';

// Colours come from the page's CSS variables (they cross into the shadow root), so the editor follows
// the light and dark themes of styles.css; the second value is the light theme's, for safety.
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--hl-keyword, #7c3aed)', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--hl-string, #0f7b3f)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--hl-number, #b45309)' },
  { tag: tags.comment, color: 'var(--hl-comment, #6b7280)', fontStyle: 'italic' },
  { tag: [tags.typeName, tags.standard(tags.name)], color: 'var(--hl-type, #0e7490)' },
  { tag: [tags.operator, tags.punctuation], color: 'var(--hl-operator, #475569)' },
  { tag: tags.special(tags.name), color: 'var(--hl-name, #1d4ed8)' },
  { tag: tags.propertyName, color: 'var(--hl-name, #1d4ed8)' },
  { tag: tags.atom, color: 'var(--hl-number, #b45309)' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '14px',
    backgroundColor: 'var(--surface, #fff)',
    color: 'var(--text, #111827)',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    lineHeight: '1.55',
    overflow: 'auto',
  },
  '.cm-content': { padding: '8px 0', caretColor: 'var(--text, #111827)' },
  '.cm-cursor': { borderLeftColor: 'var(--text, #111827)' },
  '.cm-gutters': { backgroundColor: 'var(--gutter-bg, #f8fafc)', color: 'var(--gutter-text, #5f6b7c)', borderRight: '1px solid var(--border, #e2e8f0)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line, #f1f5f9)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-gutter, #e2e8f0)', color: 'var(--text, #334155)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection, #bfdbfe)' },
  '.cm-placeholder': { color: 'var(--muted, #5f6b7c)' },
  '.cm-tooltip': { border: '1px solid var(--border-strong, #cbd5e1)', backgroundColor: 'var(--surface, #fff)', color: 'var(--text, #111827)', borderRadius: '6px' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: '#1f4e8c', color: '#fff' },
  // Lines a spec error names: a red rule on the left, a pink wash, and the line number in red.
  '.cm-problem-line, .cm-problem-line.cm-activeLine, .cm-error-line, .cm-error-line.cm-activeLine': {
    backgroundColor: 'var(--danger-soft, #fdecea)',
    boxShadow: 'inset 3px 0 var(--danger, #b42318)',
  },
  '.cm-gutterElement.cm-problem-gutter': { backgroundColor: 'var(--danger-soft, #f8d3ce)', color: 'var(--danger, #b42318)', fontWeight: '700' },
  // The word at the position of an SQL error: a wavy red underline.
  '.cm-error-token': { textDecoration: 'underline wavy var(--danger, #b42318)', textUnderlineOffset: '3px' },
});

// Typing over a selection (or deleting one) is normally left to the browser, whose editing then wraps
// the new text in <span style="..."> to keep the look of what it replaced. The Content-Security-Policy
// blocks that attribute, harmlessly but with a console error for every such keystroke; doing these edits
// as editor transactions keeps the browser's editing out of it. IME composition is left alone.
const replaceSelectionsItself = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.isComposing || view.composing || view.state.selection.ranges.every((r) => r.empty)) return false;
    let text: string;
    if (event.inputType === 'insertText' || event.inputType === 'insertReplacementText')
      text = event.data ?? event.dataTransfer?.getData('text/plain') ?? '';
    else if (event.inputType.startsWith('deleteContent') || event.inputType.startsWith('deleteWord')) text = '';
    else return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(text), { scrollIntoView: true, userEvent: text ? 'input.type' : 'delete.selection' });
    return true;
  },
});

// What Run runs: its text and where that text starts in the editor (to place an error's position).
export interface RunText {
  text: string;
  offset: number;
}

export interface SqlEditor {
  // The statement to run: the selection when there is one, else the statement under the cursor when the
  // text holds several (separated by ';'), else the whole text.
  query(): string;
  runText(): RunText;
  // The whole text.
  text(): string;
  // Replaces the text (undoable with Ctrl/Cmd+Z) and puts the cursor at its end.
  replace(text: string): void;
  // Marks the error at this offset of the text (its line, and the word there); null clears the mark.
  markError(at: { offset: number; message: string } | null): void;
  closeCompletion(): void;
  // Shows the text of tab `key`: its own state when it had one, else a new one holding `text`.
  swap(key: number, text: string): void;
  forget(key: number): void;
  setSchema(schema: SQLNamespace): void;
  focus(): void;
  destroy(): void;
}

// The statements of a text, split at ';' outside quotes and comments, each with its start and end.
export function splitStatements(text: string): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      i = close < 0 ? text.length : close + 1;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === ';') {
      out.push({ from: start, to: i });
      start = ++i;
    } else i++;
  }
  out.push({ from: start, to: text.length });
  return out.filter((s) => text.slice(s.from, s.to).trim() !== '');
}

// The error of the last run: its line washed red, the word at its position underlined.
const setSqlError = StateEffect.define<{ offset: number; message: string } | null>();

const sqlErrorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setSqlError)) continue;
      if (!effect.value) return Decoration.none;
      const { doc } = tr.state;
      const at = Math.min(Math.max(0, effect.value.offset), doc.length);
      const line = doc.lineAt(at);
      const rest = doc.sliceString(at, line.to);
      const word = /^(?:[A-Za-z_][\w$]*|"[^"]*"?|'[^']*'?|\d+(?:\.\d+)?|\S)/.exec(rest)?.[0] ?? '';
      const attributes = { title: effect.value.message, 'data-error-line': String(line.number), 'data-error-column': String(at - line.from + 1) };
      const marks = [Decoration.line({ class: 'cm-error-line', attributes }).range(line.from)];
      if (word) marks.push(Decoration.mark({ class: 'cm-error-token', attributes: { title: effect.value.message } }).range(at, at + word.length));
      return Decoration.set(marks);
    }
    // The mark goes with the first edit: the text it judged is gone.
    return tr.docChanged ? Decoration.none : value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function createSqlEditor(
  host: HTMLElement,
  initial: string,
  onRun: () => void,
  onChange: (text: string) => void = () => {},
): SqlEditor {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const language = new Compartment();
  const sqlLanguage = (schema: SQLNamespace) => sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true });

  const extensions: Extension[] = [
    Prec.highest(
      keymap.of([
        {
          key: 'Mod-Enter',
          run: (v) => {
            closeCompletion(v);
            onRun();
            return true;
          },
        },
      ]),
    ),
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    drawSelection(),
    indentOnInput(),
    sqlErrorField,
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc.toString());
    }),
    bracketMatching(),
    closeBrackets(),
    autocompletion({ activateOnTyping: true }),
    syntaxHighlighting(highlight),
    language.of(sqlLanguage({})),
    placeholder('SELECT … — Ctrl+Enter (⌘+Enter) runs it'),
    EditorView.lineWrapping,
    // Tab stays with the page (moving focus on), so the editor is never a keyboard trap.
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
    replaceSelectionsItself,
    EditorView.contentAttributes.of({ 'aria-label': 'SQL query', 'data-testid': 'sql-input' }),
    theme,
  ];
  const view = new EditorView({ root: shadow, parent: shadow, state: EditorState.create({ doc: initial, extensions }) });

  const runText = (): RunText => {
    const { state } = view;
    const ranges = state.selection.ranges.filter((r) => !r.empty);
    if (ranges.length > 0) {
      const selected = ranges.map((r) => state.sliceDoc(r.from, r.to)).join('\n');
      if (selected.trim()) return { text: selected, offset: ranges[0].from };
    }
    const doc = state.doc.toString();
    const statements = splitStatements(doc);
    if (statements.length <= 1) return { text: doc, offset: 0 };
    // The statement the cursor is in, or the one it follows (a cursor after the last ';' of a statement).
    const head = state.selection.main.head;
    const at = statements.find((s) => head >= s.from && head <= s.to + 1) ?? [...statements].reverse().find((s) => s.to < head) ?? statements[0];
    return { text: doc.slice(at.from, at.to), offset: at.from };
  };

  // Each tab of the SQL view has its own text, cursor and undo history: a state of its own.
  const states = new Map<number, EditorState>();
  let schemaNow: SQLNamespace = {};
  let current: number | null = null;

  return {
    query: () => runText().text,
    swap(key: number, text: string) {
      if (current === key) return;
      if (current !== null) states.set(current, view.state);
      current = key;
      view.setState(states.get(key) ?? EditorState.create({ doc: text, extensions }));
      view.dispatch({ effects: language.reconfigure(sqlLanguage(schemaNow)) });
    },
    forget(key: number) {
      states.delete(key);
    },
    runText,
    text: () => view.state.doc.toString(),
    markError(at) {
      view.dispatch({ effects: setSqlError.of(at) });
      if (at) view.dispatch({ effects: EditorView.scrollIntoView(Math.min(at.offset, view.state.doc.length), { y: 'nearest' }) });
    },
    closeCompletion() {
      closeCompletion(view);
    },
    replace(text: string) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: text.length },
        scrollIntoView: true,
      });
    },
    setSchema(schema: SQLNamespace) {
      schemaNow = schema;
      view.dispatch({ effects: language.reconfigure(sqlLanguage(schema)) });
    },
    focus() {
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}

// YAML (and JSON) lightly: comments, keys, quoted strings, numbers and true/false/null. The spec's
// meaning is the server's to judge; this only helps the eye.
const yamlLike = StreamLanguage.define<Record<string, never>>({
  name: 'yaml',
  startState: () => ({}),
  token(stream) {
    if (stream.eatSpace()) return null;
    const start = stream.pos;
    if (stream.peek() === '#' && (start === 0 || /\s/.test(stream.string.charAt(start - 1)))) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^']|'')*'?/)) {
      // A quoted key (JSON's "name":) is a key.
      return /^\s*:/.test(stream.string.slice(stream.pos)) ? 'propertyName' : 'string';
    }
    if (stream.match(/^[A-Za-z_$][\w.$-]*(?=\s*:(?:\s|$))/)) return 'propertyName';
    if (stream.match(/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[\s,\]}]|$)/)) return 'number';
    if (stream.match(/^(?:true|false|null|~)(?=[\s,\]}]|$)/)) return 'atom';
    if (stream.match(/^[-:{}[\],|>]/)) return 'punctuation';
    if (!stream.match(/^[^\s:{}[\],#]+/)) stream.next();
    return null;
  },
});

// A problem the server found in the spec, at a line (1-based) and maybe a column (1-based).
export interface LineProblem {
  line: number;
  column?: number;
  message: string;
}

const setProblems = StateEffect.define<LineProblem[]>();

class ProblemGutterMarker extends GutterMarker {
  elementClass = 'cm-problem-gutter';
}
const problemGutterMarker = new ProblemGutterMarker();

interface Problems {
  lines: DecorationSet;
  gutter: RangeSet<GutterMarker>;
}

function problemMarks(state: EditorState, problems: LineProblem[]): Problems {
  const byLine = new Map<number, string[]>();
  for (const p of problems) {
    const line = Math.min(Math.max(1, Math.floor(p.line)), state.doc.lines);
    byLine.set(line, [...(byLine.get(line) ?? []), p.message]);
  }
  const lines = [...byLine.keys()].sort((a, b) => a - b);
  return {
    lines: Decoration.set(
      lines.map((n) =>
        Decoration.line({
          class: 'cm-problem-line',
          attributes: { title: byLine.get(n)!.join('\n'), 'data-problem-line': String(n) },
        }).range(state.doc.line(n).from),
      ),
    ),
    gutter: RangeSet.of(lines.map((n) => problemGutterMarker.range(state.doc.line(n).from))),
  };
}

// The marks stay with their lines while the text is edited, until the next setProblems.
const problemField = StateField.define<Problems>({
  create: () => ({ lines: Decoration.none, gutter: RangeSet.empty }),
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setProblems)) return problemMarks(tr.state, effect.value);
    if (!tr.docChanged) return value;
    return { lines: value.lines.map(tr.changes), gutter: value.gutter.map(tr.changes) };
  },
  provide: (field) => [EditorView.decorations.from(field, (v) => v.lines), gutterLineClass.from(field, (v) => v.gutter)],
});

export interface SpecEditor {
  text(): string;
  // Replaces the whole text (undoable) and puts the cursor at the start.
  replace(text: string): void;
  // Marks these lines (an empty list clears the marks).
  setProblems(problems: LineProblem[]): void;
  // Puts the cursor at a line (1-based) and column (1-based), scrolled into view, and focuses the editor.
  goTo(line: number, column?: number): void;
  focus(): void;
  destroy(): void;
}

export function createSpecEditor(
  host: HTMLElement,
  initial: string,
  handlers: { onRun: () => void; onChange: (text: string) => void },
): SpecEditor {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const extensions: Extension[] = [
    Prec.highest(
      keymap.of([
        {
          key: 'Mod-Enter',
          run: () => {
            handlers.onRun();
            return true;
          },
        },
      ]),
    ),
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    drawSelection(),
    bracketMatching(),
    closeBrackets(),
    indentUnit.of('  '),
    EditorState.tabSize.of(2),
    yamlLike,
    syntaxHighlighting(highlight),
    problemField,
    EditorView.lineWrapping,
    placeholder('tables: … — a fake-data spec in YAML or JSON; Ctrl+Enter (⌘+Enter) previews it'),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]),
    replaceSelectionsItself,
    EditorView.updateListener.of((update) => {
      if (update.docChanged) handlers.onChange(update.state.doc.toString());
    }),
    EditorView.contentAttributes.of({ 'aria-label': 'Fake-data spec (YAML or JSON)', 'data-testid': 'spec-input' }),
    theme,
  ];
  const view = new EditorView({ root: shadow, parent: shadow, state: EditorState.create({ doc: initial, extensions }) });

  return {
    text: () => view.state.doc.toString(),
    replace(text: string) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: 0 },
        scrollIntoView: true,
      });
    },
    setProblems(problems: LineProblem[]) {
      view.dispatch({ effects: setProblems.of(problems) });
    },
    goTo(line: number, column = 1) {
      const { doc } = view.state;
      const target = doc.line(Math.min(Math.max(1, Math.floor(line)), doc.lines));
      const anchor = target.from + Math.min(Math.max(0, Math.floor(column) - 1), target.length);
      view.dispatch({ selection: { anchor }, effects: EditorView.scrollIntoView(anchor, { y: 'center' }) });
      view.focus();
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
