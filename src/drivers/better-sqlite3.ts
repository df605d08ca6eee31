/**
 * SQLite in a file through better-sqlite3 (Node only): the file is changed in place, so a database that a running
 * application uses is migrated where it lives. Every database call answers synchronously.
 *
 * better-sqlite3 binds every JS number as a REAL and refuses booleans: integral numbers are bound as 64-bit integers
 * and booleans as 1/0 here. Integers are read exactly (`safeIntegers`) and come back as numbers when within ±2^53.
 */
import Database from 'better-sqlite3';
import type { ExecResult, QueryResult, SqlValue } from '../core/driver.ts';
import { acquireFileLock, formatWait, heldBy } from './node/file-lock.ts';
import {
  codedError,
  MULTIPLE_STATEMENTS_MESSAGE,
  NO_STATEMENT_MESSAGE,
  SqlitePrepared,
  sqliteStatementVerb,
  verbInsertsRows,
  type CodedError,
  type SyncDriver,
  type SyncPreparedStatement,
} from './sqlite-common.ts';
import { DriverBase, STANDARD_TRANSACTION } from './base.ts';
import { normalizeInteger } from './integers.ts';

/**
 * How long a statement waits for a lock that another connection (the application) holds, in ms, until a run's lock
 * sets its own lock timeout: then that is how long every statement of the run waits.
 */
const BUSY_TIMEOUT_MS = 5000;

type BetterDatabase = Database.Database;
type BetterStatement = Database.Statement<unknown[], unknown>;
type BindValue = number | bigint | string | Uint8Array | null;

function toDriverError(e: unknown): CodedError {
  if (e instanceof Error) {
    const code = (e as CodedError).code;
    // better-sqlite3's own checks (wrong parameter count, closed database, …) throw TypeError/RangeError without code
    return codedError(e.message, typeof code === 'string' ? code : 'SQLITE_MISUSE', e);
  }
  return codedError(String(e), 'SQLITE_MISUSE');
}

function toBindValues(params: SqlValue[]): BindValue[] {
  const out = new Array<BindValue>(params.length);
  for (let i = 0; i < params.length; i++) {
    const v = params[i]!;
    if (typeof v === 'number') {
      out[i] = Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v) : v;
    } else if (typeof v === 'boolean') {
      out[i] = v ? 1n : 0n;
    } else {
      out[i] = v;
    }
  }
  return out;
}

function toSqlValue(v: unknown): SqlValue {
  if (typeof v === 'bigint') return normalizeInteger(v);
  // blobs come back as Buffers: hand out plain Uint8Array views of the same memory
  if (v instanceof Uint8Array && v.constructor !== Uint8Array)
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return v as SqlValue;
}

function runQuery(stmt: BetterStatement, params: SqlValue[]): QueryResult {
  if (!stmt.reader) {
    stmt.run(toBindValues(params));
    return { columns: [], rows: [] };
  }
  const raw = stmt.raw(true).all(toBindValues(params)) as unknown[][];
  const rows = new Array<SqlValue[]>(raw.length);
  for (let r = 0; r < raw.length; r++) {
    const row = raw[r];
    for (let c = 0; c < row.length; c++) row[c] = toSqlValue(row[c]);
    rows[r] = row as SqlValue[];
  }
  return { columns: stmt.columns().map((c) => c.name), rows };
}

function runExecute(stmt: BetterStatement, params: SqlValue[], verb: string): ExecResult {
  // run() reports 0 changes after a statement that changed nothing (it compares total_changes), DDL included
  const r = stmt.run(toBindValues(params));
  return {
    rowsAffected: Number(r.changes),
    lastInsertId: verbInsertsRows(verb) ? normalizeInteger(BigInt(r.lastInsertRowid)) : null,
  };
}

class BetterPrepared extends SqlitePrepared {
  constructor(
    private readonly stmt: BetterStatement,
    sql: string,
  ) {
    super(sql, toDriverError);
  }

  protected runQuery(params: SqlValue[]): QueryResult {
    return runQuery(this.stmt, params);
  }

