/**
 * The keyboard shortcut table (src/web/shortcuts.ts): what each key press asks for where it is pressed, on a PC and
 * on a Mac, and that no shortcut takes a key from the editor's own keymaps (those src/web/components/Editor.tsx and
 * src/web/editor-extras.ts install, and autocompletion's in case it comes back) beyond the two it means to take.
 */
import { closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, historyKeymap } from '@codemirror/commands';
import { foldKeymap } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { searchKeymap } from '@codemirror/search';
import type { KeyBinding } from '@codemirror/view';
import { describe, expect, test } from 'vitest';
import { actionFor, ariaKeys, keyLabel, SHORTCUTS, type KeyPress } from '../../src/web/shortcuts.ts';

function press(
  key: string,
  mods: { ctrl?: boolean; alt?: boolean; shift?: boolean; meta?: boolean } = {},
  code?: string,
): KeyPress {
  return {
    key,
    code: code ?? (/^[a-z]$/i.test(key) ? `Key${key.toUpperCase()}` : key),
    ctrlKey: mods.ctrl ?? false,
    altKey: mods.alt ?? false,
    shiftKey: mods.shift ?? false,
    metaKey: mods.meta ?? false,
  };
}

const PC = false;
const MAC = true;

describe('actionFor', () => {
  test('Ctrl+Enter and Ctrl+Shift+Enter apply, on the page and in the editor, but not in a text field', () => {
    expect(actionFor(press('Enter', { ctrl: true }), 'page', false, PC)).toBe('apply-next');
    expect(actionFor(press('Enter', { ctrl: true }), 'editor', false, PC)).toBe('apply-next');
    expect(actionFor(press('Enter', { ctrl: true }), 'field', false, PC)).toBeNull(); // the SQL console's own
    expect(actionFor(press('Enter', { ctrl: true, shift: true }), 'editor', false, PC)).toBe('apply-all');
    expect(actionFor(press('Enter', { meta: true }), 'editor', false, MAC)).toBe('apply-next');
    expect(actionFor(press('Enter', { ctrl: true }), 'page', false, MAC)).toBeNull();
    expect(actionFor(press('Enter'), 'page', false, PC)).toBeNull();
    expect(actionFor(press('Enter', { ctrl: true, alt: true }), 'page', false, PC)).toBeNull();
  });

  test('Alt+Shift+letter on a PC, Control+Shift+letter on a Mac, in fields too', () => {
    const cases: Array<[string, string]> = [
      ['Z', 'revert-last'],
      ['X', 'revert-all'],
      ['Y', 'redo'],
      ['V', 'verify'],
      ['C', 'compare'],
      ['R', 'reset'],
    ];
    for (const [letter, action] of cases) {
      expect(actionFor(press(letter, { alt: true, shift: true }), 'editor', false, PC), letter).toBe(action);
      expect(actionFor(press(letter, { alt: true, shift: true }), 'field', false, PC), letter).toBe(action);
      expect(actionFor(press(letter, { ctrl: true, shift: true }), 'editor', false, MAC), letter).toBe(action);
      expect(actionFor(press(letter, { ctrl: true, shift: true }), 'editor', false, PC), letter).toBeNull();
    }
  });

  test("letters by the character typed, else by position; AltGr and the editor's Ctrl+Z are left alone", () => {
    // AZERTY: the key typing Z sits where QWERTY has W.
    expect(actionFor(press('Z', { alt: true, shift: true }, 'KeyW'), 'page', false, PC)).toBe('revert-last');
    expect(actionFor(press('W', { alt: true, shift: true }, 'KeyZ'), 'page', false, PC)).toBeNull();
    // Option on a Mac turns the letter into another character: the key's position decides.
    expect(actionFor(press('¸', { ctrl: true, shift: true }, 'KeyZ'), 'page', false, MAC)).toBe('revert-last');
    // Option+Shift+letter types characters on a Mac: not a shortcut there.
    expect(actionFor(press('Ç', { alt: true, shift: true }, 'KeyC'), 'editor', false, MAC)).toBeNull();
    expect(actionFor(press('¸', { alt: true, shift: true }, 'KeyZ'), 'editor', false, MAC)).toBeNull();
    // AltGr is Ctrl+Alt on Windows (AltGr+Shift+Z types Ż on a Polish keyboard).
    expect(actionFor(press('Ż', { ctrl: true, alt: true, shift: true }, 'KeyZ'), 'editor', false, PC)).toBeNull();
    expect(actionFor(press('z', { ctrl: true }), 'editor', false, PC)).toBeNull();
    expect(actionFor(press('z', { alt: true }), 'editor', false, PC)).toBeNull();
  });

  test('Escape stops only while a command runs; ? opens the list only where it would not type', () => {
    expect(actionFor(press('Escape'), 'editor', true, PC)).toBe('stop');
    expect(actionFor(press('Escape'), 'page', false, PC)).toBeNull();
    expect(actionFor(press('?', { shift: true }, 'Slash'), 'page', false, PC)).toBe('help');
    expect(actionFor(press('?', {}, 'Minus'), 'page', false, PC)).toBe('help'); // a layout with ? unshifted
    expect(actionFor(press('?', { shift: true }, 'Slash'), 'editor', false, PC)).toBeNull();
    expect(actionFor(press('?', { shift: true }, 'Slash'), 'field', false, PC)).toBeNull();
    expect(actionFor(press('/', { ctrl: true }, 'Slash'), 'editor', false, PC)).toBeNull(); // toggle comment
  });
});

