/**
 * PGlite in a directory, for Node (DESIGN §4): a PGlite directory belongs to one process at a time, so the lock file
 * `<dir>.moonwalk-lock` is taken BEFORE the directory is opened and held until the driver is closed. `lock()` then
 * has nothing left to wait for.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Driver } from '../../core/driver.ts';
import { openPglite } from '../pglite.ts';
import { acquireFileLock } from './file-lock.ts';

const DEFAULT_DIR_LOCK_TIMEOUT_MS = 60_000;

export async function openPgliteDir(dir: string, options: { lockTimeoutMs?: number } = {}): Promise<Driver> {
  const base = dir.replace(/[\\/]+$/, '') || dir;
  const lockPath = `${base}.moonwalk-lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  const release = await acquireFileLock(
    lockPath,
    options.lockTimeoutMs ?? DEFAULT_DIR_LOCK_TIMEOUT_MS,
    `pglite directory ${dir}`,
  );

  let inner: Driver;
  try {
    checkPgliteDir(dir); // under the lock: another run may be making the data directory right now
    inner = await openPglite({ dataDir: dir });
  } catch (e) {
    await release();
    throw e;
  }

  let closed = false;
  return {
    engine: inner.engine,
    transactionalDdl: inner.transactionalDdl,
    target: inner.target,
    query: (sql, params) => inner.query(sql, params),
    execute: (sql, params) => inner.execute(sql, params),
    prepare: (sql) => inner.prepare(sql),
    begin: () => inner.begin(),
    commit: () => inner.commit(),
    rollback: () => inner.rollback(),
    exec: (sql) => inner.exec(sql),
    lock: () => Promise.resolve(() => Promise.resolve()),
    isClosed: () => closed || inner.isClosed?.() === true,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await inner.close();
      } finally {
        await release();
      }
    },
  };
}

/**
 * pglite:DIR names a PostgreSQL data directory, or a folder to make one in: a new or empty folder. A folder that
 * holds other things is refused, as PostgreSQL's initdb refuses it, instead of filling it with a database.
 */
export function checkPgliteDir(path: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return; // a new folder
  }
  if (!stat.isDirectory())
    throw new Error(`--db pglite:${path}: ${path} is a file, not a PGlite data directory: name a folder`);
  const names = readdirSync(path);
  if (names.length > 0 && !names.includes('PG_VERSION')) {
    throw new Error(
      `--db pglite:${path}: ${path} is not a PostgreSQL data directory (it has no PG_VERSION) and is not empty: ` +
        'name a new or empty folder for a new database',
    );
  }
}
