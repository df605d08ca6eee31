/**
 * The person's own starting database (the baseline): a SQLite file opened in the page, or a SQL dump loaded into a
 * new database of an engine. Opening one never touches the database in use: a file that is not a database or a dump
 * that fails leaves everything as it was.
 */
import type { Driver } from '../../core/driver.ts';
import { loadSqlDump } from '../../core/dump-load.ts';
import { LEDGER_TABLE } from '../../core/ledger.ts';
import { plural } from '../../core/plural.ts';
import { sqliteAsSql, sqliteStatements } from '../../core/sqlite-as-sql.ts';
import { parseSqlDump } from '../../core/sql/dump.ts';
import { ENGINE_LABELS, type Baseline, type EngineId, type GivenBaseline, type LinkBaseline } from './protocol.ts';

/** Opens a new database of `engine`: empty, or from a SQLite file's bytes. */
export type OpenEngine = (engine: EngineId, sqliteFile?: Uint8Array) => Promise<Driver>;

/** sql.js holds the file in memory twice (the bytes and its own copy): larger files are refused before they are read. */
export const MAX_DATABASE_FILE_BYTES = 512 * 1024 * 1024;

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** Why `bytes` cannot be opened as a SQLite database, or null when it can be tried. An empty file is an empty database. */
export function sqliteFileProblem(name: string, size: number, head: Uint8Array): string | null {
  if (size > MAX_DATABASE_FILE_BYTES) {
    const mb = (n: number) => Math.round(n / (1024 * 1024));
    return `${name} is too large to open here (${mb(size)} MB; the playground opens SQLite files up to ${mb(MAX_DATABASE_FILE_BYTES)} MB). Nothing was changed.`;
  }
  if (size === 0) return null;
  const header = String.fromCharCode(...head.subarray(0, SQLITE_HEADER.length));
  if (header !== SQLITE_HEADER) {
    return `${name} is not a SQLite database (its first bytes are not "SQLite format 3"). Open a .sqlite, .sqlite3 or .db file made by SQLite. Nothing was changed.`;
  }
  return null;
}

/**
 * A SQLite file's bytes, read a twentieth at a time (at least 1 MB); `progress` hears how many are read after each
 * (`Blob.slice`, so a worker, Chromium and Node alike can report it).
 */
export async function readSqliteFile(
  file: Blob,
  progress: (read: number, total: number) => void = () => {},
): Promise<Uint8Array> {
  const bytes = new Uint8Array(file.size);
  const step = Math.max(Math.ceil(file.size / 20), 1024 * 1024);
  for (let read = 0; read < file.size;) {
    const chunk = new Uint8Array(await file.slice(read, read + step).arrayBuffer());
    if (chunk.length === 0) break;
    bytes.set(chunk, read);
    read += chunk.length;
    progress(read, file.size);
  }
  return bytes;
}

/**
 * `given` with a SQLite file's bytes read (`progress` hears how far). A file the browser can no longer read (changed or
 * moved on disk since it was opened) is a `StartError` that says so.
 */
export async function readBaseline(
  given: GivenBaseline,
  progress?: (read: number, total: number) => void,
): Promise<Baseline> {
  if (given.kind !== 'sqlite-blob') return given;
  try {
    return { kind: 'sqlite-file', name: given.name, bytes: await readSqliteFile(given.file, progress) };
  } catch {
    throw new StartError(
      `${given.name} can no longer be read by the browser (changed, moved or deleted since it was opened). Open it again to use it as the starting database.`,
    );
  }
}

/** A database that opened but could not be given the starting database: its message says why, whole. */
export class StartError extends Error {}

export type Started =
  { ok: true; driver: Driver; notes: string[] } | { ok: false; message: string; statement?: number; line?: number };

