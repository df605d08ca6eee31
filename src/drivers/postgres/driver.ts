/**
 * The PostgreSQL server driver: one dedicated `pg` client, so transactions, savepoints, prepared statements and the
 * advisory lock all live in one session. Node only.
 */
import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Driver, ExecResult, LockInfo, PreparedStatement, QueryResult, SqlValue } from '../../core/driver.ts';
import { ServerDriverBase } from '../base.ts';
import { lockTimeoutError } from '../server-url.ts';
import { describeLockHolder, lockHolderParams, LOCK_HOLDER_SQL, POSTGRES_LOCK_KEY } from './lock.ts';
import { LeaseLock, leaseOwner, type LeaseOptions } from './lease-lock.ts';
import { CloseStatement, ParseStatement } from './protocol.ts';
import { toPg } from './values.ts';

const ROW_COUNT_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

function toQueryResult(results: pg.QueryArrayResult[]): QueryResult {
  const withRows = [...results].reverse().find((r) => r.fields && r.fields.length > 0) ?? results[results.length - 1];
  if (!withRows) return { columns: [], rows: [] };
  return { columns: (withRows.fields ?? []).map((f) => f.name), rows: withRows.rows as SqlValue[][] };
}

function toExecResult(results: pg.QueryArrayResult[]): ExecResult {
  let n = 0;
  for (const r of results) if (ROW_COUNT_COMMANDS.has(r.command) && typeof r.rowCount === 'number') n += r.rowCount;
  return { rowsAffected: n, lastInsertId: null };
}

const POSTGRES_RESULTS = { query: toQueryResult, execute: toExecResult };

export class PostgresDriver extends ServerDriverBase<pg.QueryArrayResult[]> implements Driver {
  readonly engine = 'postgres' as const;
  readonly transactionalDdl = true;
  protected readonly closedCode = '08003';
  protected readonly results = POSTGRES_RESULTS;
  private statementCounter = 0;
  /** Statement names unique to this driver: through a pooler, server connections (and what is prepared on them) are shared. */
  private readonly statementPrefix = `moonwalk_${randomBytes(4).toString('hex')}_`;
  private inTransaction = false;
  /** Prepared statements not closed yet: closed before the transaction ends when a pooler shares the connection. */
  private readonly openStatements = new Set<() => Promise<void>>();
  private lease: LeaseLock | null = null;

  /**
   * `schemaPerTransaction`: the quoted schema when the connection goes through a pooler (lock strategy `table`). A
   * session-level search_path would stay on a server connection that other clients get next, and be missing from
   * the one this client gets: it is set with set_config(…, true) at the start of every transaction instead, and
   * each statement outside a transaction gets a short transaction of its own for it.
   */
  constructor(
    private readonly client: pg.Client,
    readonly target: string,
    readonly lockInfo: LockInfo = { strategy: 'advisory', reason: 'a direct connection to the server' },
    private readonly schemaPerTransaction: string | null = null,
    /** The advisory lock's key: one per target (./lock.ts). */
    private readonly advisoryKey: bigint = POSTGRES_LOCK_KEY,
    private readonly leaseOptions: LeaseOptions = { makeLockTable: true },
  ) {
    super();
    client.removeAllListeners('error');
    this.watchConnection(client);
  }

  /** Turns what `pg` throws into what the core expects: server errors as they are, a lost connection said plainly. */
  private fail(err: unknown): never {
    const e = err as Error & { code?: unknown; severity?: unknown };
    if (this.closed) throw this.closedError(err);
    const isServerError = e instanceof Error && typeof e.code === 'string' && typeof e.severity === 'string';
    const fatal = isServerError && (e.severity === 'FATAL' || e.severity === 'PANIC');
    if (isServerError && !fatal) throw e;
    const connectionTrouble =
      fatal ||
      this.lost !== null ||
      /Connection terminated|not queryable|ECONNRESET|EPIPE|ETIMEDOUT|socket/i.test(String(e?.message ?? e));
    if (!connectionTrouble) throw err; // something else (a client-side error): as it is
    const reason = this.lost && this.lost !== e ? this.lost : e instanceof Error ? e : new Error(String(err));
    throw this.lostError(isServerError ? (e.code as string) : '08006', err, reason);
  }

