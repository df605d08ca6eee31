/**
 * The transaction a migration runs in, as the runner and the `db` object see it: every statement goes through
 * here, so this is where a failed statement dooms the transaction (as PostgreSQL does, on every engine), where
 * savepoints can lift that, and where the statements are recorded for `--dry-run` and for MySQL's report of what
 * committed implicitly.
 */
import type { Driver, ExecResult, MaybePromise, PreparedStatement, QueryResult, SqlValue } from './driver.ts';
import { classifyError, engineErrorInfo, type ErrorKind } from './errors.ts';
import { ledgerHome } from './ledger.ts';
import { statementRefusal } from './sql/statement-refusal.ts';
import { implicitCommits, isSyntaxError } from './sql/implicit-commit.ts';
import { splitStatements, withoutLeadingComments } from './sql/placeholders.ts';

export interface StatementRecord {
  sql: string;
  params: SqlValue[];
}

/** A statement that failed (or was refused), as `db` methods report it to Lua: `nil, err`. */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly sql?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The first statement failure that nothing has lifted yet. */
export interface StatementFailure {
  message: string;
  sql?: string;
  line?: number;
  kind: ErrorKind;
  /** The engine's error code (SQLSTATE, …) where it gave one. */
  code?: string;
}

/** A word that may start a transaction control statement: only a text containing one is split and looked at. */
const CONTROL_WORD = /\b(begin|commit|end|rollback|abort|start|prepare)\b/i;
/** Words without which a SQLite statement cannot change the connection's session: PRAGMA, CREATE TEMP/TEMPORARY. */
const SESSION_WORDS = /pragma|temp/i;

