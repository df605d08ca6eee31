/**
 * The Examples and Reference dialogs of components/Learning.tsx, in a chunk of their own: they hold the gallery's and
 * the DSL reference's text (src/web/gallery.ts, src/web/dsl-reference.ts), which the page needs only once one of
 * them is opened.
 */
import { EXAMPLE_SETS } from '../gallery.ts';
import { REFERENCE, type ReferenceEntry } from '../dsl-reference.ts';
import { closeDialog, loadExample, useLearning } from '../learning.ts';
import { Modal } from './Modal.tsx';

export function ExamplesDialog() {
  const open = useLearning((s) => s.dialog === 'examples');
  return (
    <Modal open={open} onClose={closeDialog} titleId="examples-title" className="examples-dialog" title="Examples">
      <p className="modal-intro">
        One set for each pattern of the migration guide. Loading a set replaces the files and starts an empty database;
        nothing runs until you press Apply next or Apply all.
      </p>
      <ul className="example-list">
        {EXAMPLE_SETS.map((set) => (
          <li key={set.id} className="example">
            <h3>{set.title}</h3>
            <p>{set.summary}</p>
            <p className="tags">
              {set.patterns.map((p) => (
                <span key={p} className="tag">
                  {p}
                </span>
              ))}
            </p>
            <p className="example-files">{set.files.map((f) => f.name).join(' · ')}</p>
            <button
              type="button"
              className="small primary"
              aria-label={`Load ${set.title}`}
              onClick={() => loadExample(set)}
            >
              Load
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

function ReferenceCard({ entry }: { entry: ReferenceEntry }) {
  return (
    <div className="dsl-card">
      <code className="dsl-signature">{entry.signature}</code>
      <p className="dsl-returns">→ {entry.returns}</p>
      {entry.note && <p className="dsl-note">{entry.note}</p>}
      <pre className="dsl-example">{entry.example}</pre>
    </div>
  );
}

export function ReferenceDialog() {
  const open = useLearning((s) => s.dialog === 'reference');
  return (
    <Modal
      open={open}
      onClose={closeDialog}
      titleId="reference-title"
      className="reference-dialog"
      title="DSL reference"
    >
      <p className="modal-intro">
        From docs/dsl.md. In the editor, rest the pointer on one of these names to see its entry.
      </p>
      <dl className="reference-list">
        {REFERENCE.map((entry) => (
          <div key={entry.name} className="reference-entry">
            <dt>
              <code>{entry.name}</code>
            </dt>
            <dd>
              <ReferenceCard entry={entry} />
            </dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
