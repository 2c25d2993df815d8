// The SQL editor: CodeMirror 6 with SQL highlighting, completion of table and column names, and
// Ctrl/Cmd+Enter to run. Also the dev panel's fake-data spec editor: YAML (or JSON) with light
// highlighting, Ctrl/Cmd+Enter to preview, and the lines a spec error names marked.
//
// CodeMirror styles itself at run time. In a document it does so with a <style> element, which the
// console's Content-Security-Policy (style-src 'self') refuses; inside a shadow root it uses a constructed
// stylesheet (adoptedStyleSheets), which the policy does not govern. So the editor lives in a shadow root,
// and its whole look comes from the theme below rather than from styles.css.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
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

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#7c3aed', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: '#0f7b3f' },
  { tag: [tags.number, tags.bool, tags.null], color: '#b45309' },
  { tag: tags.comment, color: '#6b7280', fontStyle: 'italic' },
  { tag: [tags.typeName, tags.standard(tags.name)], color: '#0e7490' },
  { tag: [tags.operator, tags.punctuation], color: '#475569' },
  { tag: tags.special(tags.name), color: '#1d4ed8' },
  { tag: tags.propertyName, color: '#1d4ed8' },
  { tag: tags.atom, color: '#b45309' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '14px',
    backgroundColor: '#fff',
    color: '#111827',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    lineHeight: '1.55',
    overflow: 'auto',
  },
  '.cm-content': { padding: '8px 0', caretColor: '#111827' },
  '.cm-gutters': { backgroundColor: '#f8fafc', color: '#94a3b8', borderRight: '1px solid #e2e8f0' },
  '.cm-activeLine': { backgroundColor: '#f1f5f9' },
  '.cm-activeLineGutter': { backgroundColor: '#e2e8f0', color: '#334155' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: '#bfdbfe' },
  '.cm-placeholder': { color: '#94a3b8' },
  '.cm-tooltip': { border: '1px solid #cbd5e1', backgroundColor: '#fff', borderRadius: '6px' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: '#1f4e8c', color: '#fff' },
  // Lines a spec error names: a red rule on the left, a pink wash, and the line number in red.
  '.cm-problem-line, .cm-problem-line.cm-activeLine': { backgroundColor: '#fdecea', boxShadow: 'inset 3px 0 #b42318' },
  '.cm-gutterElement.cm-problem-gutter': { backgroundColor: '#f8d3ce', color: '#b42318', fontWeight: '700' },
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

export interface SqlEditor {
  // The statement to run: the selection when there is one, else the whole text.
  query(): string;
  // Replaces the text (undoable with Ctrl/Cmd+Z) and puts the cursor at its end.
  replace(text: string): void;
  setSchema(schema: SQLNamespace): void;
  focus(): void;
  destroy(): void;
}

export function createSqlEditor(host: HTMLElement, initial: string, onRun: () => void): SqlEditor {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const language = new Compartment();
  const sqlLanguage = (schema: SQLNamespace) => sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true });

  const view = new EditorView({
    root: shadow,
    parent: shadow,
    state: EditorState.create({
      doc: initial,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
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
      ],
    }),
  });

  return {
    query() {
      const { state } = view;
      const selected = state.selection.ranges
        .filter((r) => !r.empty)
        .map((r) => state.sliceDoc(r.from, r.to))
        .join('\n');
      return selected.trim() ? selected : state.doc.toString();
    },
    replace(text: string) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: text.length },
        scrollIntoView: true,
      });
    },
    setSchema(schema: SQLNamespace) {
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
