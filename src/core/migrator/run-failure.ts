/**
 * How the runner's failures travel and what they become: a RunFailure carries a RunError out of the step that failed
 * (thrown inside the runner only), and every error a run meets turns into the RunError of its result (toRunError).
 */
import { engineErrorInfo } from '../errors.ts';
import { LedgerError } from '../ledger.ts';
import type { LuaFailure } from '../lua/failures.ts';
import { clipRunError, type Direction, type MigrationResult, type RunError, type RunPhase } from '../results.ts';

/** A failure that ends a run; carried as an exception inside the runner only. */
export class RunFailure extends Error {
  readonly error: RunError;
  constructor(
    error: RunError,
    /** The engine's error code behind it, where there was one (a failed COMMIT's SQLSTATE, …). */
    readonly engineCode?: string,
  ) {
    super(error.message);
    this.error = clipRunError(error);
  }
}

/** Carries the failed migration's result out of runOne so the run's results list it. */
export class RunFailureWithResult extends RunFailure {
  constructor(
    error: RunError,
    readonly result: MigrationResult,
  ) {
    super(error);
  }
}

/** `to` names no migration file: the run's error, before anything runs. */
export function unknownTarget(to: string, direction: Direction): RunError {
  return {
    code: 'unknown_target',
    migration: to,
    phase: 'check',
    message: `no migration file ${to}.lua to go ${direction} to`,
  };
}

export function fromLuaFailure(migration: string, phase: RunPhase, failure: LuaFailure): RunError {
  return {
    code: failure.limit ?? 'lua_error',
    migration,
    phase,
    message: failure.message,
    ...(failure.file ? { file: failure.file } : {}),
    ...(failure.line !== undefined ? { line: failure.line } : {}),
    ...(failure.sql !== undefined ? { sql: failure.sql } : {}),
  };
}

/** Runs one of the runner's own steps (begin, commit, a ledger write, …): what it throws becomes a RunFailure. */
export async function control(migration: string | null, phase: RunPhase, op: () => unknown): Promise<void> {
  try {
    await op();
  } catch (error) {
    if (error instanceof RunFailure) throw error;
    throw new RunFailure(
      {
        code: isLockTimeout(error) ? 'locked' : 'engine',
        migration,
        phase: isLockTimeout(error) ? 'lock' : phase,
        message: errorMessage(error),
      },
      engineErrorInfo(error).code,
    );
  }
}

/** Drivers' codes for "another run holds the lock" (the server drivers', the SQLite lock file's). */
const LOCK_TIMEOUT_CODES = new Set(['LOCK_TIMEOUT', 'MOONWALK_LOCK_TIMEOUT']);

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failure caught at `phase`: the runner's own as it is; a driver's is the engine's, or the lock's when held. */
export function toRunError(error: unknown, phase: RunPhase): RunError {
  if (error instanceof RunFailure) return error.error;
  if (error instanceof LedgerError)
    return { code: 'not_a_ledger', migration: null, phase: 'check', message: error.message };
  if (isLockTimeout(error)) phase = 'lock';
  const code = (error as { code?: unknown } | null)?.code;
  const locked = phase === 'lock' && typeof code === 'string' && LOCK_TIMEOUT_CODES.has(code);
  return clipRunError({
    // A driver's errors carry the engine's code; an error without one is moonwalk's own.
    code: locked ? 'locked' : typeof code === 'string' || phase !== 'internal' ? 'engine' : 'internal',
    migration: null,
    phase,
    message: errorMessage(error),
  });
}

/** Another connection kept the database locked for the whole wait (a driver's MOONWALK_LOCK_TIMEOUT). */
function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'MOONWALK_LOCK_TIMEOUT';
}
