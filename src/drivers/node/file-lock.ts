/**
 * A run lock that dies with the process (Node only).
 *
 * The lock is an SQLite write lock: a tiny SQLite database at `lockPath`, opened on a connection of its own, inside
 * `BEGIN EXCLUSIVE`. SQLite takes it with POSIX advisory locks, which the kernel drops when the process ends, however
 * it ends (`kill -9` included), so no stale lock is ever left behind. Nothing is written, so there is no journal to
 * recover either. The file itself stays (deleting it on release would let a waiter lock an unlinked file while a
 * newcomer locks a fresh one).
 */
import Database from 'better-sqlite3';
import { heldBy } from './lock-holders.ts';

/** How long to sleep between attempts, in ms: short, and the event loop stays free meanwhile. */
const POLL_MS = 25;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function formatWait(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * Takes the lock at `lockPath`, waiting up to `timeoutMs`. `what` names the database for messages
 * (e.g. "sqlite file ./app.db"). Resolves to the function that releases it.
 */
export async function acquireFileLock(lockPath: string, timeoutMs: number, what: string): Promise<() => Promise<void>> {
  const started = Date.now();
  let db: Database.Database;
  try {
    // timeout 0: a held lock answers SQLITE_BUSY at once, and the waiting happens here, asynchronously
    db = new Database(lockPath, { timeout: 0 });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw Object.assign(new Error(`cannot open the lock file ${lockPath} for ${what}: ${reason}`), {
      code: 'MOONWALK_LOCK_FAILED',
    });
  }

  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      break;
    } catch (e) {
      const waited = Date.now() - started;
      if (!isBusy(e)) {
        db.close();
        const reason = e instanceof Error ? e.message : String(e);
        // A file that is not a lock database (garbage, a stray copy) is never held by a run: it only needs removing.
        const hint = /SQLITE_(NOTADB|CORRUPT)/.test(String((e as { code?: unknown }).code))
          ? ': it is not a moonwalk lock file; if no moonwalk run is going on, delete it and run again'
          : '';
        throw Object.assign(new Error(`cannot take the lock file ${lockPath} for ${what}: ${reason}${hint}`), {
          code: 'MOONWALK_LOCK_FAILED',
        });
      }
      if (waited >= timeoutMs) {
        db.close();
        throw Object.assign(
          new Error(
            `${what} is locked: another moonwalk run holds it (lock file ${lockPath}${heldBy(lockPath)}); ` +
              `gave up after waiting ${formatWait(waited)}: let that run finish, or stop it, and run again`,
          ),
          { code: 'MOONWALK_LOCK_TIMEOUT' },
        );
      }
      await sleep(Math.min(POLL_MS, timeoutMs - waited));
    }
  }

  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  };
}
