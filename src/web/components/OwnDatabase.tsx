/**
 * The person's own database (issue 13): the "Open database file" input (a SQLite file, also dropped on the page), the
 * "Load SQL dump" dialog (pasted, or a .sql file), "Start empty", and the notes about the starting database in a
 * `role="status"` line. The buttons sit in the Save and load menu (`OwnDatabaseMenuItems`); the input, the dialog and
 * the drop target live here, always mounted. Actions: src/web/store/own-database.ts.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { clearWorkspace, loadSqlDump, openDatabaseFile, report, startEmpty, useStore } from '../store.ts';
import { SQLITE_FILE } from '../store/own-database.ts';
import { Modal } from './Modal.tsx';

const OPEN_EVENT = 'moonwalk:open-database-file';
const DUMP_EVENT = 'moonwalk:load-sql-dump';
const CLEAR_EVENT = 'moonwalk:clear-workspace';

/** The menu's buttons: they ask the always-mounted part (`OwnDatabase`) to act. */
export function OwnDatabaseMenuItems({ choose }: { choose: (action: () => void) => () => void }) {
  const busy = useStore((s) => s.busy !== null || s.engineState !== 'ready');
  return (
    <>
      <button type="button" disabled={busy} onClick={choose(() => dispatchEvent(new Event(OPEN_EVENT)))}>
        Open a SQLite file
      </button>
      <button type="button" disabled={busy} onClick={choose(() => dispatchEvent(new Event(DUMP_EVENT)))}>
        Load SQL dump
      </button>
      <button type="button" disabled={busy} onClick={choose(() => void startEmpty())}>
        Start empty
      </button>
      <button type="button" disabled={busy} onClick={choose(() => dispatchEvent(new Event(CLEAR_EVENT)))}>
        Clear workspace
      </button>
      <p className="menu-hint">
        Your own database as the starting point (.sqlite, .sqlite3, .db, or a SQL dump): Reset database comes back to
        it. Start empty forgets it; Clear workspace forgets your files, the database this browser keeps and its copies
        of share links.
      </p>
    </>
  );
}

async function openDropped(files: File[]): Promise<void> {
  const file = files[0];
  if (!file) return;
  if (/\.sql$/i.test(file.name)) {
    await loadSqlDump(await file.text(), file.name);
    return;
  }
  if (SQLITE_FILE.test(file.name) || !/\.(lua|zip)$/i.test(file.name)) await openDatabaseFile(file);
}

export function OwnDatabase() {
  const input = useRef<HTMLInputElement>(null);
  const notice = useStore((s) => s.notice);
  const [dumpOpen, setDumpOpen] = useState(false);
  const [clearOpen, setClearOpen] = useState(false);
  const [dump, setDump] = useState('');
  const [loading, setLoading] = useState(false);
  const textboxId = useId();

  useEffect(() => {
    const openPicker = () => input.current?.click();
    const openDump = () => setDumpOpen(true);
    const openClear = () => setClearOpen(true);
    addEventListener(CLEAR_EVENT, openClear);
    const over = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const drop = (event: DragEvent) => {
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      void openDropped(files);
    };
    addEventListener(OPEN_EVENT, openPicker);
    addEventListener(DUMP_EVENT, openDump);
    document.addEventListener('dragover', over);
    document.addEventListener('drop', drop);
    return () => {
      removeEventListener(CLEAR_EVENT, openClear);
      removeEventListener(OPEN_EVENT, openPicker);
      removeEventListener(DUMP_EVENT, openDump);
      document.removeEventListener('dragover', over);
      document.removeEventListener('drop', drop);
    };
  }, []);

  const load = async () => {
    setLoading(true);
    try {
      if (await loadSqlDump(dump)) {
        setDumpOpen(false);
        setDump('');
      }
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".sqlite,.sqlite3,.db,application/vnd.sqlite3,application/x-sqlite3"
        hidden
        aria-label="Open database file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file)
            void openDatabaseFile(file).catch((error: unknown) =>
              report(`${file.name} could not be read: ${String(error)}`),
            );
        }}
      />
      {/* Only while there is a note: the engine's "SQLite ready" stays the page's one status line otherwise. */}
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <Modal open={dumpOpen} onClose={() => setDumpOpen(false)} titleId="dump-title" className="dump-dialog">
        <h2 id="dump-title">Load SQL dump</h2>
        <p>
          Output of <code>sqlite3 app.db .dump</code> or <code>pg_dump</code> (plain, COPY blocks included), loaded into
          a new database of the current engine as the starting point. A dump that fails changes nothing.
        </p>
        <label htmlFor={textboxId}>SQL dump</label>
        <textarea
          id={textboxId}
          data-autofocus
          rows={12}
          spellCheck={false}
          value={dump}
          onChange={(e) => setDump(e.target.value)}
        />
        <div className="modal-actions">
          <label className="file-button">
            Open a .sql file
            <input
              type="file"
              accept=".sql,text/plain,application/sql"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void file.text().then(setDump);
              }}
            />
          </label>
          <button
            type="button"
            className="primary"
            disabled={loading || dump.trim() === ''}
            onClick={() => void load()}
          >
            Load
          </button>
          <button type="button" onClick={() => setDumpOpen(false)}>
            Cancel
          </button>
        </div>
      </Modal>
      <Modal open={clearOpen} onClose={() => setClearOpen(false)} titleId="clear-title" className="clear-dialog">
        <h2 id="clear-title">Clear workspace?</h2>
        <p>
          This forgets your migration files and the database this browser keeps (your starting database included), and
          the copies it keeps of share links you opened (their edits and databases: the links open as they were made).
          It brings back the examples on an empty database. Download what you want to keep first (Save and load).
        </p>
        <div className="modal-actions">
          <button
            type="button"
            className="primary danger"
            onClick={() => {
              setClearOpen(false);
              void clearWorkspace();
            }}
          >
            Clear workspace
          </button>
          <button type="button" onClick={() => setClearOpen(false)} data-autofocus>
            Cancel
          </button>
        </div>
      </Modal>
    </>
  );
}