  protected runExecute(params: SqlValue[]): ExecResult {
    return runExecute(this.stmt, params, this.verb);
  }

  /** better-sqlite3 finalizes statements when they are garbage collected. */
  close(): void {
    this.closed = true;
  }
}

function isMessage(e: unknown, message: string): boolean {
  return e instanceof Error && e.message === message;
}

const STATEMENT_CACHE_SIZE = 64;

/** A prepared statement kept by its text, with the verb that decides whether it reports a last insert id. */
interface CachedStatement {
  stmt: BetterStatement;
  verb: string;
}

class BetterSqliteDriver extends DriverBase<void> implements SyncDriver {
  readonly engine = 'sqlite' as const;
  readonly transactionalDdl = true;
  /** IMMEDIATE: take the write lock now (waiting up to the busy timeout), not at the first write. */
  protected override readonly transactionStatements = { ...STANDARD_TRANSACTION, begin: 'BEGIN IMMEDIATE' };
  readonly target: string;
  private readonly memory: boolean;
  private readonly runLock: boolean;

  constructor(
    private readonly db: BetterDatabase,
    private readonly path: string,
    options: SqliteFileOptions,
  ) {
    super();
    this.memory = path === ':memory:' || path === '';
    this.runLock = options.runLock !== false && !this.memory;
    this.target = options.target ?? (this.memory ? 'sqlite (in memory)' : `sqlite file ${path}`);
  }

  /**
   * Recently used statements by text, least recently used first: a loop of `db:execute` with the same SQL prepares
   * it once, and the runner's ledger INSERT stays cached while each migration's one-off DDL passes through.
   */
  private readonly statements = new Map<string, CachedStatement>();

