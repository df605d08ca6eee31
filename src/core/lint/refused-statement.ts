/**
 * refused-statement: SQL the runner will refuse when the migration runs, found before any run by calling the runner's
 * own statement guard (sql/statement-refusal.ts: Moonwalk's own tables and run lock, the ledger's indirect bypasses,
 * other files) on the text a `db:execute`/`query`/`prepare` call passes. Lint cannot know where the ledger lives (its
 * schema or database, the connection's roles are read from the database at run time), so the guard gets no home: only
 * what it refuses wherever the ledger is, is reported; a DROP SCHEMA or DROP DATABASE of the ledger's home is left to
 * the runner.
 */
import { ENGINES, type Engine } from '../driver.ts';
import { statementRefusal } from '../sql/statement-refusal.ts';
import type { FileFindings } from './file-findings.ts';

/**
 * Reports the guard's refusal of `sql` (one call's text) at the Lua line of its call, if it has one. A block whose
 * engine is computed (`database(engine, …)` in a loop; `engine` null) is read with every engine's guard: reported when
 * all three refuse it, so it fails wherever it runs.
 */
export function checkRefusedStatement(findings: FileFindings, sql: string, engine: string | null, line: number): void {
  const refusal =
    engine === null ? refusedEverywhere(sql) : isEngine(engine) ? statementRefusal(sql, engine, null) : null;
  if (refusal === null) return;
  findings.report(
    'refused-statement',
    'error',
    line,
    `the runner refuses this statement, so the migration will fail: ${refusal}. ` +
      'Fix: remove the statement, or do what the message says instead.',
  );
}

/** The first engine's refusal of `sql` when every engine refuses it; null otherwise. */
function refusedEverywhere(sql: string): string | null {
  const refusals = ENGINES.map((engine) => statementRefusal(sql, engine, null));
  return refusals.every((refusal) => refusal !== null) ? refusals[0] : null;
}

function isEngine(engine: string): engine is Engine {
  return (ENGINES as readonly string[]).includes(engine);
}
