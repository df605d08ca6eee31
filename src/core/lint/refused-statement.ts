/**
 * refused-statement: SQL the runner's statement guards will refuse when the migration runs (transaction.ts), found
 * before any run by calling the same guards on the text a `db:execute`/`query`/`prepare` call passes: writes to
 * Moonwalk's own tables or releases of the run lock (own-tables.ts), and what destroys or gets around the ledger or
 * the lock indirectly (ledger-bypass.ts). Lint cannot know where the ledger lives (its schema or database, the
 * connection's roles are read from the database at run time), so ledgerBypass gets no home: only what it refuses
 * wherever the ledger is, is reported; a DROP SCHEMA or DROP DATABASE of the ledger's home is left to the runner.
 */
import { ENGINES, type Engine } from '../driver.ts';
import { ledgerBypass } from '../sql/ledger-bypass.ts';
import { ownTableWrite } from '../sql/own-tables.ts';
import type { FileFindings } from './file-findings.ts';

/** Reports the guard's refusal of `sql` (one call's text) at the Lua line of its call, if it has one. */
export function checkRefusedStatement(findings: FileFindings, sql: string, engine: string | null, line: number): void {
  if (!isEngine(engine)) return;
  const refusal = ownTableWrite(sql, engine) ?? ledgerBypass(sql, engine, null);
  if (refusal === null) return;
  findings.report(
    'refused-statement',
    'error',
    line,
    `the runner refuses this statement, so the migration will fail: ${refusal}. ` +
      'Fix: remove the statement, or do what the message says instead.',
  );
}

function isEngine(engine: string | null): engine is Engine {
  return (ENGINES as readonly (string | null)[]).includes(engine);
}
