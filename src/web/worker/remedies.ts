/**
 * The page's words for the ways out that the core leaves to its edges: the core's errors carry a code and say what
 * happened; the playground's remedies are its buttons, not the command's flags.
 */
import { describeRunError, type RunError } from '../../core/results.ts';

const REMEDIES: Partial<Record<RunError['code'], string>> = {
  modified:
    '. Revert it (Revert last and Redo use the version that was applied), or undo the edit and put the change in a new migration.',
  missing: '. Revert it first (the version that was applied is used), or add the file again.',
  instruction_limit:
    '; the playground cannot raise this limit: look for a loop that never ends, or do less work per migration',
  time_limit:
    '; the playground cannot raise this limit: look for a loop that never ends, or do less work per migration',
};

/** `error` as the page shows it: the remedy appended by its code. */
export function forPage(error: RunError): RunError;
export function forPage(error: RunError | null): RunError | null;
export function forPage(error: RunError | null): RunError | null {
  const remedy = error && REMEDIES[error.code];
  return remedy ? { ...error, message: error.message + remedy } : error;
}

/** How a runner's error reads inside a verify entry on the page. */
export function describeForPage(error: RunError): string {
  return describeRunError(forPage(error));
}
