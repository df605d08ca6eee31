/**
 * The editor's parts that its first paint does not need, in a chunk of their own: diagnostics on their lines (lint
 * findings and run errors, @codemirror/lint), search and replace (Ctrl+F), and the highlighting of the selection's
 * other occurrences. components/Editor.tsx loads this once the engine has loaded, or sooner at first use (an edit,
 * Ctrl+F), so that it is not part of what the page downloads before "SQLite ready".
 */
import type { Extension } from '@codemirror/state';
import { keymap, type EditorView, type ViewUpdate } from '@codemirror/view';
import { forceLinting, linter, lintGutter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, openSearchPanel, searchKeymap } from '@codemirror/search';

export interface ExtrasOptions {
  /** The diagnostics of the file shown in `view`. */
  diagnostics(view: EditorView): Promise<Diagnostic[]> | Diagnostic[];
  /** Whether an update should lint again without an edit (the run errors changed). */
  needsRefresh(update: ViewUpdate): boolean;
}

export function editorExtras(options: ExtrasOptions): Extension[] {
  return [
    lintGutter(),
    linter(options.diagnostics, { delay: 300, needsRefresh: options.needsRefresh }),
    highlightSelectionMatches(),
    keymap.of([...searchKeymap, ...lintKeymap]),
  ];
}

export { forceLinting, openSearchPanel };
