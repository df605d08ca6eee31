/**
 * The command's words for the ways out that the core leaves to its edges: the core's errors carry a code and say what
 * happened; where the remedy is a flag of this command, it is named here (the page has its own words).
 */
import type { Engine } from '../core/driver.ts';
import { describeRunError, type RunError } from '../core/results.ts';
import type { VerifyEntry } from '../core/verify.ts';

/** `error` as the command shows it: the remedy appended (or the refusal worded) by its code. */
export function forCommand(error: RunError, engine: Engine): RunError {
  const refusedFlag =
    error.code === 'dry_run_refused'
      ? '--dry-run'
      : error.code === 'single_transaction_refused'
        ? '--single-transaction'
        : null;
  if (refusedFlag) {
    return {
      ...error,
      message: `${refusedFlag} is refused on ${engine}: it commits DDL implicitly, so nothing could be rolled back`,
    };
  }
  const remedy = REMEDIES[error.code];
  return remedy ? { ...error, message: error.message + remedy } : error;
}

const REMEDIES: Partial<Record<RunError['code'], string>> = {
  modified: '. Restore the applied version and put the change in a new migration, or pass --allow-drift to accept it',
  missing: '. Restore the file, or pass --allow-drift to go on without it',
  instruction_limit: '; raise the limit with --max-instructions if the work is really that large',
  time_limit: '; raise the limit with --max-lua-seconds if the work is really that long',
};

/** How a runner's error reads inside a verify entry, in the command's words. */
export function commandDescriber(engine: Engine): (error: RunError) => string {
  return (error) => describeRunError(forCommand(error, engine));
}

/** A verify entry as the command shows it. */
export function verifyEntryForCommand(entry: VerifyEntry, engine: Engine): VerifyEntry {
  const shown = { ...entry };
  if (entry.code === 'applied_after' && entry.error !== undefined) shown.error = `${entry.error} (leave out --db)`;
  if (entry.failure) shown.failure = forCommand(entry.failure, engine);
  return shown;
}
