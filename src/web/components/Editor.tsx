/**
 * The CodeMirror 6 editor of the selected file: Lua highlighting (the legacy Lua mode), line numbers, bracket
 * matching, search (basic setup), and diagnostics on the Lua line: the lint findings of `moonwalk lint` (loaded
 * lazily, so they cost nothing before the page is ready) and the errors of the last run.
 *
 * One EditorView for the page; one EditorState per file, kept so that each file has its own undo history.
 */
import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { EditorState, Prec, StateEffect, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import { forceLinting, linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { runCommand, updateText, useStore } from '../store.ts';
import { dslHover } from '../dsl-hover.ts';

type LintModule = typeof import('../../core/lint/index.ts');
let lintModule: Promise<LintModule> | null = null;

function loadLint(): Promise<LintModule> {
  lintModule ??= import('../../core/lint/index.ts');
  return lintModule;
}

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
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--accent-soft)' },
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

export function Editor() {
  const parent = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const nameRef = useRef<string | null>(null);
  const states = useRef(new Map<string, EditorState>());
  const selected = useStore((s) => s.selected);
  const jump = useStore((s) => s.jump);
  const markers = useStore((s) => s.markers);

  const extensions = useRef<Extension[]>([
    basicSetup,
    StreamLanguage.define(lua),
    lintGutter(),
    linter((view) => (nameRef.current ? diagnostics(view, nameRef.current) : []), {
      delay: 300,
      needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(markersChanged))),
    }),
    EditorView.lineWrapping,
    dslHover,
    syntaxHighlighting(highlight),
    Prec.high(keymap.of([{ key: 'Mod-Enter', run: () => { void runCommand('apply-next'); return true; } }])),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && nameRef.current) updateText(nameRef.current, update.state.doc.toString());
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

  // Show the selected file (and, when asked, a line of it).
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const file = useStore.getState().files.find((f) => f.name === selected);
    if (!file) {
      nameRef.current = null;
      view.setState(EditorState.create({ doc: '', extensions: [...extensions.current, EditorState.readOnly.of(true)] }));
      return;
    }
    if (nameRef.current !== file.name || view.state.doc.toString() !== file.text) {
      if (nameRef.current) states.current.set(nameRef.current, view.state);
      const kept = states.current.get(file.name);
      nameRef.current = file.name;
      view.setState(kept && kept.doc.toString() === file.text
        ? kept
        : EditorState.create({ doc: file.text, extensions: extensions.current }));
    }
    if (jump && jump.file === file.name) {
      const { from } = lineRange(view.state, jump.line);
      view.dispatch({ selection: { anchor: from }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
      view.focus();
    }
  }, [selected, jump]);

  // Run errors changed: lint again now rather than at the next edit.
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    view.dispatch({ effects: markersChanged.of(null) });
    forceLinting(view);
  }, [markers]);

  // Files replaced from outside (a share link): forget the kept states of files that changed.
  useEffect(() => useStore.subscribe((state, previous) => {
    if (state.files === previous.files) return;
    const texts = new Map(state.files.map((f) => [f.name, f.text]));
    for (const [name, kept] of states.current) {
      if (texts.get(name) !== kept.doc.toString()) states.current.delete(name);
    }
    const view = viewRef.current;
    const current = nameRef.current;
    if (view && current && texts.has(current) && texts.get(current) !== view.state.doc.toString()) {
      view.setState(EditorState.create({ doc: texts.get(current)!, extensions: extensions.current }));
    }
  }), []);

  return <div className="editor" ref={parent} />;
}
