/**
 * `--db URL` → a Driver (DESIGN §5). Node only. Each engine's module is imported only when its URL is used, so
 * `moonwalk status` on a SQLite file never loads PGlite or the server clients.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Driver, LockStrategy } from '../../core/driver.ts';

/**
 * What the caller does to the database (docs/decisions.md, "Commands that only look"):
 * - `write` (the default): up, down, redo, verify --db. A SQLite file or PGlite directory that is not there is made.
 * - `read`: status, schema, play --from, the MCP server's status and schema. Nothing is made or changed: an existing
 *   SQLite file is opened read-only, and a SQLite file or PGlite directory that is not there (or an empty folder) is
 *   an empty database in memory whose target says so, so status shows every migration pending.
 * - `rollback`: up --dry-run and diff, whose statements run in a transaction that is rolled back. As `read`, except
 *   that an existing SQLite file is opened for writing, without the lock file beside it (the transaction's own write
 *   lock keeps out other writers while it runs), and that PostgreSQL's lease lock (`--lock table`) makes no table.
 */
export type Access = 'write' | 'read' | 'rollback';

export interface OpenOptions {
  connectTimeoutMs: number;
  /** The run lock of DESIGN §4; a choice only on PostgreSQL servers (chosen there from what the server says). */
  lock?: LockStrategy;
  /** Default `write`. */
  access?: Access;
  /**
   * How long to wait for another run that has a PGlite directory open (`--lock-timeout`; default 60 000): its lock
   * file is taken before the directory is opened. To `read`, at most a few seconds (DESIGN §4: status does not wait
   * for a run; it says the database is locked).
   */
  lockTimeoutMs?: number;
}

/** How long what only reads (`read` access, trace's copy) waits for a PGlite directory that a run has open, at most. */
export const READ_LOCK_WAIT_MS = 2_000;

/** A URL the command cannot use: bad usage (exit 2), as opposed to a database that fails. */
export class DatabaseUrlError extends Error {}

const URL_FORMS = [
  'sqlite:PATH',
  'sqlite::memory:',
  'pglite:DIR',
  'pglite::memory:',
  'postgres://USER:PASSWORD@HOST:PORT/DB',
  'mysql://USER:PASSWORD@HOST:PORT/DB',
];

export async function openDatabase(url: string, options: OpenOptions): Promise<Driver> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const rest = scheme ? url.slice(scheme.length + 1) : '';
  if (options.lock === 'table' && scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new DatabaseUrlError(
      `the lock table is for PostgreSQL servers (behind a pooler such as PgBouncer); ${maskPassword(url)} keeps its own lock`,
    );
  }
  const access = options.access ?? 'write';
  switch (scheme) {
    case 'sqlite':
    case 'sqlite3': {
      const path = localPath(rest, url);
      if (path !== ':memory:') checkSqlitePath(path);
      const { openSqliteFile } = await import('../better-sqlite3.ts');
      if (path === ':memory:' || access === 'write') return openSqliteFile(path);
      if (statOf(path) === null) return openSqliteFile(':memory:', { target: `sqlite file ${path}, ${NOT_THERE}` });
      return openSqliteFile(path, { readonly: access === 'read', runLock: false });
    }
    case 'pglite': {
      const path = localPath(rest, url);
      if (path === ':memory:' || (access !== 'write' && isEmptyPlace(path))) {
        const { openPglite } = await import('../pglite.ts');
        return openPglite(path === ':memory:' ? {} : { target: `pglite directory ${path}, ${NOT_THERE}` });
      }
      const { openPgliteDir } = await import('./pglite-dir.ts');
      // Its own default wait (pglite-dir.ts) unless the caller gives one; to read, a few seconds at most.
      const wait =
        access === 'read' ? Math.min(options.lockTimeoutMs ?? Infinity, READ_LOCK_WAIT_MS) : options.lockTimeoutMs;
      return openPgliteDir(path, { lockTimeoutMs: wait });
    }
    case 'postgres':
    case 'postgresql': {
      const { openPostgres } = await import('../postgres/open.ts');
      return openPostgres(url, { ...options, makeLockTable: access === 'write' });
    }
    case 'mysql':
    case 'mariadb': {
      const { openMysql } = await import('../mysql/open.ts');
      return openMysql(url.replace(/^mariadb:/i, 'mysql:'), options);
    }
    default:
      throw new DatabaseUrlError(
        `cannot open "${maskPassword(url)}": the database URL must look like one of ${URL_FORMS.join(', ')}`,
      );
  }
}

/** How a target that `read` or `rollback` opens in memory is named: status shows it above every migration pending. */
const NOT_THERE = 'which holds no database yet';

/** Nothing there, or an empty folder: where `up` makes a new database (and `read` finds none). */
function isEmptyPlace(path: string): boolean {
  const stat = statOf(path);
  return !stat || (stat.isDirectory() && readdirSync(path).length === 0);
}

/**
 * The path of a `sqlite:PATH` file or `pglite:DIR` directory that holds no database yet (nothing there, or an empty
 * folder): a source that has nothing to copy (play --from). Null for anything else.
 */
export function absentDatabase(url: string): string | null {
  const match = /^(sqlite3?|pglite):(.*)$/i.exec(url);
  if (!match || match[2] === '') return null;
  const path = localPath(match[2], url);
  return path !== ':memory:' && isEmptyPlace(path) ? path : null;
}

/** The file a `sqlite:` URL names; null for any other URL, and for `sqlite::memory:`. */
export function sqliteFilePath(url: string): string | null {
  const scheme = /^sqlite3?:/i.exec(url);
  if (!scheme) return null;
  const rest = url.slice(scheme[0].length);
  if (rest === '' || rest === '//') return null;
  const path = localPath(rest, url);
  return path === ':memory:' ? null : path;
}

/** `sqlite:app.db`, `sqlite:/abs/app.db`, `sqlite:///abs/app.db`, `sqlite::memory:`. */
function localPath(rest: string, url: string): string {
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') throw new DatabaseUrlError(`"${url}" names no file: use sqlite:PATH or sqlite::memory:`);
  return path;
}

function statOf(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR')
      throw new DatabaseUrlError(`--db ${path}: a part of the path before the last is a file, not a folder`);
    throw new DatabaseUrlError(`--db ${path}: ${(error as Error).message}`);
  }
}

/** The folder a database file or directory goes in must be there: it is not created (a typo would go unnoticed). */
function checkParent(path: string): void {
  const parent = dirname(resolve(path));
  const stat = statOf(parent);
  if (!stat)
    throw new DatabaseUrlError(`--db ${path}: the folder ${parent} does not exist: create it, or fix the path`);
  if (!stat.isDirectory())
    throw new DatabaseUrlError(`--db ${path}: ${parent} is not a folder but a file: fix the path`);
}

/** sqlite:PATH names a database file, new or existing, in a folder that exists. */
function checkSqlitePath(path: string): void {
  checkParent(path);
  const stat = statOf(path);
  if (stat?.isDirectory())
    throw new DatabaseUrlError(`--db sqlite:${path}: ${path} is a folder, not a database file: name a file inside it`);
  if (stat && !stat.isFile())
    throw new DatabaseUrlError(`--db sqlite:${path}: ${path} is not a regular file, not a database file`);
}

/** For messages: a URL with its password replaced. */
export function maskPassword(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
