/**
 * A failed migration that left something committed (MySQL's implicit commits, a block run outside a transaction):
 * its ledger row taken out again where it may have committed, and the error saying what stays and what to do.
 */
import { LEDGER_TABLE } from '../ledger.ts';
import type { Direction, RunError } from '../results.ts';
import type { Transaction } from '../transaction.ts';
import type { RunContext } from './run-context.ts';

/**
 * After a failed migration on an engine that commits DDL implicitly (MySQL, DESIGN §2) or one that ran outside a
 * transaction: the ledger row may have committed before the failure (in `after`), so it is deleted again; and the
 * error names what stays committed and what to do about it.
 */
export async function reportPartial(
  ctx: RunContext,
  id: string,
  direction: Direction,
  tx: Transaction,
  runError: RunError,
  outside: boolean,
): Promise<void> {
  let unrecorded: string | null = null;
  // The row is written after `up`: only a failure in `after` (or at the commit) can find it committed.
  if (direction === 'up' && (runError.phase === 'after' || runError.phase === 'commit')) {
    try {
      await ctx.ledger.remove(id); // autocommit is on again after the rollback; a no-op when the row is not there
    } catch (error) {
      unrecorded = error instanceof Error ? error.message : String(error);
    }
  }
  const committed = tx.implicitlyCommitted;
  if (committed.length > 0) {
    runError.committed = [...committed];
    const list = committed
      .map((sql) => {
        const line = sql.trim().replace(/\s+/g, ' ');
        return line.length > 200 ? `${line.slice(0, 199)}…` : line;
      })
      .join('; ');
    const why = outside
      ? 'it runs outside a transaction (options{ transaction = false }): each statement commits on its own'
      : `${ctx.engine} commits DDL implicitly, together with everything before it in the transaction`;
    runError.message +=
      direction === 'up'
        ? ` — partially applied: these statements committed before the failure and were not rolled back (${why}): ` +
          `${list}. ${id} is not recorded as applied (status shows it pending): undo them by hand, or make the ` +
          'migration idempotent (CREATE TABLE IF NOT EXISTS, DROP ... IF EXISTS), before running it again'
        : ` — partially reverted: these statements committed before the failure and were not rolled back (${why}): ` +
          `${list}. ${id} is still recorded as applied: restore what they removed by hand, or make the down ` +
          'idempotent (DROP ... IF EXISTS), before running down again';
  }
  if (unrecorded !== null) {
    runError.message +=
      `. Its ledger row may have committed too and could not be deleted (${unrecorded}): if ` +
      `status shows ${id} applied, delete it by hand (DELETE FROM ${LEDGER_TABLE} WHERE id = '${id}')`;
  }
}