/** MySQL's `CREATE TEMPORARY TABLE [IF NOT EXISTS] name`, the name with its quotes and database. */
const CREATE_TEMPORARY =
  /\bcreate\s+temporary\s+table\s+(?:if\s+not\s+exists\s+)?((?:`[^`]+`|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))?)/gi;

function temporaryTables(sql: string): string[] {
  if (!/temporary/i.test(sql)) return [];
  return [...sql.matchAll(CREATE_TEMPORARY)].map((match) => match[1]);
}

/** Statements that end the runner's transaction (or start one: MySQL's BEGIN commits). ROLLBACK TO is allowed. */
const CONTROL_STATEMENT = new RegExp(
  [
    '^(commit|abort)\\b',
    '^end\\b(?!\\s*(if|loop|while|repeat|case|for)\\b)',
    '^start\\s+transaction\\b',
    '^prepare\\s+transaction\\b',
    '^begin(\\s+(deferred|immediate|exclusive))?(\\s+(work|transaction))?\\s*$',
    '^begin\\s+(work|transaction|isolation|read|deferrable|not\\s+deferrable)\\b',
    '^rollback\\b(?!(\\s+(work|transaction))?\\s+to\\b)',
  ].join('|'),
  'i',
);

/** The first statement of `sql` (which may be a script) that would end the transaction the runner owns, or null. */
function transactionControl(sql: string, engine: Driver['engine']): string | null {
  if (!CONTROL_WORD.test(sql)) return null;
  for (const statement of splitStatements(sql, engine)) {
    const text = withoutLeadingComments(statement, engine);
    // MySQL has no END statement: a bare END is the tail of a BEGIN … END body split at its `;`.
    if (engine === 'mysql' && /^end\b/i.test(text)) continue;
    if (CONTROL_STATEMENT.test(text)) return text;
  }
  return null;
}

/**
 * Watches each statement of migration code as it runs (`moonwalk trace`): gets its SQL and Lua line, and must call
 * `run` once and answer with its outcome. It may query the driver before and after, inside the same transaction.
 */
export type StatementObserver = <T>(sql: string, line: number | undefined, run: () => MaybePromise<T>) => Promise<T>;

/** `run`'s last argument for statements prepared earlier. */
const PREPARED = true;

export class Transaction {
  private sequence = 0;
  private failedAt = 0;
  failure: StatementFailure | null = null;
  private savepoints: Array<{ name: string; sequence: number; uncommitted?: number }> = [];
  /** Every statement sent by migration code, when recording (dry runs). */
  readonly statements: StatementRecord[] = [];
  /**
   * The statements of this migration that are committed for good, in order. On an engine without transactional DDL
   * (MySQL): DDL commits everything before it in the transaction, and itself; so this is every statement up to and
   * including the last DDL that ran (a DDL that failed, other than by a syntax error, still committed what came
   * before). Outside a transaction (`options{ transaction = false }`): every statement that succeeded.
   */
  readonly implicitlyCommitted: string[] = [];
  /**
   * SQLite: a statement named a PRAGMA or a TEMP object, so the session may have changed (src/core/session.ts).
   * SQLite has no dynamic SQL, so the text tells; the servers' sessions are put back after every migration anyway.
   */
  mayChangeSession = false;
  /**
   * MySQL: the TEMPORARY tables the statements created, as written (MariaDB before 11.2 cannot list a session's
   * temporary tables, so they are dropped by these names when the migration ends).
   */
  readonly temporaryTables = new Set<string>();
  /** MySQL: statements that ran since the last implicit commit; a rollback still undoes them. */
  private uncommitted: string[] = [];

  constructor(
    readonly driver: Driver,
    private readonly options: {
      record?: boolean;
      /** The migration runs outside a transaction: each statement commits on its own (options{ transaction = false }). */
      autocommit?: boolean;
      observe?: StatementObserver;
    } = {},
  ) {}

  get engine() {
    return this.driver.engine;
  }

  query(sql: string, params: SqlValue[], where: () => number | undefined): MaybePromise<QueryResult> {
    return this.run(sql, params, where, () => this.driver.query(sql, params));
  }

  execute(
    sql: string,
    params: SqlValue[],
    where: () => number | undefined,
    withLastInsertId = true,
  ): MaybePromise<ExecResult> {
    return this.run(sql, params, where, () => this.driver.execute(sql, params, withLastInsertId));
  }

  prepare(sql: string, where: () => number | undefined): MaybePromise<PreparedStatement> {
    return this.run(sql, null, where, () => this.driver.prepare(sql));
  }

  queryPrepared(statement: PreparedStatement, sql: string, params: SqlValue[], where: () => number | undefined) {
    return this.run(sql, params, where, () => statement.query(params), PREPARED);
  }

  executePrepared(
    statement: PreparedStatement,
    sql: string,
    params: SqlValue[],
    where: () => number | undefined,
    withLastInsertId = true,
  ) {
    return this.run(sql, params, where, () => statement.execute(params, withLastInsertId), PREPARED);
  }

  savepoint(name: string, where: () => number | undefined): MaybePromise<void> {
    const sequence = ++this.sequence;
    return this.then(
      this.run(`SAVEPOINT ${name}`, null, where, () => this.driver.exec(`SAVEPOINT ${name}`)),
      () => {
        this.savepoints.push({ name, sequence, uncommitted: this.uncommitted.length });
      },
    );
  }

  /** Rolling back to a savepoint taken before the failure lifts it: the code has recovered. */
  rollbackTo(name: string, where: () => number | undefined): MaybePromise<void> {
    const index = this.findSavepoint(name);
    if (index < 0)
      return this.refuse(`no savepoint named ${name}: call db:savepoint("${name}") first`, 'undefined', where);
    const sql = `ROLLBACK TO SAVEPOINT ${name}`;
    return this.then(this.control(sql, where), () => {
      const savepoint = this.savepoints[index];
      this.savepoints.length = index + 1;
      if (savepoint.uncommitted !== undefined)
        this.uncommitted.length = Math.min(this.uncommitted.length, savepoint.uncommitted);
      if (this.failure && savepoint.sequence < this.failedAt) this.failure = null;
    });
  }

  release(name: string, where: () => number | undefined): MaybePromise<void> {
    const index = this.findSavepoint(name);
    if (index < 0)
      return this.refuse(`no savepoint named ${name}: call db:savepoint("${name}") first`, 'undefined', where);
    return this.then(
      this.run(`RELEASE SAVEPOINT ${name}`, null, where, () => this.driver.exec(`RELEASE SAVEPOINT ${name}`)),
      () => {
        this.savepoints.length = index;
      },
    );
  }

  private findSavepoint(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i].name === name) return i;
    return -1;
  }

  /** ROLLBACK TO runs even in a doomed transaction: it is the way out. */
  private control(sql: string, where: () => number | undefined): MaybePromise<void> {
    return this.guarded(sql, where, () => this.driver.exec(sql));
  }

  /** Runs a statement unless the transaction is doomed; a failure dooms it. */
  private run<T>(
    sql: string,
    params: SqlValue[] | null,
    where: () => number | undefined,
    op: () => MaybePromise<T>,
    prepared = false,
  ): MaybePromise<T> {
    if (this.failure) {
      throw new StatementError(
        `the transaction is aborted because an earlier statement failed (${this.failure.message}); ` +
          'roll back to a savepoint taken before that statement, or let the migration fail',
        'aborted',
        sql,
      );
    }
    // A prepared statement's text was looked at when it was prepared (a control statement is never prepared).
    const control = prepared ? null : transactionControl(sql, this.engine);
    if (control !== null) {
      const word = control.split(/\s/, 1)[0].toUpperCase();
      throw this.fail(
        sql,
        new StatementError(
          `${word} is not allowed in a migration: the runner owns the transaction. Return normally to commit, or raise ` +
            'an error (error(err)) to roll the whole migration back; use db:savepoint/db:rollback_to for partial undo',
          'permission',
          sql,
        ),
        where,
      );
    }
    const outside = prepared ? null : this.outsideRefusal(sql);
    if (outside) throw this.fail(sql, outside, where);
    if (!prepared && !this.mayChangeSession && SESSION_WORDS.test(sql)) this.mayChangeSession = true;
    if (!prepared && this.engine === 'mysql') for (const name of temporaryTables(sql)) this.temporaryTables.add(name);
    const observe = this.options.observe;
    if (observe && params !== null) {
      const unobserved = op;
      op = () => observe(sql, where(), unobserved);
    }
    if (params !== null) {
      if (this.options.record) this.statements.push({ sql, params });
      if (this.options.autocommit) return this.guarded(sql, where, this.trackEach(sql, op));
      if (!this.driver.transactionalDdl) return this.guarded(sql, where, this.trackCommits(sql, op));
    }
    return this.guarded(sql, where, op);
  }

  /** Outside a transaction: a statement that succeeded has committed. */
  private trackEach<T>(sql: string, op: () => MaybePromise<T>): () => MaybePromise<T> {
    return () => {
      const value = op();
      if (value instanceof Promise) return value.then((v) => (this.implicitlyCommitted.push(sql), v));
      this.implicitlyCommitted.push(sql);
      return value;
    };
  }

  /**
   * A statement that would reach a file besides the database, write to Moonwalk's own tables or get around them
   * (destroy the ledger's schema, end the connection that holds the run lock; docs/security.md), or
   * SQL text with a NUL byte (SQLite would silently run only the text before it): refused, as a failed statement.
   */
  private outsideRefusal(sql: string): StatementError | null {
    const nul = sql.indexOf('\0');
    if (nul >= 0) {
      return new StatementError(
        `the SQL text contains a NUL byte (\\0) at character ${nul + 1}: remove it, or pass the value as a parameter`,
        'syntax',
        sql,
      );
    }
    const refusal = statementRefusal(sql, this.engine, ledgerHome(this.driver));
    return refusal === null ? null : new StatementError(refusal, 'permission', sql);
  }

  /** MySQL: wraps a statement so that what it commits implicitly (DDL) moves into `implicitlyCommitted`. */
  private trackCommits<T>(sql: string, op: () => MaybePromise<T>): () => MaybePromise<T> {
    const { statements, last } = implicitCommits(sql);
    const succeeded = (): void => {
      if (last < 0) {
        this.uncommitted.push(sql);
        return;
      }
      const single = statements.length === 1;
      this.implicitlyCommitted.push(...this.uncommitted, ...(single ? [sql] : statements.slice(0, last + 1)));
      this.uncommitted = single ? [] : statements.slice(last + 1);
    };
    const failed = (error: unknown): never => {
      // The commit happens before the statement runs: only a syntax error stops it.
      if (last >= 0 && !isSyntaxError(engineErrorInfo(error).code)) {
        this.implicitlyCommitted.push(...this.uncommitted);
        this.uncommitted = [];
      }
      throw error;
    };
    return () => {
      let value: MaybePromise<T>;
      try {
        value = op();
      } catch (error) {
        return failed(error);
      }
      if (value instanceof Promise) return value.then((v) => (succeeded(), v), failed);
      succeeded();
      return value;
    };
  }

  private guarded<T>(sql: string, where: () => number | undefined, op: () => MaybePromise<T>): MaybePromise<T> {
    let value: MaybePromise<T>;
    try {
      value = op();
    } catch (error) {
      throw this.fail(sql, error, where);
    }
    if (value instanceof Promise) {
      return value.catch((error: unknown) => {
        throw this.fail(sql, error, where);
      });
    }
    return value;
  }

  /** Records a failure that dooms the transaction, and returns the error to report. */
  fail(sql: string | undefined, error: unknown, where: () => number | undefined): StatementError {
    const statementError = error instanceof StatementError ? error : this.fromEngine(sql, error);
    if (!this.failure) {
      this.failedAt = ++this.sequence;
      this.failure = {
        message: statementError.message,
        sql,
        line: where(),
        kind: statementError.kind,
        code: statementError.code,
      };
    }
    return statementError;
  }

  /** What a driver threw, as the error value Lua sees: the engine's message and code, and its kind. */
  private fromEngine(sql: string | undefined, error: unknown): StatementError {
    const info = engineErrorInfo(error);
    return new StatementError(info.message, classifyError(this.engine, info.message, info.code), sql, info.code);
  }

  private refuse(message: string, kind: ErrorKind, where: () => number | undefined): never {
    throw this.fail(undefined, new StatementError(message, kind), where);
  }

  private then<T>(value: MaybePromise<T>, after: () => void): MaybePromise<void> {
    if (value instanceof Promise) return value.then(after);
    after();
  }
}