  /** The statement, or null when the text holds no statement (only whitespace or comments). */
  private prepareOne(sql: string): CachedStatement | null {
    const cached = this.statements.get(sql);
    if (cached) {
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    let stmt: BetterStatement;
    try {
      stmt = this.db.prepare(sql);
    } catch (e) {
      if (isMessage(e, NO_STATEMENT_MESSAGE)) return null;
      throw e;
    }
    if (this.statements.size >= STATEMENT_CACHE_SIZE) {
      this.statements.delete(this.statements.keys().next().value as string);
    }
    // The verb is read once per text: a cached statement (the ledger's INSERT) is not lexed again on every run.
    const entry = { stmt, verb: sqliteStatementVerb(sql) };
    this.statements.set(sql, entry);
    return entry;
  }

  query(sql: string, params: SqlValue[]): QueryResult {
    const started = Date.now();
    try {
      const entry = this.prepareOne(sql);
      return entry ? runQuery(entry.stmt, params) : { columns: [], rows: [] };
    } catch (e) {
      throw this.lockedError(toDriverError(e), started);
    }
  }

  /**
   * Runs one statement; without parameters the text may hold several (as a script): rowsAffected is then the
   * change in total_changes() and lastInsertId the last_insert_rowid() if it moved.
   */
  execute(sql: string, params: SqlValue[]): ExecResult {
    const started = Date.now();
    try {
      let entry: CachedStatement | null;
      try {
        entry = this.prepareOne(sql);
      } catch (e) {
        if (params.length === 0 && isMessage(e, MULTIPLE_STATEMENTS_MESSAGE)) return this.executeScript(sql);
        throw e;
      }
      return entry ? runExecute(entry.stmt, params, entry.verb) : { rowsAffected: 0, lastInsertId: null };
    } catch (e) {
      throw this.lockedError(toDriverError(e), started);
    }
  }

  private counters(): [bigint, bigint] {
    const row = this.db.prepare('SELECT total_changes(), last_insert_rowid()').raw(true).get() as [bigint, bigint];
    return [BigInt(row[0]), BigInt(row[1])];
  }

  private executeScript(sql: string): ExecResult {
    const [changesBefore, rowidBefore] = this.counters();
    this.db.exec(sql);
    const [changesAfter, rowidAfter] = this.counters();
    return {
      rowsAffected: Number(changesAfter - changesBefore),
      lastInsertId: rowidAfter !== rowidBefore ? normalizeInteger(rowidAfter) : null,
    };
  }

  prepare(sql: string): SyncPreparedStatement {
    const started = Date.now();
    try {
      return new BetterPrepared(this.db.prepare(sql), sql);
    } catch (e) {
      throw this.lockedError(toDriverError(e), started);
    }
  }

  exec(sql: string): void {
    const started = Date.now();
    try {
      this.db.exec(sql);
    } catch (e) {
      throw this.lockedError(toDriverError(e), started);
    }
  }

  /** SQLITE_BUSY after the full wait, as a lock timeout that says who holds the database and what to do. */
  private lockedError(err: CodedError, started: number): CodedError {
    if (!(err.code ?? '').startsWith('SQLITE_BUSY') || this.memory) return err;
    return codedError(
      `${this.target} is locked by another connection writing to it${heldBy(this.path)}; gave up after waiting ` +
        `${formatWait(Date.now() - started)}: let that process finish its transaction (or stop it), and run again`,
      'MOONWALK_LOCK_TIMEOUT',
      err,
    );
  }

  /** A lock file beside the database (`<path>.moonwalk-lock`), held by a connection of its own. */
  lock(timeoutMs: number): Promise<() => Promise<void>> {
    if (this.memory) return Promise.resolve(() => Promise.resolve());
    // Statements of the run wait for another connection's write lock as long as the run waits for its own lock.
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.round(timeoutMs))}`);
    if (!this.runLock) return Promise.resolve(() => Promise.resolve());
    return acquireFileLock(`${this.path}.moonwalk-lock`, timeoutMs, this.target);
  }

  isClosed(): boolean {
    return !this.db.open;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export interface SqliteFileOptions {
  /**
   * An existing file that nothing may change (status, schema): every statement that would write is refused
   * (query_only). Not SQLite's read-only open: that one leaves a WAL database's -wal and -shm files behind, which
   * only a read-write connection removes when it closes. A file the user may not write is opened read-only by SQLite
   * itself either way.
   */
  readonly?: boolean;
  /**
   * false: `lock()` takes no lock file beside the database, for a run whose one transaction is rolled back (a dry
   * run): its BEGIN IMMEDIATE keeps other writers out while it runs, and no `.moonwalk-lock` file is left behind.
   */
  runLock?: boolean;
  /** How messages name the database, instead of `sqlite file PATH`. */
  target?: string;
}

/** Opens an SQLite database file (made if needed, unless read-only or rollback), or ':memory:'. */
export function openSqliteFile(path: string, options: SqliteFileOptions = {}): SyncDriver {
  let db: BetterDatabase;
  const existing = options.readonly === true || options.runLock === false;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: existing });
  } catch (e) {
    const err = toDriverError(e);
    if (err.code === 'SQLITE_MISUSE') err.code = 'SQLITE_CANTOPEN';
    throw err;
  }
  db.defaultSafeIntegers(true);
  if (options.readonly === true) db.pragma('query_only = ON');
  if (path !== ':memory:' && path !== '') checkReadable(db, path);
  return new BetterSqliteDriver(db, path, options);
}

const DAMAGED = /^SQLITE_(NOTADB|CORRUPT)/;

/**
 * SQLite opens any file and complains at the first read: a file that is not a database (or whose first page is
 * damaged) is found here, with its path, before anything reports an empty database.
 */
function checkReadable(db: BetterDatabase, path: string): void {
  // No wait: a database another connection is writing to is not damaged, and the run waits for it later anyway.
  db.pragma('busy_timeout = 0');
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (e) {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const err = toDriverError(e);
    if (!DAMAGED.test(err.code ?? '')) return; // busy, say: the run itself waits for it and reports it
    db.close();
    throw codedError(
      `${path} is not a usable SQLite database (${err.message}): check the path, or restore the file from a backup`,
      err.code,
    );
  }
}
