/**
 * The CodeMirror 6 editor of the selected file: Lua highlighting (the legacy Lua mode), line numbers, folding,
 * bracket matching and closing, undo history, the DSL reference on hover, and, from src/web/editor-extras.ts,
 * search (Ctrl+F) and diagnostics on the Lua line: the lint findings of `moonwalk lint` and the errors of the last run.
 *
 * What the first paint does not need is loaded later, so that it is not downloaded before "SQLite ready": the extras
 * once the engine has loaded (or at the first edit or Ctrl+F, if sooner), the lint rules (luaparse) when the linter
 * first runs, the reference text at the first hover. basicSetup is not used: it would bring autocompletion (nothing
 * to complete in the legacy Lua mode), search and lint into the page's first chunk.
 *
 * One EditorView for the page; one EditorState per file, kept so that each file has its own undo history.
 */
import { useEffect, useRef } from 'react';
import { minimalSetup } from 'codemirror';
import { Compartment, EditorState, StateEffect, type Extension } from '@codemirror/state';
import {
  crosshairCursor,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view';
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  StreamLanguage,
  syntaxHighlighting,
} from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { tags } from '@lezer/highlight';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import type { Diagnostic } from '@codemirror/lint';
import { updateText, useStore } from '../store.ts';
import { dslHover } from '../dsl-hover.ts';
import { loadOnce } from '../load-once.ts';

type ExtrasModule = typeof import('../editor-extras.ts');
const loadExtras = loadOnce(() => import('../editor-extras.ts'));

/** Holds the extras in every file's state: empty until they have loaded. */
const extras = new Compartment();

const loadLint = loadOnce(() => import('../../core/lint/index.ts'));

function lineRange(state: EditorState, line: number): { from: number; to: number } {
  const n = Math.min(Math.max(1, line), state.doc.lines);
  const l = state.doc.line(n);
  return { from: l.from, to: Math.max(l.from, l.to) };
}

async function diagnostics(view: EditorView, name: string): Promise<Diagnostic[]> {
  const { files, markers } = useStore.getState();
  const out: Diagnostic[] = [];
  try {
    const { lintMigrations } = await loadLint();
    const findings = lintMigrations(files.map((f) => ({ file: f.name, source: f.text })));
    for (const f of findings) {
      if (f.file !== name) continue;
      out.push({ ...lineRange(view.state, f.line), severity: f.severity, source: f.code, message: f.message });
    }
  } catch {
    // The lint chunk failed to load: run errors are still shown.
  }
  for (const m of markers[name] ?? []) {
    out.push({ ...lineRange(view.state, m.line), severity: 'error', source: 'run', message: m.message });
  }
  return out;
}

/** Dispatched when the run errors change, so that the linter runs again without an edit. */
const markersChanged = StateEffect.define<null>();

/** Colours from the page's CSS variables, so the editor follows the light or dark scheme with the rest of the page. */
const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', color: 'var(--text)', backgroundColor: 'var(--panel)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--faint)', borderRight: '1px solid var(--line)' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--accent-soft)',
  },
  '.cm-panels': { backgroundColor: 'var(--panel-2)', color: 'var(--text)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--line)' },
});

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syn-keyword)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--syn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.variableName, tags.name], color: 'var(--syn-name)' },
  { tag: [tags.standard(tags.variableName), tags.function(tags.variableName)], color: 'var(--syn-builtin)' },
]);

