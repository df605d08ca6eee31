/**
 * The migration files in the runner's order, each a button named by its file name (DESIGN §7), with its state
 * beside it (not inside the button, so that the button's name stays exactly the file name).
 */
import { fileState, missingIds, newMigration, selectFile, useStore, type FileState } from '../store.ts';
import { LessonPanel } from './Lessons.tsx';

const STATE_HELP: Record<FileState, string> = {
  pending: 'not applied yet',
  applied: 'applied to the database',
  modified: 'applied, but the file changed since',
  failed: 'failed in the last run',
  skipped: 'skipped: no block for this engine',
};

/** States that come from the last run's results, not from the ledger. */
const earlier = (state: FileState) => state === 'failed' || state === 'skipped';

export function FileList() {
  const files = useStore((s) => s.files);
  const selected = useStore((s) => s.selected);
  const status = useStore((s) => s.status);
  const outcomes = useStore((s) => s.outcomes);
  const missing = missingIds({ status });
  const fromLink = useStore((s) => s.workspace === 'link');
  // While a command runs, a failure of an earlier run is not shown as the file's state now.
  const busy = useStore((s) => s.busy !== null);

  return (
    <nav className="files" aria-label="Migrations">
      <div className="panel-head">
        <h2>Migrations</h2>
        <button type="button" className="small" onClick={newMigration}>
          New migration
        </button>
      </div>
      {fromLink && (
        <p className="link-note">
          A shared link&apos;s files; yours are kept apart.{' '}
          <a href={location.pathname + location.search} title="Your own files (the address without the # part)">
            My files
          </a>
        </p>
      )}
      {files.length === 0 && <p className="empty">No migrations. Add one with New migration.</p>}
      <ol className="file-list">
        {files.map((f, i) => {
          const state = fileState({ status, outcomes }, f.name);
          const stateId = `file-state-${i}`;
          return (
            <li
              key={f.name}
              className={f.name === selected ? 'selected' : undefined}
              onClick={() => selectFile(f.name)}
            >
              <button
                type="button"
                className="file-button"
                aria-current={f.name === selected ? 'true' : undefined}
                aria-describedby={stateId}
                onClick={() => selectFile(f.name)}
              >
                {f.name}
              </button>
              <span
                id={stateId}
                className={`badge badge-${state}${busy && earlier(state) ? ' badge-earlier' : ''}`}
                title={STATE_HELP[state]}
              >
                {busy && earlier(state) ? `${state} earlier` : state}
              </span>
            </li>
          );
        })}
      </ol>
      {missing.length > 0 && (
        <div className="missing">
          <h3>Applied, file gone</h3>
          <ul>
            {missing.map((id) => (
              <li key={id}>
                <code>{id}</code> <span className="badge badge-missing">missing</span>
              </li>
            ))}
          </ul>
          <p>Revert them (the version that was applied is used), or add the files again.</p>
        </div>
      )}
      <LessonPanel />
    </nav>
  );
}
