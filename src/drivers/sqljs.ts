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
  sqliteStatementVerb,
  verbChangesRows,
  verbInsertsRows,
  normalizeInteger,
} from './sqlite-common.ts';

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

/** sql.js's module, initialised once per realm (the wasm is compiled once). */
function loadSqlJs(wasmUrl: string | undefined): Promise<SqlJsModule> {
  if (!sqlJsModule) {
    const config = wasmUrl === undefined ? undefined : { locateFile: () => wasmUrl };
    sqlJsModule = (initSqlJs(config) as unknown as Promise<SqlJsModule>).catch((e: unknown) => {
      sqlJsModule = null;
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

function toBindValues(params: SqlValue[]): SqlJsBindValue[] {
  const out: SqlJsBindValue[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const v = params[i]!;
    // sql.js binds a bigint as text: a safe one goes in as a number instead (an integer when it fits 32 bits)
    out[i] = typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }
  return out;
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
  return row as SqlValue[];
}

function bindOrReset(stmt: SqlJsStatement, params: SqlValue[]): void {
  if (params.length > 0) stmt.bind(toBindValues(params));
  else stmt.reset();
}

class SqlJsPrepared implements SyncPreparedStatement {
  private readonly verb: string;
  private closed = false;

  constructor(
    private readonly driver: SqlJsDriverImpl,
    private readonly stmt: SqlJsStatement,
    sql: string,
  ) {
    this.verb = sqliteStatementVerb(sql);
  }

  private check(): void {
    if (this.closed) throw codedError('statement is closed', 'SQLITE_MISUSE');
  }

  query(params: SqlValue[]): QueryResult {
    this.check();
    const stmt = this.stmt;
    try {
      bindOrReset(stmt, params);
      const columns = stmt.getColumnNames();
      const rows: SqlValue[][] = [];
      while (stmt.step()) rows.push(readRow(stmt));
      return { columns, rows };
    } catch (e) {
      throw toDriverError(e);
    } finally {
      stmt.reset();
    }
  }

  execute(params: SqlValue[]): ExecResult {
    this.check();
    const stmt = this.stmt;
    try {
      bindOrReset(stmt, params);
      while (stmt.step()) { /* rows of RETURNING are not wanted here */ }
      return this.driver.changeResult(this.verb);
    } catch (e) {
      throw toDriverError(e);
    } finally {
      stmt.reset();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stmt.free();
  }
}

class SqlJsDriverImpl implements SqlJsDriver {
  readonly engine = 'sqlite' as const;
  readonly transactionalDdl = true;
  readonly target = 'sqlite (in memory)';
  private lastRowidStmt: SqlJsStatement | null = null;
  private closed = false;

  constructor(private readonly db: SqlJsDatabase) {
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

  /** rowsAffected / lastInsertId after a statement with this verb ran to completion. */
  changeResult(verb: string): ExecResult {
    if (!verbChangesRows(verb)) return { rowsAffected: 0, lastInsertId: null };
    return {
      rowsAffected: this.db.getRowsModified(),
      lastInsertId: verbInsertsRows(verb) ? this.lastInsertRowid() : null,
    };
  }

  private lastInsertRowid(): number | bigint {
    const stmt = (this.lastRowidStmt ??= this.db.prepare('SELECT last_insert_rowid()'));
    try {
      stmt.step();
      const v = stmt.get(null, { useBigInt: true })[0];
      return typeof v === 'bigint' ? normalizeInteger(v) : Number(v);
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
      const columns = stmt.getColumnNames();
      const rows: SqlValue[][] = [];
      while (stmt.step()) rows.push(readRow(stmt));
      return { columns, rows };
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
  execute(sql: string, params: SqlValue[]): ExecResult {
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
        while (stmt.step()) { /* rows are not wanted here */ }
        const result = this.changeResult(sqliteStatementVerb(stmt.getSQL()));
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

  begin(): void {
    this.exec('BEGIN');
  }

  commit(): void {
    this.exec('COMMIT');
  }

  rollback(): void {
    this.exec('ROLLBACK');
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
 * Opens an in-memory SQLite database through sql.js, empty or from an SQLite file image (`data`).
 * `wasmUrl` tells a browser where `sql-wasm.wasm` is; Node finds it by itself.
 */
export async function openSqlJs(options: { data?: Uint8Array; wasmUrl?: string } = {}): Promise<SqlJsDriver> {
  const SQL = await loadSqlJs(options.wasmUrl);
  let db: SqlJsDatabase;
  try {
    db = new SQL.Database(options.data ?? null);
  } catch (e) {
    throw toDriverError(e);
  }
  return new SqlJsDriverImpl(db);
}
