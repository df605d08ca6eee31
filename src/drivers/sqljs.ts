/**
 * SQLite in memory through sql.js (WebAssembly). Runs in Node and in a browser Web Worker: no Node APIs here.
 *
 * Every method answers synchronously (the core's fast path relies on it); only `lock` and `close` return promises
 * because the `Driver` interface says so.
 *
 * sql.js quirks handled here:
 * - its errors carry no result code: the database's `handleError` is wrapped so they do (primary code, refined to an
 *   extended constraint code from the message where SQLite's wording makes that unambiguous);
 * - `getRowsModified()` keeps its last value after SELECT and DDL, so it is read only after INSERT/UPDATE/DELETE/REPLACE;
 * - it can bind only 32-bit integers: a larger integral number binds as a REAL (exact up to 2^53; a column with INTEGER
 *   or NUMERIC affinity stores it as an integer), a bigint beyond ±2^53 binds as its decimal text (same affinity rule);
 * - `prepare` silently ignores everything after the first statement: the text is checked for a second statement.
 */
import initSqlJs from 'sql.js';
import type { ExecResult, QueryResult, SqlValue } from '../core/driver.ts';
import {
  type SyncPreparedStatement,
  type SyncDriver,
  type CodedError,
  codedError,
  sqliteCodeName,
  MULTIPLE_STATEMENTS_MESSAGE,
  NO_STATEMENT_MESSAGE,
  hasSqlContent,
  SqlitePrepared,
  sqliteStatementVerb,
  verbChangesRows,
  verbInsertsRows,
} from './sqlite-common.ts';
import { DriverBase } from './base.ts';
import { normalizeInteger } from './integers.ts';

export interface SqlJsDriver extends SyncDriver {
  /** The whole database as an SQLite file image (for downloads). */
  export(): Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------------
// sql.js typing: @types/sql.js (1.4) lags the library (no bigint, no `useBigInt`, no iterator `return`).

type SqlJsBindValue = number | string | Uint8Array | null | bigint | boolean;
type SqlJsRawValue = number | string | Uint8Array | null | bigint;

interface SqlJsStatement {
  bind(values?: SqlJsBindValue[]): boolean;
  step(): boolean;
  get(params?: null, config?: { useBigInt?: boolean }): SqlJsRawValue[];
  getColumnNames(): string[];
  getSQL(): string;
  reset(): boolean;
  free(): boolean;
}

interface SqlJsStatementIterator {
  next(): { done: boolean; value: SqlJsStatement };
  getRemainingSQL(): string;
  return(): unknown;
}

interface SqlJsDatabase {
  run(sql: string): unknown;
  prepare(sql: string): SqlJsStatement;
  iterateStatements(sql: string): SqlJsStatementIterator;
  getRowsModified(): number;
  export(): Uint8Array;
  close(): void;
  handleError(rc: number): null;
}

interface SqlJsModule {
  Database: new (data?: Uint8Array | null) => SqlJsDatabase;
}

let sqlJsModule: Promise<SqlJsModule> | null = null;

/** Where sql.js's wasm comes from: found by sql.js itself (Node), a URL, or a module compiled ahead (a browser worker). */
export interface SqlJsWasm {
  /** Where a browser finds `sql-wasm.wasm`; Node finds it by itself. */
  wasmUrl?: string;
  /** The wasm already fetched and compiled (or on its way), so that opening SQLite need not wait to start the download. */
  wasmModule?: Promise<WebAssembly.Module>;
}

type Receive = (instance: WebAssembly.Instance) => void;

/**
 * sql.js's module, initialised once per realm (the wasm is compiled once). sql.js keeps the promise of its first
 * initialisation for good, settled or not: a wasm that failed to download is reported before sql.js is asked (so
 * that a later open can try again), and a failure inside sql.js's initialisation stays the answer.
 */
function loadSqlJs(wasm: SqlJsWasm): Promise<SqlJsModule> {
  if (!sqlJsModule) {
    const { wasmUrl, wasmModule } = wasm;
    let downloaded = true;
    const init = async (): Promise<SqlJsModule> => {
      if (!wasmModule) {
        return initSqlJs(
          wasmUrl === undefined ? undefined : { locateFile: () => wasmUrl },
        ) as unknown as Promise<SqlJsModule>;
      }
      downloaded = false;
      const module = await wasmModule;
      downloaded = true;
      // Emscripten's hook: sql.js hands over its imports and waits for the instance. It never hears of a failed
      // instantiation, so that rejects through the race instead of leaving the open waiting.
      let failed: (e: unknown) => void = () => {};
      const failure = new Promise<never>((_, reject) => {
        failed = reject;
      });
      const instantiateWasm = (imports: WebAssembly.Imports, receive: Receive) => {
        WebAssembly.instantiate(module, imports).then(receive, failed);
        return {};
      };
      return Promise.race([initSqlJs({ instantiateWasm }) as unknown as Promise<SqlJsModule>, failure]);
    };
    sqlJsModule = init().catch((e: unknown) => {
      if (!downloaded) sqlJsModule = null;
      throw e;
    });
  }
  return sqlJsModule;
}

/** sql.js throws Errors without a code, and for misuse plain strings ("Statement closed"): normalise. */
function toDriverError(e: unknown): CodedError {
  if (e instanceof Error) {
    const err = e as CodedError;
    if (typeof err.code !== 'string') err.code = 'SQLITE_ERROR';
    return err;
  }
  return codedError(String(e), 'SQLITE_MISUSE');
}

/** sql.js binds a bigint as text: a safe one goes in as a number instead (an integer when it fits 32 bits). */
function toBindValues(params: SqlValue[]): SqlJsBindValue[] {
  for (let i = 0; i < params.length; i++) {
    if (typeof params[i] === 'bigint') {
      return params.map((v) => (typeof v === 'bigint' ? normalizeInteger(v) : v));
    }
  }
  // Without a bigint the array binds as it is: sql.js only reads it (one copy less per call in a hot loop).
  return params;
}

function readRow(stmt: SqlJsStatement): SqlValue[] {
  const row = stmt.get();
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    // an integer read as a double beyond 2^53 lost digits: read the row again with exact integers
    if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
      return stmt.get(null, { useBigInt: true }).map((x) => (typeof x === 'bigint' ? normalizeInteger(x) : x));
    }
  }
  return row;
}

