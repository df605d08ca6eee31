/**
 * The keyboard shortcuts at work: the page-wide key handler (the table is src/web/shortcuts.ts), the "Keyboard
 * shortcuts" dialog that lists them (opened with ?, or the toolbar's small button) and that button.
 *
 * The handler listens in the capture phase, before the editor: Ctrl+Enter in CodeMirror would otherwise insert a
 * blank line. Keys that the editor or a field should have anyway (?, Enter in a field) are left to them by
 * `actionFor`.
 */
import { useEffect } from 'react';
import { compareEngines, idle, resetDatabase, runCommand, setShortcutsOpen, stop, useStore, verify } from '../store.ts';
import { actionFor, keyLabel, SHORTCUTS, type KeyPlace, type ShortcutAction } from '../shortcuts.ts';
import { Modal } from './Modal.tsx';

const openHelp = () => setShortcutsOpen(true);
const closeHelp = () => setShortcutsOpen(false);

/** Run actions need an idle, ready engine, as their buttons do; Stop and the help work any time. */
const ACTIONS: Record<ShortcutAction, { run: () => void; needsIdle: boolean }> = {
  'apply-next': { run: () => void runCommand('apply-next'), needsIdle: true },
  'apply-all': { run: () => void runCommand('apply-all'), needsIdle: true },
  'revert-last': { run: () => void runCommand('revert-last'), needsIdle: true },
  'revert-all': { run: () => void runCommand('revert-all'), needsIdle: true },
  redo: { run: () => void runCommand('redo'), needsIdle: true },
  verify: { run: () => void verify(), needsIdle: true },
  compare: { run: () => void compareEngines(), needsIdle: true },
  reset: { run: () => void resetDatabase(), needsIdle: true },
  stop: { run: () => void stop(), needsIdle: false },
  help: { run: openHelp, needsIdle: false },
};

function placeOf(target: EventTarget | null): KeyPlace {
  if (!(target instanceof Element)) return 'page';
  if (target.closest('input, textarea, select')) return 'field'; // the editor's search field included
  if (target.closest('.cm-editor')) return 'editor';
  if (target instanceof HTMLElement && target.isContentEditable) return 'field';
  return 'page';
}

function onKeyDown(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.isComposing) return;
  // A modal dialog owns the keyboard (Escape closes it); the page behind it is inert.
  if (document.querySelector('dialog:modal')) return;
  const state = useStore.getState();
  const action = actionFor(event, placeOf(event.target), state.busy !== null);
  if (action === null) return;
  event.preventDefault();
  event.stopPropagation();
  const { run, needsIdle } = ACTIONS[action];
  if (event.repeat || (needsIdle && !idle(state))) return;
  run();
}

/** The key handler and the dialog; rendered once by the App. */
export function KeyboardShortcuts() {
  useEffect(() => {
    addEventListener('keydown', onKeyDown, true);
    return () => removeEventListener('keydown', onKeyDown, true);
  }, []);
  const open = useStore((s) => s.shortcutsOpen);
  return (
    <Modal
      open={open}
      onClose={closeHelp}
      titleId="shortcuts-title"
      className="shortcuts-dialog"
      title="Keyboard shortcuts"
    >
      <p className="modal-intro">
        They work with the focus in the editor too. Escape stops a command only while one runs. In the editor,
        Ctrl+Shift+M (⌘⇧M on a Mac) lists every lint finding of the file, and Ctrl+F searches.
      </p>
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Keys</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <th scope="row">
                {s.label}
                {s.whileBusy ? ' (while a command runs)' : ''}
              </th>
              <td>
                <kbd>{keyLabel(s.action)}</kbd>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

/** The toolbar's small "?" button that opens the dialog. */
export function ShortcutsButton() {
  return (
    <button
      type="button"
      className="shortcuts-button quiet"
      onClick={openHelp}
      aria-label="Keyboard shortcuts"
      aria-keyshortcuts="?"
      title={`Keyboard shortcuts (${keyLabel('help')})`}
    >
      <span aria-hidden="true">⌨</span>
    </button>
  );
}