/** A new database of `engine` holding `baseline` (none: empty). */
export async function startFrom(
  open: OpenEngine,
  engine: EngineId,
  baseline: Baseline | null,
  onProgress?: (done: number, total: number) => void,
): Promise<Started> {
  if (baseline === null) return { ok: true, driver: await open(engine), notes: [] };
  if (baseline.kind === 'sqlite-file') {
    const problem = sqliteFileProblem(baseline.name, baseline.bytes.length, baseline.bytes);
    if (problem !== null) return { ok: false, message: problem };
    let driver: Driver | null = null;
    try {
      driver = await open('sqlite', baseline.bytes);
      // sql.js reads the file lazily: a damaged one shows on the first read of its schema.
      const tables = await driver.query(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?",
        [LEDGER_TABLE],
      );
      return { ok: true, driver, notes: [`${plural(Number(tables.rows[0]?.[0] ?? 0), 'table')}`] };
    } catch (error) {
      await driver?.close().catch(() => {});
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        message: `${baseline.name} could not be opened as a SQLite database: ${reason}. Nothing was changed.`,
      };
    }
  }
  const driver = await open(engine);
  const loaded = await loadSqlDump(driver, baseline.text, onProgress);
  if (loaded.ok) return { ok: true, driver, notes: loaded.notes };
  await driver.close().catch(() => {});
  const { statement, line, message } = loaded.error;
  const where = statement > 0 ? `statement ${statement} (line ${line})` : `line ${line}`;
  return {
    ok: false,
    message: `The SQL dump failed at ${where}: ${message}. Nothing of it was loaded; the database is as it was.`,
    statement,
    line,
  };
}

/**
 * `baseline` (made on another engine) loaded into `target`, a new empty database of another engine (Compare
 * engines): a dump as it is, a SQLite file written out as SQL (src/core/sqlite-as-sql.ts). Answers why when it
 * cannot be loaded there; `target` is closed then.
 */
export async function carryOver(open: OpenEngine, baseline: Baseline, target: Driver): Promise<Started> {
  const engine = target.engine as EngineId;
  let text = baseline.kind === 'dump' ? baseline.text : '';
  if (baseline.kind === 'sqlite-file') {
    const source = await open('sqlite', baseline.bytes);
    try {
      text = await sqliteAsSql(source, engine);
    } finally {
      await source.close().catch(() => {});
    }
  }
  const loaded = await loadSqlDump(target, text);
  if (loaded.ok) return { ok: true, driver: target, notes: loaded.notes };
  await target.close().catch(() => {});
  const { statement, line, message, sql } = loaded.error;
  const where =
    baseline.kind === 'dump' ? `statement ${statement} (line ${line})` : `the statement ${oneLine(sql ?? '')}`;
  return {
    ok: false,
    message: `Your starting database (${baseline.name}) cannot be loaded on ${ENGINE_LABELS[engine]}: ${where} fails there with "${message}". Compare engines runs the files on ${ENGINE_LABELS[engine]} only from it, so that side was not run.`,
  };
}

function oneLine(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/**
 * `baseline` as the SQL a share link carries: its schema (and ledger) always, its rows while the text stays within
 * `budget` characters. On PostgreSQL a dump's data goes whole or not at all (its foreign keys are checked, and
 * pg_dump adds them after the data); SQLite loads any subset of the rows.
 */
export async function linkBaseline(open: OpenEngine, baseline: Baseline, budget: number): Promise<LinkBaseline> {
  /** In load order; `rows` marks the data, which may be left out. */
  let items: { sql: string; rows?: number }[];
  if (baseline.kind === 'sqlite-file') {
    const source = await open('sqlite', baseline.bytes);
    try {
      const { tables, rows, rest, ledger } = await sqliteStatements(source, 'sqlite');
      items = [...tables.map((sql) => ({ sql })), ...rows.map((sql) => ({ sql, rows: 1 }))];
      items.push(...[...rest, ...ledger].map((sql) => ({ sql })));
    } finally {
      await source.close().catch(() => {});
    }
  } else {
    const parsed = parseSqlDump(baseline.text, baseline.engine);
    if (!parsed.ok) return { name: baseline.name, sql: baseline.text, rowsLeftOut: 0 };
    items = parsed.statements.map((s) => {
      const sql = `${s.sql.replace(/;\s*$/, '')};`;
      return /^\s*INSERT\b/i.test(sql) ? { sql, rows: s.rows ?? 1 } : { sql };
    });
  }
  let room = items.reduce((n, item) => (item.rows === undefined ? n - item.sql.length - 1 : n), budget);
  const left = new Set<(typeof items)[number]>();
  for (const item of items) {
    if (item.rows === undefined) continue;
    if (left.size === 0 && item.sql.length + 1 <= room) room -= item.sql.length + 1;
    else left.add(item);
  }
  // On PostgreSQL a dump's data goes whole or not at all.
  if (left.size > 0 && baseline.kind === 'dump' && baseline.engine === 'postgres')
    for (const item of items) if (item.rows !== undefined) left.add(item);
  const rowsLeftOut = [...left].reduce((n, item) => n + (item.rows ?? 0), 0);
  const sql =
    items
      .filter((item) => !left.has(item))
      .map((item) => item.sql)
      .join('\n') + '\n';
  return { name: baseline.name, sql, rowsLeftOut };
}
