/**
 * The one surface the core talks to a database through. One implementation per engine lives in `src/drivers/`.
 *
 * Methods may answer synchronously (sql.js, better-sqlite3) or with a promise (PGlite, servers): the Lua host only
 * pays for a coroutine yield when an answer is really asynchronous.
 */

/** The engines, in the order the DSL numbers them (the prelude's ENGINES) and lists them. */
export const ENGINES = ['sqlite', 'postgres', 'mysql'] as const;
export type Engine = (typeof ENGINES)[number];

/** An engine's name for people. */
export const ENGINE_NAMES: Readonly<Record<Engine, string>> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
};

/** A value travelling between an engine and the core. Drivers map their engine's types onto these. */
export type SqlValue = null | boolean | number | bigint | string | Uint8Array;

export type MaybePromise<T> = T | Promise<T>;

export interface QueryResult {
  /** Column names in the order the statement produced them (duplicates kept). */
  columns: string[];
  /** One array per row, aligned with `columns`. */
  rows: SqlValue[][];
}

export interface ExecResult {
  rowsAffected: number;
  /** The id of the last inserted row where the engine reports one (SQLite, MySQL); null elsewhere. */
  lastInsertId: number | bigint | null;
}

/**
 * A prepared statement. `sql` given to the driver is already in the engine's own placeholder form
 * (`$1…$n` on PostgreSQL, `?` elsewhere) and every call passes exactly as many parameters as it has placeholders.
 *
 * `execute(params, false)` says nobody will read `lastInsertId` (a Lua call statement discards the result): a driver
 * that needs an extra engine call to learn it (sql.js) skips that call and answers null. The default is true.
 */
export interface PreparedStatement {
  query(params: SqlValue[]): MaybePromise<QueryResult>;
  execute(params: SqlValue[], withLastInsertId?: boolean): MaybePromise<ExecResult>;
  close(): MaybePromise<void>;
}

export interface Driver {
  readonly engine: Engine;
  /** False where DDL commits implicitly (MySQL): the runner then cannot promise all-or-nothing. */
  readonly transactionalDdl: boolean;
  /** Where this driver is connected, for messages. Never contains a password. */
  readonly target: string;

  query(sql: string, params: SqlValue[]): MaybePromise<QueryResult>;
  /** `withLastInsertId` as in `PreparedStatement.execute`. */
  execute(sql: string, params: SqlValue[], withLastInsertId?: boolean): MaybePromise<ExecResult>;
  prepare(sql: string): MaybePromise<PreparedStatement>;

  /** Transaction control; savepoints go through `exec`. */
  begin(): MaybePromise<void>;
  commit(): MaybePromise<void>;
  rollback(): MaybePromise<void>;
  /** Runs SQL without parameters and without results (control statements such as SAVEPOINT). */
  exec(sql: string): MaybePromise<void>;

  /**
   * Takes the run lock that keeps two runners from migrating the same database at once, waiting up to `timeoutMs`.
   * Resolves to the function that releases it. The lock must die with the process or connection that holds it.
   * Rejects with a message that says what holds it when the wait times out.
   */
  lock(timeoutMs: number): Promise<() => Promise<void>>;

  /** Which run lock `lock` takes and why, where the engine offers a choice (PostgreSQL servers): `status` shows it. */
  readonly lockInfo?: LockInfo;

  /**
   * Called by the runner between transactions while it holds the run lock: a lease-based lock extends its lease here
   * (and throws when the lease was lost). Absent where the lock lives as long as the connection.
   */
  renewLock?(): Promise<void>;

  close(): Promise<void>;

  /**
   * Whether the driver can run no more statements: `close()` was called, or the server or the network ended the
   * connection. The runner then answers with a connection failure (phase `connect`) instead of blaming itself.
   */
  isClosed?(): boolean;
}

/** DESIGN §4's run lock strategies: PostgreSQL's advisory lock, or a lease row in a lock table (for poolers). */
export type LockStrategy = 'advisory' | 'table';

export interface LockInfo {
  strategy: LockStrategy;
  /** Why this one, in a few words: how the driver told (a pooler in between), or that it was asked for. */
  reason: string;
}
