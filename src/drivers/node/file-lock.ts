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
import { readFileSync, statSync } from 'node:fs';

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

// ---------------------------------------------------------------------------------------------------------------
// Who holds a lock on a file, for messages: the processes with a POSIX lock on it, from Linux's /proc/locks (SQLite
// locks its files with POSIX advisory locks). Empty where that is not known (another system, no permission). Kept in
// this file so that the lock is one module (a test runs it alone in a child process).

export function lockHolders(path: string): string[] {
  let inode: number;
  let locks: string;
  try {
    inode = statSync(path).ino;
    locks = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const pids = new Set<number>();
  for (const line of locks.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 1073741824 1073741825"
    const fields = line.trim().split(/\s+/);
    const device = fields.find((f) => /^[0-9a-f]+:[0-9a-f]+:\d+$/i.test(f));
    const pid = Number(fields[fields.indexOf(device ?? '') - 1]);
    if (device && Number(device.split(':')[2]) === inode && pid > 0 && pid !== process.pid) pids.add(pid);
  }
  return [...pids].map((pid) => {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .join(' ')
        .replace(/\s+/g, ' ');
      return `process ${pid} (${command.length > 80 ? `${command.slice(0, 79)}…` : command})`;
    } catch {
      return `process ${pid}`;
    }
  });
}

/** ", held by process 1234 (node app.js)" or '' when nobody is known. */
export function heldBy(path: string): string {
  const holders = lockHolders(path);
  return holders.length ? `, held by ${holders.join(' and ')}` : '';
}
