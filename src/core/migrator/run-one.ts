/**
 * One migration in its own transaction (or none, for a block with options{ transaction = false }): its timeouts, its
 * phases and ledger row, the commit, and another attempt after a serialization failure or a deadlock when asked.
 */
import { isRetryableConflict } from '../errors.ts';
import type { MigrationFile } from '../migration-files.ts';
import { durationMs, type Direction, type MigrationResult } from '../results.ts';
import { Transaction } from '../transaction.ts';
import { applyMigration, rollbackQuietly } from './apply.ts';
import { skipReason } from './outcomes.ts';
import { reportPartial } from './partial-failure.ts';
import type { RunContext } from './run-context.ts';
import { control, RunFailure, RunFailureWithResult, toRunError } from './run-failure.ts';
import { resetTimeouts, setTimeouts } from './timeouts.ts';

/** One migration in its own transaction. A failure is thrown, carrying its result recorded as failed. */
export async function runOne(ctx: RunContext, file: MigrationFile, direction: Direction): Promise<MigrationResult> {
  const started = performance.now();
  const elapsed = () => durationMs(performance.now() - started);
  const compiled = ctx.compile(file);
  if (!compiled.blocks[ctx.engine]) {
    const result: MigrationResult = {
      id: file.id,
      direction,
      status: 'skipped',
      duration_ms: elapsed(),
      reason: skipReason(compiled, ctx.engine),
    };
    ctx.emit({ type: 'done', result });
    return result;
  }
  ctx.emit({ type: 'start', id: file.id, direction });
  const options = compiled.blocks[ctx.engine]!.options;
  const outside = options?.transaction === false;
  const retries = outside ? 0 : (ctx.retries ?? 0);
  const counted = (ctx.retries ?? 0) > 0 ? (attempts: number) => ({ attempts }) : () => ({});
  for (let attempt = 1; ; attempt++) {
    const tx = new Transaction(ctx.driver, { autocommit: outside, observe: ctx.observe });
    try {
      if (!outside) await control(file.id, 'begin', () => ctx.driver.begin());
      await setTimeouts(ctx.driver, file.id, options);
      await applyMigration(ctx, file, compiled, direction, tx);
      if (!outside) await control(file.id, 'commit', () => ctx.driver.commit());
    } catch (error) {
      if (!outside) await rollbackQuietly(ctx.driver);
      // Again from the start of its transaction, when the engine gave up on it because of another transaction
      // and nothing of it committed on its own (a migration outside a transaction is never run twice).
      if (attempt <= retries && tx.implicitlyCommitted.length === 0 && isConflict(error, tx)) {
        await new Promise((resolve) => setTimeout(resolve, retryPause(attempt)));
        continue;
      }
      const result: MigrationResult = {
        id: file.id,
        direction,
        status: 'failed',
        duration_ms: elapsed(),
        ...counted(attempt),
      };
      ctx.emit({ type: 'done', result });
      const runError = toRunError(error, direction);
      if (!ctx.driver.transactionalDdl || outside) await reportPartial(ctx, file.id, direction, tx, runError, outside);
      throw new RunFailureWithResult(runError, result);
    } finally {
      ctx.sessions.note(tx);
      if (outside) await resetTimeouts(ctx.driver, options);
    }
    const result: MigrationResult = {
      id: file.id,
      direction,
      status: direction === 'up' ? 'applied' : 'reverted',
      duration_ms: elapsed(),
      ...counted(attempt),
    };
    ctx.emit({ type: 'done', result });
    return result;
  }
}

/** A serialization failure or deadlock: of a statement the migration ran (the one that doomed it), or of COMMIT. */
function isConflict(error: unknown, tx: Transaction): boolean {
  return (
    isRetryableConflict(tx.failure?.code) || (error instanceof RunFailure && isRetryableConflict(error.engineCode))
  );
}

/** The pause before attempt `attempt + 1`: 50 ms doubling, at most 2 s, with jitter so that rivals do not meet again. */
function retryPause(attempt: number): number {
  return Math.min(2000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random());
}