describe('labels', () => {
  test('aria-keyshortcuts values and the keys as people read them', () => {
    expect(ariaKeys('apply-next', PC)).toBe('Control+Enter');
    expect(ariaKeys('apply-next', MAC)).toBe('Meta+Enter');
    expect(ariaKeys('apply-all', PC)).toBe('Control+Shift+Enter');
    expect(ariaKeys('revert-last', PC)).toBe('Alt+Shift+Z');
    expect(ariaKeys('revert-last', MAC)).toBe('Control+Shift+Z');
    expect(ariaKeys('stop', PC)).toBe('Escape');
    expect(ariaKeys('help', PC)).toBe('?');
    expect(keyLabel('apply-all', PC)).toBe('Ctrl+Shift+Enter');
    expect(keyLabel('apply-all', MAC)).toBe('⇧⌘Enter');
    expect(keyLabel('verify', MAC)).toBe('⌃⇧V');
    expect(keyLabel('stop', PC)).toBe('Esc');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Against the editor's keymaps

/** A CodeMirror key name in one form: modifiers sorted, letters lower-case. */
function normalize(name: string, mac: boolean): string {
  const parts = name.split(/-(?!$)/);
  const key = parts.pop()!;
  const mods = new Set<string>();
  for (const part of parts) {
    if (part === 'Mod') mods.add(mac ? 'Meta' : 'Ctrl');
    else if (part === 'Cmd' || part === 'Meta' || part === 'm') mods.add('Meta');
    else if (part === 'Ctrl' || part === 'Control' || part === 'c') mods.add('Ctrl');
    else if (part === 'Alt' || part === 'a') mods.add('Alt');
    else if (part === 'Shift' || part === 's') mods.add('Shift');
  }
  return [...[...mods].sort(), key.length === 1 ? key.toLowerCase() : key].join('-');
}

function editorKeys(mac: boolean): Set<string> {
  const bindings: readonly KeyBinding[] = [
    ...closeBracketsKeymap,
    ...defaultKeymap,
    ...searchKeymap,
    ...historyKeymap,
    ...foldKeymap,
    ...completionKeymap,
    ...lintKeymap,
  ];
  const keys = new Set<string>();
  for (const b of bindings) {
    const name = (mac ? b.mac : (b.linux ?? b.win)) ?? b.key;
    if (!name) continue;
    keys.add(normalize(name, mac));
    if (b.shift) keys.add(normalize(`Shift-${name}`, mac));
  }
  return keys;
}

describe('the table', () => {
  for (const mac of [false, true]) {
    const platform = mac ? 'a Mac' : 'Windows and Linux';
    const ours = SHORTCUTS.map((s) => ({ action: s.action, key: normalize((mac && s.mac) || s.keys, mac) }));

    test(`takes from the editor only Mod-Enter (a blank line) and Escape (only while running), on ${platform}`, () => {
      const editor = editorKeys(mac);
      expect(editor.size).toBeGreaterThan(50);
      const taken = ours.filter((s) => editor.has(s.key)).map((s) => s.action);
      expect(taken.sort()).toEqual(['apply-next', 'stop']);
    });

    test(`gives each action keys of its own on ${platform}`, () => {
      expect(new Set(ours.map((s) => s.key)).size).toBe(ours.length);
    });
  }
});