/** The statement's columns and all its rows. */
function readAll(stmt: SqlJsStatement): QueryResult {
  const columns = stmt.getColumnNames();
  const rows: SqlValue[][] = [];
  while (stmt.step()) rows.push(readRow(stmt));
  return { columns, rows };
}

/** Runs the statement to its end, its rows (of RETURNING) unread. */
function stepToEnd(stmt: SqlJsStatement): void {
  while (stmt.step()) {
    /* rows are not wanted here */
  }
}

function bindOrReset(stmt: SqlJsStatement, params: SqlValue[]): void {
  if (params.length > 0) stmt.bind(toBindValues(params));
  else stmt.reset();
}

class SqlJsPrepared extends SqlitePrepared {
  constructor(
    private readonly driver: SqlJsDriverImpl,
    private readonly stmt: SqlJsStatement,
    sql: string,
  ) {
    super(sql, toDriverError);
  }

  protected runQuery(params: SqlValue[]): QueryResult {
    try {
      bindOrReset(this.stmt, params);
      return readAll(this.stmt);
    } finally {
      this.stmt.reset();
    }
  }

  protected runExecute(params: SqlValue[], withLastInsertId: boolean): ExecResult {
    try {
      bindOrReset(this.stmt, params);
      stepToEnd(this.stmt);
      return this.driver.changeResult(this.verb, withLastInsertId);
    } finally {
      this.stmt.reset();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stmt.free();
  }
}

class SqlJsDriverImpl extends DriverBase<void> implements SqlJsDriver {
  readonly engine = 'sqlite' as const;
  readonly transactionalDdl = true;
  readonly target = 'sqlite (in memory)';
  private lastRowidStmt: SqlJsStatement | null = null;
  private closed = false;

  constructor(private readonly db: SqlJsDatabase) {
    super();
    // Give sql.js's errors the SQLite result code (its own handleError drops it).
    const original = db.handleError.bind(db);
    db.handleError = (rc: number) => {
      if (rc === 0) return null;
      let message: string;
      try {
        original(rc);
        message = `SQLite error ${rc}`;
      } catch (e) {
        message = e instanceof Error ? e.message : String(e);
      }
      throw codedError(message, sqliteCodeName(rc, message));
    };
  }

  private checkOpen(): void {
    if (this.closed) throw codedError('database is closed', 'SQLITE_MISUSE');
  }

  /**
   * rowsAffected / lastInsertId after a statement with this verb ran to completion. sql.js has no
   * last_insert_rowid function: the id costs a second statement, so it is read only when wanted.
   */
  changeResult(verb: string, withLastInsertId: boolean): ExecResult {
    if (!verbChangesRows(verb)) return { rowsAffected: 0, lastInsertId: null };
    return {
      rowsAffected: this.db.getRowsModified(),
      lastInsertId: withLastInsertId && verbInsertsRows(verb) ? this.lastInsertRowid() : null,
    };
  }