  /** A statement; outside a transaction with a per-transaction schema, wrapped in a transaction that sets it. */
  protected async run(text: string, values?: SqlValue[], name?: string): Promise<pg.QueryArrayResult[]> {
    if (this.schemaPerTransaction === null || this.inTransaction) return this.send(text, values, name);
    await this.send('BEGIN');
    try {
      await this.send("SELECT set_config('search_path', $1, true)", [this.schemaPerTransaction]);
      const result = await this.send(text, values, name);
      await this.send('COMMIT');
      return result;
    } catch (err) {
      if (!this.lost && !this.closed) await this.send('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  private async send(text: string, values?: SqlValue[], name?: string): Promise<pg.QueryArrayResult[]> {
    if (this.closed) throw this.closedError();
    try {
      const config: pg.QueryArrayConfig = { text, rowMode: 'array', name };
      if (values) config.values = values.map(toPg);
      const res = (await this.client.query(config)) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
      return Array.isArray(res) ? res : [res];
    } catch (err) {
      this.fail(err);
    }
  }

  async prepare(sql: string): Promise<PreparedStatement> {
    if (this.closed) throw this.closedError();
    const name = `${this.statementPrefix}${++this.statementCounter}`;
    const parse = new ParseStatement(name, sql);
    this.client.query(parse);
    try {
      await parse.done;
    } catch (err) {
      this.fail(err);
    }
    const statement = this.statement(
      (params) => this.run(sql, params, name),
      async () => {
        this.openStatements.delete(close);
        if (this.closed || this.lost) return;
        const message = new CloseStatement(name);
        this.client.query(message);
        await message.done.catch(() => {});
      },
    );
    const close = async (): Promise<void> => statement.close();
    this.openStatements.add(close);
    return statement;
  }

  override async begin(): Promise<void> {
    await this.send('BEGIN');
    this.inTransaction = true;
    if (this.schemaPerTransaction !== null)
      await this.send("SELECT set_config('search_path', $1, true)", [this.schemaPerTransaction]);
  }

  override async commit(): Promise<void> {
    await this.endTransaction('COMMIT');
  }

  override async rollback(): Promise<void> {
    await this.endTransaction('ROLLBACK');
  }

  private async endTransaction(sql: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      // Through a pooler, the server connection goes to another client after this: nothing prepared stays behind.
      if (this.schemaPerTransaction !== null || this.lease) for (const close of [...this.openStatements]) await close();
      await this.send(sql);
    } finally {
      this.inTransaction = false;
    }
  }

  async renewLock(): Promise<void> {
    await this.lease?.renew();
  }

  async lock(timeoutMs: number): Promise<() => Promise<void>> {
    if (this.lockInfo.strategy === 'table') return this.leaseLock(timeoutMs);
    const key = this.advisoryKey.toString();
    const started = Date.now();
    let acquired = false;
    if (timeoutMs > 0) {
      // Wait in the server (woken the moment the holder lets go), bounded by lock_timeout for this one statement.
      const [prev] = await this.run("SELECT current_setting('lock_timeout')");
      const previous = String(prev?.rows[0]?.[0] ?? '0');
      await this.run("SELECT set_config('lock_timeout', $1, false)", [`${Math.ceil(timeoutMs)}ms`]);
      try {
        await this.run('SELECT pg_advisory_lock($1::bigint)', [key]);
        acquired = true;
      } catch (err) {
        if ((err as { code?: unknown }).code !== '55P03') throw err;
      } finally {
        if (!this.lost && !this.closed) {
          await this.run("SELECT set_config('lock_timeout', $1, false)", [previous]).catch(() => {});
        }
      }
    } else {
      const [res] = await this.run('SELECT pg_try_advisory_lock($1::bigint)', [key]);
      acquired = res?.rows[0]?.[0] === true;
    }
    if (!acquired) {
      const holder = await this.run(LOCK_HOLDER_SQL, lockHolderParams(this.advisoryKey)).then(
        ([res]) => describeLockHolder(res?.rows[0]),
        () => '',
      );
      throw lockTimeoutError(this.target, started, holder);
    }
    return this.releaseOnce(async () => {
      await this.run('SELECT pg_advisory_unlock($1::bigint)', [key]);
    });
  }

  /** `--lock table`: a lease row (./lease-lock.ts); the owner token is also this connection's application_name. */
  private async leaseLock(timeoutMs: number): Promise<() => Promise<void>> {
    const owner = leaseOwner();
    await this.run("SELECT set_config('application_name', $1, false)", [owner]);
    const lease = new LeaseLock(
      async (sql, params) => (await this.run(sql, params))[0]?.rows ?? [],
      this.target,
      owner,
      this.leaseOptions,
    );
    await lease.acquire(timeoutMs);
    this.lease = lease;
    return async () => {
      if (this.lease !== lease) return;
      this.lease = null;
      if (this.closed || this.lost) return; // the lease runs out by itself
      await lease.release();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.endedWithin2s(this.client.end().catch(() => {}));
  }
}
