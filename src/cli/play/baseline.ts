/**
 * `moonwalk play --from URL`: a copy of that database's schema and data, as the page's starting database (its
 * baseline). The database itself is only read.
 * - `sqlite:PATH`: the file's bytes (better-sqlite3's serialize of a read-only connection: a consistent copy, WAL
 *   included), opened on the page's SQLite.
 * - `postgres://…`, `pglite:DIR`: a plain SQL dump read through Moonwalk's driver (src/core/sql/postgres-dump.ts),
 *   loaded on the page's PostgreSQL (PGlite), at most ROW_LIMIT rows a table, with a note of what was left out.
 * - `mysql://…`: the same as a SQLite dump (src/core/sql/sqlite-dump.ts): the page has no MySQL. Check constraints,
 *   views and triggers come along when a scratch SQLite database takes them; the notes list what did not, and why.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { absentDatabase, openDatabase, maskPassword } from '../../drivers/node/open-database.ts';
import { writePostgresDump, type RowsLeftOut } from '../../core/sql/postgres-dump.ts';
import { writeSqliteDumpOfMysql } from '../../core/sql/sqlite-dump.ts';
import { plural } from '../../core/plural.ts';
import { openSqlJs } from '../../drivers/sqljs.ts';

/** Rows a table at most, from a server: enough to try migrations on, small enough for a browser tab. */
export const ROW_LIMIT = 10_000;

/** What the page starts from (the page's own Baseline, src/web/worker/protocol.ts, once fetched). */
export type PlayBaseline =
  | { kind: 'sqlite-file'; name: string; bytes: Uint8Array; notes: string[] }
  | { kind: 'dump'; name: string; engine: 'sqlite' | 'postgres'; text: string; notes: string[] };

/** A --from that cannot be read: exit 2, with what to do. */
export class FromError extends Error {}

const SQLITE_HEADER = 'SQLite format 3\u0000';

function sqliteCopy(path: string): PlayBaseline {
  let head: Buffer;
  try {
    head = readFileSync(path).subarray(0, 16);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FromError(
      code === 'ENOENT'
        ? `--from sqlite:${path}: there is no such file: name an existing SQLite database file`
        : code === 'EISDIR'
          ? `--from sqlite:${path}: ${path} is a folder: name a SQLite database file`
          : `--from sqlite:${path}: cannot read it (${(error as Error).message})`,
    );
  }
  const name = path.split(/[\\/]/).pop() ?? path;
  if (head.length === 0) return { kind: 'sqlite-file', name, bytes: new Uint8Array(0), notes: ['an empty database'] };
  if (head.toString('latin1') !== SQLITE_HEADER)
    throw new FromError(
      `--from sqlite:${path}: ${path} is not a SQLite database (it does not start with "SQLite format 3")`,
    );
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return { kind: 'sqlite-file', name, bytes: new Uint8Array(db.serialize()), notes: [] };
  } catch (error) {
    throw new FromError(`--from sqlite:${path}: cannot read it as a SQLite database (${(error as Error).message})`);
  } finally {
    db?.close();
  }
}

function leftOutNote(leftOut: RowsLeftOut[]): string[] {
  if (leftOut.length === 0) return [];
  const tables = leftOut.map((l) => `${l.table} (${l.kept.toLocaleString('en')} of ${l.total.toLocaleString('en')})`);
  return [
    `At most ${ROW_LIMIT.toLocaleString('en')} rows a table were copied; left out rows of ${plural(leftOut.length, 'table')}: ${tables.join(', ')}.`,
  ];
}

/** The baseline `--from url` gives. */
export async function readBaseline(url: string, connectTimeoutMs: number): Promise<PlayBaseline> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    const rest = url.slice(scheme.length + 1);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '' || path === ':memory:')
      throw new FromError(
        `--from ${url}: name a SQLite database file (sqlite:PATH); an in-memory database has nothing to copy`,
      );
    return sqliteCopy(path);
  }
  if (
    !['postgres', 'postgresql', 'pglite', 'mysql', 'mariadb'].includes(scheme ?? '') ||
    /^pglite::memory:$/i.test(url)
  )
    throw new FromError(
      `--from ${maskPassword(url)}: copy from sqlite:PATH, pglite:DIR, postgres://… or mysql://… (a database that holds data)`,
    );
  const absent = absentDatabase(url);
  if (absent !== null)
    throw new FromError(
      `--from ${url}: ${absent} holds no PGlite database (the folder is missing or empty): name the data directory to copy`,
    );
  const driver = await openDatabase(url, { connectTimeoutMs, access: 'read' });
  try {
    const source = maskPassword(url);
    if (driver.engine === 'postgres') {
      const dump = await writePostgresDump(driver, ROW_LIMIT);
      return { kind: 'dump', name: source, engine: 'postgres', text: dump.text, notes: leftOutNote(dump.leftOut) };
    }
    // The page's own SQLite (sql.js): what it takes here, the page loads.
    const scratch = await openSqlJs();
    let dump;
    try {
      dump = await writeSqliteDumpOfMysql(driver, ROW_LIMIT, (statement) => {
        try {
          scratch.exec(statement);
          return null;
        } catch (error) {
          return (error as Error).message;
        }
      });
    } finally {
      await scratch.close();
    }
    return {
      kind: 'dump',
      name: source,
      engine: 'sqlite',
      text: dump.text,
      notes: [
        'The page has no MySQL: the tables and rows were copied onto SQLite (types as SQLite reads them).',
        ...leftOutNote(dump.leftOut),
        ...(dump.copied.length > 0 ? [`Carried over onto SQLite: ${dump.copied.join(', ')}.`] : []),
        ...(dump.skipped.length > 0 ? [`Not carried over: ${dump.skipped.join('; ')}.`] : []),
      ],
    };
  } finally {
    await driver.close().catch(() => {});
  }
}
