/**
 * Why the runner refuses a migration's statement before it reaches the engine (docs/security.md), as the error's
 * message: a write to Moonwalk's own tables or a release of the run lock (own-tables.ts), what destroys or gets around
 * the ledger or the lock indirectly (ledger-bypass.ts), or what reaches a file other than the database (file-access.ts).
 * One contract for the runner (transaction.ts) and for lint's refused-statement, which tells of it before any run.
 */
import type { Engine } from '../driver.ts';
import { fileAccess } from './file-access.ts';
import { ledgerBypass, type LedgerHome } from './ledger-bypass.ts';
import { ownTableWrite } from './own-tables.ts';

/**
 * The refusal of `sql` (one statement or a script), or null when it may run. `home` is where the ledger is (null: not
 * known, so what depends on it, a DROP SCHEMA or DROP DATABASE of the ledger's home, is not refused).
 */
export function statementRefusal(sql: string, engine: Engine, home: LedgerHome | null): string | null {
  const own = ownTableWrite(sql, engine) ?? ledgerBypass(sql, engine, home);
  if (own !== null) return own;
  const access = fileAccess(sql, engine);
  if (access === null) return null;
  return `${access} is not allowed in a migration: it reaches a file other than the database being migrated (see docs/security.md)`;
}
