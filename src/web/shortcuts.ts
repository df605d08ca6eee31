/**
 * The playground's keyboard shortcuts: one table, read by the key handler (components/ShortcutsHelp.tsx installs
 * it), by the buttons (`aria-keyshortcuts` and their tooltips) and by the "Keyboard shortcuts" dialog.
 *
 * How the keys were chosen, so that none is taken from the editor, the browser or the system:
 * - Running forward is Enter: Ctrl+Enter (⌘Enter) applies the next migration, with Shift all of them. CodeMirror's
 *   own Mod-Enter (insert a blank line) gives way; nothing else uses them.
 * - The other actions are Alt+Shift+letter (⌃⇧letter on a Mac). Ctrl+letter belongs to the browser (W, T, R, L, N…)
 *   and to the editor (Z, Y, F, D, /…); Ctrl+Backspace deletes a word. Ctrl+Alt+letter is AltGr on Windows, which
 *   types characters on many layouts (ż, €, @), so it would fire while someone types; Alt+Shift never does. The
 *   letters avoid what Chromium and Firefox take with Alt+Shift (I feedback, T toolbar, A dialogs) and CodeMirror's
 *   Shift-Alt-a (block comment) and Shift-Alt-m. On a Mac Option+Shift+letter types characters (Ç, Á, ◊), so the
 *   Mac uses Control+Shift, which the editor and Safari/Chrome leave alone.
 * - Letters are matched by the character they type (so Z is Z on an AZERTY or QWERTZ keyboard too), falling back to
 *   the key's position when a modifier turned it into another character (Option on a Mac).
 * - Escape stops a running command (only while one runs: otherwise it keeps closing the editor's search, dialogs…).
 * - ? opens the list of shortcuts, except where it would type a question mark (the editor, text fields).
 */

export type ShortcutAction =
  'apply-next' | 'apply-all' | 'revert-last' | 'revert-all' | 'redo' | 'verify' | 'compare' | 'reset' | 'stop' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  /** What it does, as the button says it. */
  label: string;
  /**
   * The keys, written as CodeMirror writes them: modifiers `Mod` (Ctrl, or ⌘ on a Mac), `Ctrl`, `Alt`, `Shift`,
   * `Meta`, then the key (`Enter`, `Escape`, a letter, `?`), joined by `-`.
   */
  keys: string;
  /** The keys on a Mac, when they differ. */
  mac?: string;
  /** Only while a command runs. */
  whileBusy?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'apply-next', label: 'Apply next', keys: 'Mod-Enter' },
  { action: 'apply-all', label: 'Apply all', keys: 'Mod-Shift-Enter' },
  { action: 'revert-last', label: 'Revert last', keys: 'Alt-Shift-z', mac: 'Ctrl-Shift-z' },
  { action: 'revert-all', label: 'Revert all', keys: 'Alt-Shift-x', mac: 'Ctrl-Shift-x' },
  { action: 'redo', label: 'Redo', keys: 'Alt-Shift-y', mac: 'Ctrl-Shift-y' },
  { action: 'verify', label: 'Verify', keys: 'Alt-Shift-v', mac: 'Ctrl-Shift-v' },
  { action: 'compare', label: 'Compare engines', keys: 'Alt-Shift-c', mac: 'Ctrl-Shift-c' },
  { action: 'reset', label: 'Reset database', keys: 'Alt-Shift-r', mac: 'Ctrl-Shift-r' },
  { action: 'stop', label: 'Stop', keys: 'Escape', whileBusy: true },
  { action: 'help', label: 'Keyboard shortcuts', keys: '?' },
];

const IS_MAC =
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);

interface Combo {
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
  /** `Enter`, `Escape`, `?`, or a lower-case letter. */
  key: string;
}

function combo(keys: string, mac: boolean): Combo {
  const parts = keys.split('-');
  const key = parts.pop()!;
  const has = (name: string) => parts.includes(name);
  return {
    ctrl: has('Ctrl') || (has('Mod') && !mac),
    meta: has('Meta') || (has('Mod') && mac),
    alt: has('Alt'),
    shift: has('Shift'),
    key,
  };
}

