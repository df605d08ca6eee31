/**
 * What every driver does the same way: transaction control is three statements run through the driver's own `exec`.
 * A driver names its statements (MySQL turns autocommit off, better-sqlite3 takes the write lock at BEGIN) and
 * overrides a method only where the engine needs more (PGlite's COMMIT of an aborted transaction). The server drivers
 * share more: a connection that can be lost, statements through one `run` (ServerDriverBase).
 *
 * `Done` is what `exec` answers: `void` for the synchronous SQLite drivers, `Promise<void>` for the others.
 */
import type { Driver, ExecResult, PreparedStatement, QueryResult, SqlValue } from '../core/driver.ts';
import { ConnectionError } from './connection-error.ts';

export interface TransactionStatements {
  begin: string;
  commit: string;
  rollback: string;
}

export const STANDARD_TRANSACTION: TransactionStatements = { begin: 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK' };

export abstract class DriverBase<Done extends void | Promise<void>> implements Pick<
  Driver,
  'begin' | 'commit' | 'rollback' | 'exec'
> {
  protected readonly transactionStatements: TransactionStatements = STANDARD_TRANSACTION;

  abstract exec(sql: string): Done;

  begin(): Done {
    return this.exec(this.transactionStatements.begin);
  }

  commit(): Done {
    return this.exec(this.transactionStatements.commit);
  }

  rollback(): Done {
    return this.exec(this.transactionStatements.rollback);
  }
}

/** The results of one statement as the server's client library gives them, and how they read as the core's. */
export interface ResultReader<Raw> {
  query(raw: Raw): QueryResult;
  execute(raw: Raw): ExecResult;
}

/**
 * A driver over one server connection (PostgreSQL, MySQL/MariaDB): what "closed" (by us) and "lost" (the server or
 * the network ended it) mean, and the statement methods, said once. A driver supplies `run` (one statement through
 * its client) and its `results` reader.
 */
export abstract class ServerDriverBase<Raw> extends DriverBase<Promise<void>> {
  abstract readonly target: string;
  /** Why the connection is gone, when the server or the network ended it. */
  protected lost: Error | null = null;
  /** `close()` was called. */
  protected closed = false;
  /** The engine's code for a connection that is closed (PostgreSQL's 08003, mysql2's ECONNCLOSED). */
  protected abstract readonly closedCode: string;
  protected abstract readonly results: ResultReader<Raw>;

  protected abstract run(sql: string, params?: SqlValue[]): Promise<Raw>;

  /** The client's 'error' or an 'end' we did not ask for: the connection is lost, and the next statement says so. */
  protected watchConnection(client: ConnectionEvents): void {
    client.on('error', (err: Error) => {
      this.lost ??= err;
    });
    client.on('end', () => {
      if (!this.closed) this.lost ??= new Error('the server closed the connection');
    });
  }

  isClosed(): boolean {
    return this.closed || this.lost !== null;
  }

  protected closedError(cause?: unknown): ConnectionError {
    return new ConnectionError(`the connection to ${this.target} is closed`, this.closedCode, cause);
  }

  /** "lost the connection to …" with why (`reason`, or what the connection's events said). */
  protected lostError(code: string, cause?: unknown, reason: Error | null = this.lost): ConnectionError {
    // Whatever found out (an event, a failed statement), the connection is gone for every later statement too.
    this.lost ??= reason ?? new Error('the server closed the connection');
    return new ConnectionError(
      `lost the connection to ${this.target}: ${reason?.message ?? 'the server closed the connection'}`,
      code,
      cause,
    );
  }

  async query(sql: string, params: SqlValue[]): Promise<QueryResult> {
    return this.results.query(await this.run(sql, params));
  }

  async execute(sql: string, params: SqlValue[]): Promise<ExecResult> {
    return this.results.execute(await this.run(sql, params));
  }

  async exec(sql: string): Promise<void> {
    await this.run(sql);
  }

  /** A prepared statement whose runs go through `run`; refused once closed, `release` called on its first close. */
  protected statement(run: (params: SqlValue[]) => Promise<Raw>, release?: () => Promise<void>): PreparedStatement {
    let closed = false;
    const runOpen = (params: SqlValue[]): Promise<Raw> => {
      if (closed) throw new Error('the prepared statement is closed');
      return run(params);
    };
    return {
      query: async (params) => this.results.query(await runOpen(params)),
      execute: async (params) => this.results.execute(await runOpen(params)),
      close: async () => {
        if (closed) return;
        closed = true;
        await release?.();
      },
    };
  }

  /** A lock's release: runs once, and not at all once the connection is gone (the lock went with it). */
  protected releaseOnce(release: () => Promise<void>): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (this.closed || this.lost) return;
      await release();
    };
  }

  /** Waits for the client's `end` at most 2 s (a dead peer must not keep close() waiting); false when it did not end. */
  protected async endedWithin2s(ended: Promise<unknown>): Promise<boolean> {
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2000).unref());
    return (await Promise.race([ended.then(() => 'ended' as const), timeout])) === 'ended';
  }
}

/** The events of a server client that tell the connection is gone (pg's Client and mysql2's Connection have them). */
interface ConnectionEvents {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}