  private lastInsertRowid(): number | bigint {
    const stmt = (this.lastRowidStmt ??= this.db.prepare('SELECT last_insert_rowid()'));
    try {
      stmt.step();
      // Read as a double first (no text round trip); only an id beyond 2^53 is read again exactly.
      const v = stmt.get()[0];
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      const exact = stmt.get(null, { useBigInt: true })[0];
      return typeof exact === 'bigint' ? normalizeInteger(exact) : Number(exact);
    } finally {
      stmt.reset();
    }
  }

  query(sql: string, params: SqlValue[]): QueryResult {
    this.checkOpen();
    let it: SqlJsStatementIterator | null = null;
    try {
      it = this.db.iterateStatements(sql);
      const next = it.next();
      if (next.done) return { columns: [], rows: [] };
      if (hasSqlContent(it.getRemainingSQL())) throw codedError(MULTIPLE_STATEMENTS_MESSAGE, 'SQLITE_MISUSE');
      const stmt = next.value;
      if (params.length > 0) stmt.bind(toBindValues(params));
      return readAll(stmt);
    } catch (e) {
      throw toDriverError(e);
    } finally {
      it?.return();
    }
  }

  /**
   * Runs one statement; without parameters the text may hold several (as a script), and the result sums their
   * changes and reports the id of the last INSERT among them.
   */
  execute(sql: string, params: SqlValue[], withLastInsertId = true): ExecResult {
    this.checkOpen();
    let it: SqlJsStatementIterator | null = null;
    try {
      it = this.db.iterateStatements(sql);
      let rowsAffected = 0;
      let lastInsertId: number | bigint | null = null;
      for (let first = true; ; first = false) {
        const next = it.next();
        if (next.done) break;
        const stmt = next.value;
        if (first && params.length > 0) {
          if (hasSqlContent(it.getRemainingSQL())) throw codedError(MULTIPLE_STATEMENTS_MESSAGE, 'SQLITE_MISUSE');
          stmt.bind(toBindValues(params));
        }
        stepToEnd(stmt);
        const result = this.changeResult(sqliteStatementVerb(stmt.getSQL()), withLastInsertId);
        rowsAffected += result.rowsAffected;
        if (result.lastInsertId !== null) lastInsertId = result.lastInsertId;
      }
      return { rowsAffected, lastInsertId };
    } catch (e) {
      throw toDriverError(e);
    } finally {
      it?.return();
    }
  }

  prepare(sql: string): SyncPreparedStatement {
    this.checkOpen();
    try {
      // The iterator tells whether the text holds exactly one statement; it frees its statement when done, so the
      // statement that lives on is prepared separately.
      const it = this.db.iterateStatements(sql);
      try {
        const next = it.next();
        if (next.done) throw codedError(NO_STATEMENT_MESSAGE, 'SQLITE_MISUSE');
        if (hasSqlContent(it.getRemainingSQL())) throw codedError(MULTIPLE_STATEMENTS_MESSAGE, 'SQLITE_MISUSE');
      } finally {
        it.return();
      }
      return new SqlJsPrepared(this, this.db.prepare(sql), sql);
    } catch (e) {
      throw toDriverError(e);
    }
  }

  exec(sql: string): void {
    this.checkOpen();
    try {
      this.db.run(sql);
    } catch (e) {
      throw toDriverError(e);
    }
  }

  /** One owner (this realm): nothing to wait for. */
  lock(_timeoutMs: number): Promise<() => Promise<void>> {
    return Promise.resolve(() => Promise.resolve());
  }

  export(): Uint8Array {
    this.checkOpen();
    try {
      return this.db.export();
    } catch (e) {
      throw toDriverError(e);
    }
  }

  isClosed(): boolean {
    return this.closed;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.lastRowidStmt = null;
      this.db.close(); // frees every statement still prepared
    }
    return Promise.resolve();
  }
}

/**
 * Opens an in-memory SQLite database through sql.js, empty or from an SQLite file image (`data`); in a browser,
 * `wasmUrl` or `wasmModule` says where its wasm comes from.
 */
export async function openSqlJs(options: { data?: Uint8Array } & SqlJsWasm = {}): Promise<SqlJsDriver> {
  const SQL = await loadSqlJs(options);
  let db: SqlJsDatabase;
  try {
    db = new SQL.Database(options.data ?? null);
  } catch (e) {
    throw toDriverError(e);
  }
  return new SqlJsDriverImpl(db);
}
