/**
 * `--lock table` (DESIGN §4): the run lock as a lease row in `_migrations_lock`, for connection poolers in
 * transaction mode (PgBouncer), where a session-level advisory lock is taken on one server connection and left there
 * for whichever client gets it next. Node only.
 *
 * Every statement here is one autocommit statement: one short server transaction, never one held open. Waiting is
 * polling (no server transaction while waiting). The lease is kept in the server's clock (no client clock skew):
 * 30 s, renewed by `renew()` whenever 10 s have passed, which the runner calls between migrations, on the same
 * connection, outside any transaction (docs/decisions.md says why not from a timer or a second connection).
 *
 * A migration that runs longer than the lease is not left open to a second runner: before a waiter takes an expired
 * lease it looks in pg_stat_activity for the owner's connection (its application_name is the owner token) inside a
 * transaction; while there is one, the owner is alive and the lease stands. A runner killed with SIGKILL loses its
 * server transaction with its client connection (the pooler rolls it back), so the next one gets in once the lease
 * runs out. Last line of defence, whatever happens: the ledger row is written in the migration's own transaction,
 * and its primary key never lets one migration be recorded twice.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SqlValue } from '../../core/driver.ts';
import { LOCK_TABLE } from '../../core/ledger.ts';
import { lockTimeoutError } from '../server-url.ts';

/** DESIGN §4: a lease of 30 s (at most 60), renewed every 10 s. */
export const LEASE_MS = 30_000;
export const RENEW_EVERY_MS = 10_000;
const POLL_FIRST_MS = 100;
const POLL_MOST_MS = 1_000;

/** One autocommit statement on the runner's own connection; answers the rows. */
export type RunStatement = (sql: string, params: SqlValue[]) => Promise<SqlValue[][]>;

const CREATE =
  `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, ` +
  'acquired_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL)';

/** Takes the row when it is free, expired or already ours; answers a row only when it did. */
const TAKE =
  `INSERT INTO ${LOCK_TABLE} AS l (id, owner, acquired_at, expires_at) ` +
  "VALUES (1, $1, clock_timestamp(), clock_timestamp() + $2 * interval '1 millisecond') " +
  'ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, ' +
  'expires_at = excluded.expires_at WHERE l.owner = excluded.owner OR (l.expires_at < clock_timestamp() AND NOT EXISTS (' +
  'SELECT 1 FROM pg_stat_activity a WHERE a.application_name = l.owner AND a.xact_start IS NOT NULL AND a.pid <> pg_backend_pid())) ' +
  'RETURNING owner';

const HOLDER =
  `SELECT owner, acquired_at::timestamp(0)::text, ceil(extract(epoch FROM expires_at - clock_timestamp()))::int ` +
  `FROM ${LOCK_TABLE} WHERE id = 1`;

const RENEW =
  `UPDATE ${LOCK_TABLE} SET expires_at = clock_timestamp() + $2 * interval '1 millisecond' ` +
  'WHERE id = 1 AND owner = $1 RETURNING 1';

const RELEASE = `DELETE FROM ${LOCK_TABLE} WHERE id = 1 AND owner = $1`;

/**
 * The owner token: who holds the lease, readable by a person, unique per run. It is also the connection's
 * application_name while the lock is held (at most 63 bytes), which is how a waiter sees the owner alive.
 */
export function leaseOwner(): string {
  return `moonwalk ${os.hostname().slice(0, 30)} ${process.pid} ${randomBytes(4).toString('hex')}`.slice(0, 63);
}

export interface LeaseOptions {
  /**
   * false: a run that is rolled back (a dry run) makes no lock table; where there is none, no runner has taken a
   * lease there, and the run goes on without one (its one transaction changes nothing that stays).
   */
  makeLockTable: boolean;
}

/** The lock table, when it is there (in the search_path, where CREATE makes it). */
const EXISTS = `SELECT 1 WHERE to_regclass('${LOCK_TABLE}') IS NOT NULL`;

export class LeaseLock {
  private renewedAt = 0;
  private held = false;

  constructor(
    private readonly run: RunStatement,
    private readonly target: string,
    readonly owner: string,
    private readonly options: LeaseOptions = { makeLockTable: true },
  ) {}

  async acquire(timeoutMs: number): Promise<void> {
    const started = Date.now();
    if (!this.options.makeLockTable) {
      if ((await this.run(EXISTS, [])).length === 0) return;
    } else await this.ensureTable();
    let pause = POLL_FIRST_MS;
    for (;;) {
      const rows = await this.run(TAKE, [this.owner, LEASE_MS]);
      if (rows.length > 0) {
        this.held = true;
        this.renewedAt = Date.now();
        return;
      }
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) throw lockTimeoutError(this.target, started, await this.holder());
      await new Promise((r) => setTimeout(r, Math.min(pause, left)));
      pause = Math.min(POLL_MOST_MS, pause * 2);
    }
  }

  /**
   * Extends the lease when 10 s have passed since it was last extended. Throws when the lease is no longer ours (it
   * ran out while this runner was stopped somewhere, and another runner took it): the run must not go on.
   */
  async renew(): Promise<void> {
    if (!this.held || Date.now() - this.renewedAt < RENEW_EVERY_MS) return;
    const rows = await this.run(RENEW, [this.owner, LEASE_MS]);
    if (rows.length === 0) {
      this.held = false;
      throw new Error(
        `lost the run lock on ${this.target}: its lease ran out and another runner took it; ` +
          'nothing more is run (the migrations applied so far are recorded)',
      );
    }
    this.renewedAt = Date.now();
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.run(RELEASE, [this.owner]);
  }

  /** For the lock-timeout message: who holds the lease and for how much longer. */
  private async holder(): Promise<string> {
    try {
      const [row] = await this.run(HOLDER, []);
      if (!row) return '';
      const [owner, since, left] = row;
      const expiry =
        Number(left) > 0 ? `its lease runs out in ${left} s` : 'its lease ran out, but its migration is still running';
      return `held by "${owner}" since ${since}; ${expiry}`;
    } catch {
      return '';
    }
  }

  /** Two runners creating the table at the same moment: one of them sees a duplicate; the table is there then. */
  private async ensureTable(): Promise<void> {
    try {
      await this.run(CREATE, []);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '23505' && code !== '42P07') throw error;
    }
  }
}
