// The SQL editor: CodeMirror 6 with SQL highlighting, completion of table and column names, and
// Ctrl/Cmd+Enter to run.
//
// CodeMirror styles itself at run time. In a document it does so with a <style> element, which the
// console's Content-Security-Policy (style-src 'self') refuses; inside a shadow root it uses a constructed
// stylesheet (adoptedStyleSheets), which the policy does not govern. So the editor lives in a shadow root,
// and its whole look comes from the theme below rather than from styles.css.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
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
