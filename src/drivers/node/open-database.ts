/**
 * `--db URL` → a Driver (DESIGN §5). Node only. Each engine's module is imported only when its URL is used, so
 * `moonwalk status` on a SQLite file never loads PGlite or the server clients.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Driver, LockStrategy } from '../../core/driver.ts';

export interface OpenOptions {
  connectTimeoutMs: number;
  /** The run lock of DESIGN §4; a choice only on PostgreSQL servers (chosen there from what the server says). */
  lock?: LockStrategy;
}

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
  switch (scheme) {
    case 'sqlite':
    case 'sqlite3': {
      const path = localPath(rest, url);
      if (path !== ':memory:') checkSqlitePath(path);
      const { openSqliteFile } = await import('../better-sqlite3.ts');
      return openSqliteFile(path === ':memory:' ? ':memory:' : path);
    }
    case 'pglite': {
      const path = localPath(rest, url);
      if (path === ':memory:') {
        const { openPglite } = await import('../pglite.ts');
        return openPglite();
      }
      const { openPgliteDir } = await import('./pglite-dir.ts');
      return openPgliteDir(path);
    }
    case 'postgres':
    case 'postgresql': {
      const { openPostgres } = await import('../postgres/open.ts');
      return openPostgres(url, options);
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
