/** A migration's phases and its ledger row, run inside the transaction its caller opened (runOne, runBatch). */
import type { Driver } from '../driver.ts';
import type { CompiledMigration, Phase } from '../lua/host.ts';
import type { MigrationFile } from '../migration-files.ts';
import type { Direction, RunError } from '../results.ts';
import type { Transaction } from '../transaction.ts';
import type { RunContext } from './run-context.ts';
import { control, fromLuaFailure, RunFailure } from './run-failure.ts';

/** Runs a migration's phases and ledger change inside the open transaction; throws RunFailure on any failure. */
export async function applyMigration(
  ctx: RunContext,
  file: MigrationFile,
  compiled: CompiledMigration,
  direction: Direction,
  tx: Transaction,
): Promise<void> {
  if (direction === 'up') {
    await runPhase(ctx, file, compiled, 'up', tx);
    await control(file.id, 'ledger', () => ctx.ledger.record(file.id, compiled.description, file.checksum));
    if (compiled.blocks[ctx.engine]?.after) await runPhase(ctx, file, compiled, 'after', tx);
  } else {
    await runPhase(ctx, file, compiled, 'down', tx);
    await control(file.id, 'ledger', () => ctx.ledger.remove(file.id));
  }
}

/** Runs one phase and applies the three failure rules of DESIGN §2. */
export async function runPhase(
  ctx: RunContext,
  file: MigrationFile,
  compiled: CompiledMigration,
  phase: Phase,
  tx: Transaction,
): Promise<void> {
  const outcome = await ctx.host.runPhase(compiled, phase, tx);
  const output = ctx.host.takeOutput();
  if (output.length > 0) ctx.emit({ type: 'output', id: file.id, lines: output });
  const prefix = phase === 'after' ? 'after hook failed: ' : '';
  let error: RunError | null = null;
  const statementFailure = tx.failure;
  if (!outcome.ok) {
    error = fromLuaFailure(file.id, phase, outcome.failure);
    // error(err) with the db's error value: the statement and its line are known.
    if (statementFailure && !error.sql && !outcome.failure.limit) error.sql = statementFailure.sql;
  } else if (outcome.returned) {
    error = {
      code: 'lua_error',
      migration: file.id,
      phase,
      file: file.file,
      message: `${phase} returned an error: ${outcome.returned.message}`,
      sql: outcome.returned.sql ?? statementFailure?.sql,
      // where the failed statement ran, else where the code returned the error
      line: statementFailure?.line ?? outcome.returned.line,
    };
  } else if (statementFailure) {
    error = {
      code: 'unhandled_statement',
      migration: file.id,
      phase,
      file: file.file,
      line: statementFailure.line,
      sql: statementFailure.sql,
      message:
        `a statement failed and the code went on without handling it: ${statementFailure.message}. ` +
        'Check the second return value (local r, err = db:execute(...); if err then error(err) end) ' +
        'or roll back to a savepoint',
    };
  }
  if (error) {
    error.message = prefix + error.message;
    throw new RunFailure(error);
  }
}

/** After a failure: nothing to roll back, or the connection is gone. */
export async function rollbackQuietly(driver: Driver): Promise<void> {
  try {
    await driver.rollback();
  } catch {
    // Nothing to roll back, or the connection is gone: the engine discards the transaction either way.
  }
}
