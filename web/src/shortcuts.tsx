// The list of keyboard shortcuts, opened with "?" or the top bar's button.
import { useEffect, useRef } from 'preact/hooks';

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const mod = isMac ? '⌘' : 'Ctrl';

export const SHORTCUTS: [string, string][] = [
  [`${mod}+Enter`, 'Run the selection, or the statement at the cursor (statements end with ;)'],
  ['Esc', 'Cancel the running query'],
  [`${mod}+Space`, 'Complete a table or column name'],
  [`${mod}+Z / ${mod}+Shift+Z`, 'Undo / redo in the editor (each tab has its own)'],
  ['Tab', 'Leave the editor for the next control'],
  ['?', 'This list'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="shortcuts-title" onClose={onClose} data-testid="shortcuts">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table class="data-table compact shortcuts-table">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="dialog-buttons">
        <button type="button" class="btn" onClick={() => ref.current?.close()} autofocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
