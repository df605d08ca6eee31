/** The advisory lock every moonwalk run takes on PostgreSQL, and who holds it. Node only. */
import { createHash } from 'node:crypto';

/**
 * The advisory-lock key: the first 8 bytes of sha256("moonwalk") as a signed 64-bit integer. PostgreSQL scopes
 * advisory locks to the current database, so runs against different databases do not block each other.
 */
export const POSTGRES_LOCK_KEY: bigint = createHash('sha256').update('moonwalk').digest().readBigInt64BE(0);

/** The query that finds the session holding the lock: `$1` and `$2` are `lockHolderParams(key)`. */
export const LOCK_HOLDER_SQL =
  'SELECT a.pid, a.application_name, a.usename, host(a.client_addr), a.backend_start::timestamp(0)::text ' +
  'FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid ' +
  "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::text = $1 AND l.objid::text = $2 AND l.objsubid = 1 " +
  'AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1';

/**
 * The key of one target (DESIGN §4: the run lock is per target): the database's own key, or for a tenant schema
 * (`?schema=NAME`) the first 8 bytes of sha256("moonwalk:NAME"), so that schemas of one database do not wait on
 * each other.
 */
export function advisoryLockKey(schema: string | undefined): bigint {
  if (schema === undefined) return POSTGRES_LOCK_KEY;
  return createHash('sha256').update(`moonwalk:${schema}`).digest().readBigInt64BE(0);
}

/** LOCK_HOLDER_SQL's parameters: pg_locks shows a bigint advisory key as two 32-bit halves (classid, objid). */
export function lockHolderParams(key: bigint): string[] {
  const unsigned = BigInt.asUintN(64, key);
  return [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()];
}

/** A row of LOCK_HOLDER_SQL, for the lock-timeout message. */
export function describeLockHolder(row: readonly unknown[] | undefined): string {
  if (!row) return '';
  const [pid, app, user, addr, since] = row as (string | number | null)[];
  const parts = [`server process ${pid}`];
  if (app) parts.push(`application "${app}"`);
  if (user) parts.push(`user "${user}"`);
  if (addr) parts.push(`from ${addr}`);
  if (since) parts.push(`connected since ${since}`);
  return 'held by ' + parts.join(', ');
}
