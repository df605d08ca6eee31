/** The advisory lock every moonwalk run takes on PostgreSQL, and who holds it. Node only. */
import { createHash } from 'node:crypto';

/**
 * The advisory-lock key: the first 8 bytes of sha256("moonwalk") as a signed 64-bit integer. PostgreSQL scopes
 * advisory locks to the current database, so runs against different databases do not block each other.
 */
export const POSTGRES_LOCK_KEY: bigint = createHash('sha256').update('moonwalk').digest().readBigInt64BE(0);

/** The query that finds the session holding the lock: `$1` and `$2` are `LOCK_HOLDER_PARAMS`. */
export const LOCK_HOLDER_SQL =
  'SELECT a.pid, a.application_name, a.usename, host(a.client_addr), a.backend_start::timestamp(0)::text ' +
  'FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid ' +
  "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::text = $1 AND l.objid::text = $2 AND l.objsubid = 1 " +
  'AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1';

/** pg_locks shows a bigint advisory key as two 32-bit halves (classid, objid). */
export const LOCK_HOLDER_PARAMS: readonly string[] = (() => {
  const unsigned = BigInt.asUintN(64, POSTGRES_LOCK_KEY);
  return [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()];
})();

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