function comboOf(shortcut: Shortcut, mac = IS_MAC): Combo {
  return combo(mac && shortcut.mac ? shortcut.mac : shortcut.keys, mac);
}

function shortcutOf(action: ShortcutAction): Shortcut {
  return SHORTCUTS.find((s) => s.action === action)!;
}

/** The value of `aria-keyshortcuts` (ARIA names: `Control+Shift+Enter`, `Alt+Shift+Z`, `?`). */
export function ariaKeys(action: ShortcutAction, mac = IS_MAC): string {
  const c = comboOf(shortcutOf(action), mac);
  const names = [c.ctrl && 'Control', c.alt && 'Alt', c.shift && c.key !== '?' && 'Shift', c.meta && 'Meta'].filter(
    Boolean,
  );
  return [...names, c.key.length === 1 ? c.key.toUpperCase() : c.key].join('+');
}

/** The keys as a person reads them: `Ctrl+Shift+Enter`, `Alt+Shift+Z`; on a Mac `⌘⇧Enter`, `⌃⇧Z`. */
export function keyLabel(action: ShortcutAction, mac = IS_MAC): string {
  const c = comboOf(shortcutOf(action), mac);
  const key = c.key.length === 1 ? c.key.toUpperCase() : c.key === 'Escape' ? 'Esc' : c.key;
  if (mac)
    return `${c.ctrl ? '⌃' : ''}${c.alt ? '⌥' : ''}${c.shift && c.key !== '?' ? '⇧' : ''}${c.meta ? '⌘' : ''}${key}`;
  const names = [c.ctrl && 'Ctrl', c.alt && 'Alt', c.shift && c.key !== '?' && 'Shift', c.meta && 'Meta'];
  return [...names, key].filter(Boolean).join('+');
}

/** A button's tooltip with its keys: `Apply every pending migration, in order (Ctrl+Shift+Enter)`. */
export function withKeys(help: string, action: ShortcutAction): string {
  return `${help} (${keyLabel(action)})`;
}

/** The parts of a key event the table is matched against (a KeyboardEvent has them all). */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

function sameKey(press: KeyPress, key: string): boolean {
  if (key === '?') return press.key === '?';
  if (key.length === 1) {
    // The typed letter where there is one (any layout); else the key's position (Option made it another character).
    return /^[a-z]$/i.test(press.key) ? press.key.toLowerCase() === key : press.code === `Key${key.toUpperCase()}`;
  }
  return press.key === key;
}

function matches(press: KeyPress, c: Combo): boolean {
  // `?` is Shift+/ on most layouts and a key of its own on others: its Shift is not checked.
  if (c.key !== '?' && press.shiftKey !== c.shift) return false;
  return press.ctrlKey === c.ctrl && press.altKey === c.alt && press.metaKey === c.meta && sameKey(press, c.key);
}

/** Where the key was pressed: the editor, another text field (the SQL console, a file name), or elsewhere. */
export type KeyPlace = 'editor' | 'field' | 'page';

/**
 * The action a key press asks for, or null. In the editor and in text fields a key that would type a character
 * (`?`) types it; in a text field Enter keeps its own meaning (the SQL console runs its statement with Ctrl+Enter).
 */
export function actionFor(press: KeyPress, place: KeyPlace, busy: boolean, mac = IS_MAC): ShortcutAction | null {
  for (const shortcut of SHORTCUTS) {
    const c = comboOf(shortcut, mac);
    if (!matches(press, c)) continue;
    if (shortcut.whileBusy && !busy) continue;
    const types = !c.ctrl && !c.alt && !c.meta && c.key.length === 1;
    if (types && place !== 'page') continue;
    if (c.key === 'Enter' && place === 'field') continue;
    return shortcut.action;
  }
  return null;
}
