/**
 * Hover tooltips in the editor for the DSL's names (`migration`, `database`, `up`, `down`, `after`, `db:query`,
 * `db:execute`, `db:prepare`, …): signature, what it answers, a one-line example (src/web/dsl-reference.ts, loaded
 * at the first hover, so that it is not part of the page's first download). Nothing shows inside comments and strings.
 */
import { syntaxTree } from '@codemirror/language';
import { EditorView, hoverTooltip, type Tooltip } from '@codemirror/view';
import type { ReferenceEntry } from './dsl-reference.ts';
import { loadOnce } from './load-once.ts';

/** The reference entries, loaded at the first hover (tried again at the next one if that failed). */
const loadReference = loadOnce(() => import('./dsl-reference.ts'));

function referenceCard(entry: ReferenceEntry, document: Document): HTMLElement {
  const card = document.createElement('div');
  card.className = 'dsl-card';
  const title = document.createElement('code');
  title.className = 'dsl-signature';
  title.textContent = entry.signature;
  const returns = document.createElement('p');
  returns.className = 'dsl-returns';
  returns.textContent = `→ ${entry.returns}`;
  card.append(title, returns);
  if (entry.note) {
    const note = document.createElement('p');
    note.className = 'dsl-note';
    note.textContent = entry.note;
    card.append(note);
  }
  const example = document.createElement('pre');
  example.className = 'dsl-example';
  example.textContent = entry.example;
  card.append(example);
  return card;
}

function inCommentOrString(view: EditorView, pos: number): boolean {
  const node = syntaxTree(view.state).resolveInner(pos, 1);
  return /comment|string/i.test(node.name);
}

export const dslHover = [
  hoverTooltip(
    async (view, pos): Promise<Tooltip | null> => {
      const line = view.state.doc.lineAt(pos);
      if (inCommentOrString(view, pos)) return null;
      let lookupAt: (typeof import('./dsl-reference.ts'))['lookupAt'];
      try {
        ({ lookupAt } = await loadReference());
      } catch {
        return null; // the chunk failed to load: no tooltip this time
      }
      const found = lookupAt(line.text, pos - line.from);
      if (!found) return null;
      return {
        pos: line.from + found.from,
        end: line.from + found.to,
        above: true,
        create: (v) => {
          const dom = referenceCard(found.entry, v.dom.ownerDocument);
          dom.setAttribute('role', 'tooltip');
          return { dom };
        },
      };
    },
    { hoverTime: 250 },
  ),
  EditorView.baseTheme({
    '.cm-tooltip.cm-tooltip-hover': { maxWidth: '34rem' },
  }),
];
