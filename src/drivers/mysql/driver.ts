/**
 * The MySQL / MariaDB driver: one `mysql2` connection, statements through the text protocol with client-side
 * parameters (`./placeholders.ts`). `prepare` asks the server to check the statement (COM_STMT_PREPARE, then closes
 * it) so a bad statement fails at prepare time, as on the other engines. Node only.
 */
import type mysql from 'mysql2/promise';
import type { Driver, PreparedStatement, SqlValue } from '../../core/driver.ts';
import { ServerDriverBase, type TransactionStatements } from '../base.ts';
import { lockTimeoutError } from '../server-url.ts';
import { mysqlLockName } from './lock.ts';
import { substituteParams } from './placeholders.ts';
import { splitResults, toExecResult, toQueryResult, type OneResult, type RawResult } from './results.ts';

const MYSQL_RESULTS = { query: toQueryResult, execute: toExecResult };

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

export class MysqlDriver extends ServerDriverBase<OneResult[]> implements Driver {
  readonly engine = 'mysql' as const;
  readonly transactionalDdl = false;
  readonly target: string;
  protected override readonly transactionStatements = MYSQL_TRANSACTION;
  protected readonly closedCode = 'ECONNCLOSED';
  protected readonly results = MYSQL_RESULTS;
  /** The GET_LOCK name of this connection's database. */
  readonly lockName: string;

  constructor(
    private readonly conn: mysql.Connection,
    settings: { target: string; database: string | undefined },
  ) {
    super();
    this.target = settings.target;
    this.lockName = mysqlLockName(settings.database);
    this.watchConnection(conn);
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
      throw this.lostError(code, err);
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

  protected async run(sql: string, params: SqlValue[] = []): Promise<OneResult[]> {
    if (this.closed) throw this.closedError();
    if (this.lost) throw this.lostError('PROTOCOL_CONNECTION_LOST');
    const text = substituteParams(sql, params);
    try {
      const [result, fields] = await this.conn.query({ sql: text, rowsAsArray: true });
      return splitResults(result as RawResult, fields);
    } catch (err) {
      this.fail(err);
    }
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
    return this.statement((params) => this.run(sql, params));
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
    return this.releaseOnce(async () => {
      await this.run('SELECT RELEASE_LOCK(?)', [name]);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.lost) {
      this.conn.destroy();
      return;
    }
    if (!(await this.endedWithin2s(this.conn.end().catch(() => this.conn.destroy())))) this.conn.destroy();
  }
}
