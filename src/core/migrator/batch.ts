/**
 * Every pending migration in one transaction (`--single-transaction`), or all rolled back at the end (a dry run): the
 * ledger made inside it, the session put back between migrations, one commit or rollback for all of them.
 */
import type { MigrationFile } from '../migration-files.ts';
import type { MigrationResult, PlannedStatement } from '../results.ts';
import { captureSession, type SessionState } from '../session.ts';
import { Transaction } from '../transaction.ts';
import { applyMigration, rollbackQuietly } from './apply.ts';
import { skipReason, upResult } from './outcomes.ts';
import type { RunContext } from './run-context.ts';
import { control, RunFailure } from './run-failure.ts';
import { setTimeouts } from './timeouts.ts';

/**
 * Pending migrations in one transaction (`--single-transaction`), or rolled back at the end (`--dry-run`). The
 * `done` events come once the outcome is known: a migration reported applied must not be rolled back afterwards.
 */
export async function runBatch(
  ctx: RunContext,
  pending: MigrationFile[],
  results: MigrationResult[],
  statements: PlannedStatement[] | undefined,
  beforeRollback?: () => unknown,
): Promise<void> {
  const dryRun = statements !== undefined;
  refuseOutsideTransactions(ctx, pending, dryRun);
  await control(null, 'begin', () => ctx.driver.begin());
  // The session as the transaction started it (a pooler's search_path is set per transaction).
  let session: SessionState | null = null;
  let current: MigrationFile | null = null;
  let started = performance.now();
  try {
    session = await captureSession(ctx.driver);
    await control(null, 'ledger', () => ctx.ledger.ensure());
    for (const file of pending) {
      current = file;
      started = performance.now();
      const compiled = ctx.compile(file);
      if (!compiled.blocks[ctx.engine]) {
        results.push({
          id: file.id,
          direction: 'up',
          status: 'skipped',
          reason: skipReason(compiled, ctx.engine),
          duration_ms: 0,
        });
        continue;
      }
      ctx.emit({ type: 'start', id: file.id, direction: 'up' });
      const tx = new Transaction(ctx.driver, { record: dryRun, observe: ctx.observe });
      const options = compiled.blocks[ctx.engine]!.options;
      await setTimeouts(ctx.driver, file.id, options);
      await applyMigration(ctx, file, compiled, 'up', tx);
      await setTimeouts(ctx.driver, file.id, options, 'DEFAULT'); // the next migration of the batch starts without them
      ctx.sessions.note(tx);
      await ctx.sessions.restore(file.id, session);
      statements?.push(...tx.statements.map((s) => ({ migration: file.id, sql: s.sql, params: s.params })));
      results.push(upResult(file.id, dryRun ? 'rolled_back' : 'applied', started));
    }
    current = null;
    if (dryRun && beforeRollback) await control(null, 'internal', beforeRollback);
    if (dryRun) await control(null, 'commit', () => ctx.driver.rollback());
    else await control(null, 'commit', () => ctx.driver.commit());
  } catch (error) {
    await rollbackQuietly(ctx.driver);
    for (const result of results) if (result.status === 'applied') result.status = 'rolled_back';
    if (current) {
      results.push(upResult(current.id, 'failed', started));
    }
    throw error;
  } finally {
    for (const result of results) ctx.emit({ type: 'done', result });
  }
}

/**
 * A batch is one transaction: a migration that must run outside one (`options{ transaction = false }`) cannot be
 * part of it. Refused before anything runs (DESIGN §5).
 */
function refuseOutsideTransactions(ctx: RunContext, pending: MigrationFile[], dryRun: boolean): void {
  for (const file of pending) {
    if (ctx.compile(file).blocks[ctx.engine]?.options?.transaction !== false) continue;
    throw new RunFailure({
      code: 'needs_own_transaction',
      migration: file.id,
      phase: 'check',
      file: file.file,
      message:
        `${file.id} must run outside a transaction (its database("${ctx.engine}") block sets ` +
        `options{ transaction = false }), so it cannot be part of ${dryRun ? 'a dry run, which rolls everything back' : 'one transaction with the other migrations'}. ` +
        'Nothing was run: apply the migrations before it, then it on its own',
    });
  }
}
