/** The named lock every moonwalk run takes on MySQL / MariaDB. Node only. */
import { createHash } from 'node:crypto';

/**
 * `moonwalk:<database>` (hashed when longer than MySQL's 64 characters). GET_LOCK names are server-wide, so the
 * database is part of the name: runs against different databases on one server do not block each other (as with
 * PostgreSQL's per-database advisory locks).
 */
export function mysqlLockName(database: string | undefined): string {
  const name = `moonwalk:${database ?? ''}`;
  return name.length <= 64 ? name : 'moonwalk:' + createHash('sha256').update(name).digest('hex').slice(0, 40);
}
