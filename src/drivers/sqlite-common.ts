/**
 * What the two SQLite drivers (sql.js in the browser and Node, better-sqlite3 in Node) share: the synchronous driver
 * shape the core's fast path relies on, SQLite result-code names, and reading a statement's verb. No engine and no
 * Node or DOM API in here.
 */
import type { Driver, ExecResult, PreparedStatement, QueryResult, SqlValue } from '../core/driver.ts';
import { sqliteStatementVerb } from '../core/sql/sqlite-statement.ts';

// ---------------------------------------------------------------------------------------------------------------
// Synchronous driver shape (shared with the better-sqlite3 driver)

export interface SyncPreparedStatement extends PreparedStatement {
  query(params: SqlValue[]): QueryResult;
  execute(params: SqlValue[], withLastInsertId?: boolean): ExecResult;
  close(): void;
}

/** A driver whose every database call answers synchronously. */
export interface SyncDriver extends Driver {
  query(sql: string, params: SqlValue[]): QueryResult;
  execute(sql: string, params: SqlValue[], withLastInsertId?: boolean): ExecResult;
  prepare(sql: string): SyncPreparedStatement;
  begin(): void;
  commit(): void;
  rollback(): void;
  exec(sql: string): void;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the SQLite drivers (pure functions, no engine in them)

/** An Error carrying the engine's code, as the core expects from drivers. */
export type CodedError = Error & { code?: string };

export function codedError(message: string, code: string | undefined, cause?: unknown): CodedError {
  const err: CodedError = cause === undefined ? new Error(message) : new Error(message, { cause });
  if (code !== undefined) err.code = code;
  return err;
}

const SQLITE_PRIMARY_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS',
  23: 'SQLITE_AUTH',
  24: 'SQLITE_FORMAT',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
  27: 'SQLITE_NOTICE',
  28: 'SQLITE_WARNING',
};

/**
 * The name of an SQLite result code. sql.js only reports primary codes; for SQLITE_CONSTRAINT the message tells which
 * constraint failed (a PRIMARY KEY conflict reads "UNIQUE constraint failed" too and is reported as UNIQUE).
 */
export function sqliteCodeName(rc: number, message: string): string {
  const primary = rc & 0xff;
  const name = SQLITE_PRIMARY_CODES[primary] ?? `SQLITE_${rc}`;
  if (primary === 19) {
    if (message.startsWith('UNIQUE constraint failed')) return 'SQLITE_CONSTRAINT_UNIQUE';
    if (message.startsWith('NOT NULL constraint failed')) return 'SQLITE_CONSTRAINT_NOTNULL';
    if (message.startsWith('CHECK constraint failed')) return 'SQLITE_CONSTRAINT_CHECK';
    if (message.startsWith('FOREIGN KEY constraint failed')) return 'SQLITE_CONSTRAINT_FOREIGNKEY';
    if (/^cannot store \S+ value in \S+ column/.test(message)) return 'SQLITE_CONSTRAINT_DATATYPE';
  }
  return name;
}

export const MULTIPLE_STATEMENTS_MESSAGE = 'The supplied SQL string contains more than one statement';
export const NO_STATEMENT_MESSAGE = 'The supplied SQL string contains no statements';

// Reading a statement's text is the shared SQL lexer's job (src/core/sql).
export { hasSqlContent, sqliteStatementVerb } from '../core/sql/sqlite-statement.ts';

const CHANGING_VERBS = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE']);
const INSERTING_VERBS = new Set(['INSERT', 'REPLACE']);

/** Does a statement with this verb change rows (so that the engine's change count is about it)? */
export function verbChangesRows(verb: string): boolean {
  return CHANGING_VERBS.has(verb);
}

/** Does a statement with this verb insert rows (so that last_insert_rowid() is about it)? */
export function verbInsertsRows(verb: string): boolean {
  return INSERTING_VERBS.has(verb);
}

/**
 * A prepared statement of a synchronous SQLite driver: refused once closed (SQLITE_MISUSE), and what the engine throws
 * becomes the driver's coded error. Each driver supplies the engine's part (`runQuery`, `runExecute`, `close`).
 */
export abstract class SqlitePrepared implements SyncPreparedStatement {
  protected readonly verb: string;
  protected closed = false;

  constructor(
    sql: string,
    private readonly toDriverError: (e: unknown) => CodedError,
  ) {
    this.verb = sqliteStatementVerb(sql);
  }

  protected abstract runQuery(params: SqlValue[]): QueryResult;
  protected abstract runExecute(params: SqlValue[], withLastInsertId: boolean): ExecResult;
  abstract close(): void;

  query(params: SqlValue[]): QueryResult {
    this.check();
    try {
      return this.runQuery(params);
    } catch (e) {
      throw this.toDriverError(e);
    }
  }

  execute(params: SqlValue[], withLastInsertId = true): ExecResult {
    this.check();
    try {
      return this.runExecute(params, withLastInsertId);
    } catch (e) {
      throw this.toDriverError(e);
    }
  }

  private check(): void {
    if (this.closed) throw codedError('statement is closed', 'SQLITE_MISUSE');
  }
}