/** The editor's own parts (basicSetup's, without autocompletion, search and lint: see the top of this file). */
function baseExtensions(openSearch: (view: EditorView) => boolean): Extension[] {
  return [
    // Before minimalSetup's default keymap, so that Backspace between a pair of brackets deletes both.
    keymap.of([...closeBracketsKeymap, ...foldKeymap, { key: 'Mod-f', run: openSearch }]),
    minimalSetup, // special characters, undo history, selection drawing, the default and history keymaps
    lineNumbers(),
    highlightActiveLineGutter(),
    foldGutter(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    // An explicit tab stop on the text: screen readers and axe-core count the scrolling area as reachable by keyboard.
    EditorView.contentAttributes.of({ tabindex: '0' }),
  ];
}

export function Editor() {
  const parent = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const nameRef = useRef<string | null>(null);
  const states = useRef(new Map<string, EditorState>());
  /** The extras' extensions once loaded (see `extras`). */
  const extrasRef = useRef<{ module: ExtrasModule; extensions: Extension[] } | null>(null);
  const selected = useStore((s) => s.selected);
  const jump = useStore((s) => s.jump);
  const markers = useStore((s) => s.markers);
  const engineSettled = useStore((s) => s.engineState !== 'loading');

  /** Puts the loaded extras into the view's state, when that state was made (or kept) without them. */
  const installExtras = (view: EditorView) => {
    const loaded = extrasRef.current;
    if (loaded && extras.get(view.state) !== loaded.extensions)
      view.dispatch({ effects: extras.reconfigure(loaded.extensions) });
  };

  const showState = (view: EditorView, state: EditorState) => {
    view.setState(state);
    installExtras(view);
  };

  const ensureExtras = useRef((): Promise<ExtrasModule> =>
    loadExtras().then((module) => {
      extrasRef.current ??= {
        module,
        extensions: module.editorExtras({
          diagnostics: (view) => (nameRef.current ? diagnostics(view, nameRef.current) : []),
          needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(markersChanged))),
        }),
      };
      if (viewRef.current) installExtras(viewRef.current);
      return module;
    }),
  ).current;

  /** Ctrl+F before the extras have loaded: load them, then open the panel (from then on their keymap has Ctrl+F). */
  const openSearchSoon = (view: EditorView): boolean => {
    if (extrasRef.current) return false;
    ensureExtras().then(
      (module) => module.openSearchPanel(view),
      () => {},
    );
    return true;
  };

  const extensions = useRef<Extension[]>([
    ...baseExtensions(openSearchSoon),
    StreamLanguage.define(lua),
    extras.of([]),
    EditorView.lineWrapping,
    dslHover,
    syntaxHighlighting(highlight),
    // Ctrl+Enter and the other run shortcuts reach the page's key handler first (components/ShortcutsHelp.tsx).
    EditorView.updateListener.of((update) => {
      if (!update.docChanged || !nameRef.current) return;
      updateText(nameRef.current, update.state.doc.toString());
      if (!extrasRef.current) ensureExtras().catch(() => {}); // lint findings as you type
    }),
    EditorView.contentAttributes.of({ 'aria-label': 'Lua code of the selected migration' }),
    theme,
  ]);

  useEffect(() => {
    const view = new EditorView({ parent: parent.current! });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, []);

  // The extras load once the engine has loaded (or failed to), in a task after the one that rendered "SQLite ready",
  // so that they are never part of what the page downloads before it.
  useEffect(() => {
    if (!engineSettled) return;
    const timer = setTimeout(() => {
      ensureExtras().catch(() => {});
    });
    return () => clearTimeout(timer);
  }, [engineSettled]);

  // Show the selected file (and, when asked, a line of it).
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const file = useStore.getState().files.find((f) => f.name === selected);
    if (!file) {
      nameRef.current = null;
      showState(
        view,
        EditorState.create({ doc: '', extensions: [...extensions.current, EditorState.readOnly.of(true)] }),
      );
      return;
    }
    if (nameRef.current !== file.name || view.state.doc.toString() !== file.text) {
      if (nameRef.current) states.current.set(nameRef.current, view.state);
      const kept = states.current.get(file.name);
      nameRef.current = file.name;
      showState(
        view,
        kept && kept.doc.toString() === file.text
          ? kept
          : EditorState.create({ doc: file.text, extensions: extensions.current }),
      );
    }
    if (jump && jump.file === file.name) {
      const { from } = lineRange(view.state, jump.line);
      view.dispatch({ selection: { anchor: from }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
      view.focus();
    }
  }, [selected, jump]);

  // Run errors changed: lint again now rather than at the next edit (the extras lint by themselves once installed).
  useEffect(() => {
    const view = viewRef.current;
    const loaded = extrasRef.current;
    if (!view || !loaded) return;
    view.dispatch({ effects: markersChanged.of(null) });
    loaded.module.forceLinting(view);
  }, [markers]);

  // Files replaced from outside (a share link): forget the kept states of files that changed.
  useEffect(
    () =>
      useStore.subscribe((state, previous) => {
        if (state.files === previous.files) return;
        const texts = new Map(state.files.map((f) => [f.name, f.text]));
        for (const [name, kept] of states.current) {
          if (texts.get(name) !== kept.doc.toString()) states.current.delete(name);
        }
        const view = viewRef.current;
        const current = nameRef.current;
        if (view && current && texts.has(current) && texts.get(current) !== view.state.doc.toString()) {
          showState(view, EditorState.create({ doc: texts.get(current)!, extensions: extensions.current }));
        }
      }),
    [],
  );

  return <div className="editor" ref={parent} />;
}
