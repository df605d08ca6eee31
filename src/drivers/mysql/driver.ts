/**
 * The MySQL / MariaDB driver: one `mysql2` connection, statements through the text protocol with client-side
 * parameters (`./placeholders.ts`). `prepare` asks the server to check the statement (COM_STMT_PREPARE, then closes
 * it) so a bad statement fails at prepare time, as on the other engines. Node only.
 */
import type mysql from 'mysql2/promise';
import type { Driver, ExecResult, PreparedStatement, QueryResult, SqlValue } from '../../core/driver.ts';
import { DriverBase, type TransactionStatements } from '../base.ts';
import { ConnectionError } from '../connection-error.ts';
import { lockTimeoutError } from '../server-url.ts';
import { mysqlLockName } from './lock.ts';
import { substituteParams } from './placeholders.ts';
import { splitResults, toExecResult, toQueryResult, type OneResult, type RawResult } from './results.ts';

/**
 * DDL commits implicitly on MySQL, and with autocommit on every statement after it would then commit on its own.
 * So a migration runs with autocommit off: after an implicit commit the next statement opens a new transaction,
 * which a rollback still undoes (the ledger row among them). COMMIT / ROLLBACK turn autocommit back on, so that
 * reads outside migrations (the ledger, status) see fresh data and leave no transaction open.
 */
const MYSQL_TRANSACTION: TransactionStatements = {
  begin: 'SET autocommit = 0; START TRANSACTION',
  commit: 'COMMIT; SET autocommit = 1',
  rollback: 'ROLLBACK; SET autocommit = 1',
};

export class MysqlDriver extends DriverBase<Promise<void>> implements Driver {
  readonly engine = 'mysql' as const;
  readonly transactionalDdl = false;
  readonly target: string;
  protected override readonly transactionStatements = MYSQL_TRANSACTION;
  /** The GET_LOCK name of this connection's database. */
  readonly lockName: string;
  private lost: Error | null = null;
  private closed = false;

  constructor(
    private readonly conn: mysql.Connection,
    settings: { target: string; database: string | undefined },
  ) {
    super();
    this.target = settings.target;
    this.lockName = mysqlLockName(settings.database);
    conn.on('error', (err: Error) => {
      this.lost ??= err;
    });
    conn.on('end', () => {
      if (!this.closed) this.lost ??= new Error('the server closed the connection');
    });
  }

  private closedError(cause?: unknown): ConnectionError {
    return new ConnectionError(`the connection to ${this.target} is closed`, 'ECONNCLOSED', cause);
  }

  private fail(err: unknown): never {
    const e = err as Error & {
      code?: unknown;
      errno?: unknown;
      sqlState?: unknown;
      sqlMessage?: unknown;
      fatal?: unknown;
    };
    if (this.closed) throw this.closedError(err);
    const code = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
    const serverError = e instanceof Error && typeof e.sqlMessage === 'string' && !e.fatal;
    if (!serverError) {
      // fatal: the connection is gone (killed, server down, network) or unusable
      this.lost ??= e instanceof Error ? e : new Error(String(err));
      throw new ConnectionError(`lost the connection to ${this.target}: ${this.lost.message}`, code, err);
    }
    // The server's own message (mysql2 puts it in both `message` and `sqlMessage`), with its code.
    const out = new Error(typeof e.sqlMessage === 'string' ? e.sqlMessage : e.message) as Error & {
      code: string;
      errno?: number;
      sqlState?: string;
    };
    out.code = code;
    if (typeof e.errno === 'number') out.errno = e.errno;
    if (typeof e.sqlState === 'string') out.sqlState = e.sqlState;
    throw out;
  }

  private async run(sql: string, params: SqlValue[]): Promise<OneResult[]> {
    if (this.closed) throw this.closedError();
    if (this.lost)
      throw new ConnectionError(
        `lost the connection to ${this.target}: ${this.lost.message}`,
        'PROTOCOL_CONNECTION_LOST',
      );
    const text = substituteParams(sql, params);
    try {
      const [result, fields] = await this.conn.query({ sql: text, rowsAsArray: true });
      return splitResults(result as RawResult, fields);
    } catch (err) {
      this.fail(err);
    }
  }

  async query(sql: string, params: SqlValue[]): Promise<QueryResult> {
    return toQueryResult(await this.run(sql, params));
  }

  async execute(sql: string, params: SqlValue[]): Promise<ExecResult> {
    return toExecResult(await this.run(sql, params));
  }

  async prepare(sql: string): Promise<PreparedStatement> {
    if (this.closed) throw this.closedError();
    // Let the server check the statement now, then let it go: execution uses the text protocol like everything else.
    try {
      const stmt = await this.conn.prepare(sql);
      await stmt.close();
    } catch (err) {
      // 1295 ER_UNSUPPORTED_PS: a statement the prepared-statement protocol cannot carry; it is checked when it runs.
      if ((err as { errno?: unknown }).errno !== 1295) this.fail(err);
    }
    let closed = false;
    const check = (): void => {
      if (closed) throw new Error('the prepared statement is closed');
    };
    return {
      query: async (params) => {
        check();
        return this.query(sql, params);
      },
      execute: async (params) => {
        check();
        return this.execute(sql, params);
      },
      close: () => {
        closed = true;
      },
    };
  }

  async exec(sql: string): Promise<void> {
    await this.run(sql, []);
  }

  async lock(timeoutMs: number): Promise<() => Promise<void>> {
    const name = this.lockName;
    const started = Date.now();
    const seconds = Math.max(0, timeoutMs) / 1000;
    const [res] = await this.run('SELECT GET_LOCK(?, ?)', [name, seconds]);
    const got = res?.rows?.[0]?.[0];
    if (got !== 1) {
      let holder = '';
      try {
        const [who] = await this.run('SELECT IS_USED_LOCK(?)', [name]);
        const id = who?.rows?.[0]?.[0];
        if (id !== null && id !== undefined) holder = `held by connection ${id}`;
      } catch {
        // best effort
      }
      if (got === 0) throw lockTimeoutError(this.target, started, holder);
      throw Object.assign(
        new Error(`could not take the lock on ${this.target}: GET_LOCK returned NULL${holder ? ` (${holder})` : ''}`),
        { code: 'LOCK_TIMEOUT' },
      );
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (this.closed || this.lost) return; // the lock went with the connection
      await this.run('SELECT RELEASE_LOCK(?)', [name]);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.lost) {
      this.conn.destroy();
      return;
    }
    const ended = this.conn.end().catch(() => this.conn.destroy());
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000).unref());
    if ((await Promise.race([ended, timeout])) === 'timeout') this.conn.destroy();
  }
}
