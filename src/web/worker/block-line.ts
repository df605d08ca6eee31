/**
 * Where a migration's `database("engine", …)` block starts. The runner's "cannot be reverted: no down" error has no
 * line (a compiled migration does not know where its blocks are); the page adds this one so that its "Go to line"
 * leads to the block lint's missing-down warning is on.
 */
import type { MigrationFile } from '../../core/migration-files.ts';
import type { RunError } from '../../core/results.ts';

/** The 1-based line of `database("engine"` (or `database 'engine'`) in `source`; undefined when it is not found. */
export function blockLine(source: string, engine: string): number | undefined {
  const call = new RegExp(`\\bdatabase\\s*\\(?\\s*(["'])${engine}\\1`);
  // A comment mentioning the block is not the block (a `--` inside a string before the call is too rare to matter).
  const index = source.split('\n').findIndex((line) => call.test(line.split('--')[0]));
  return index < 0 ? undefined : index + 1;
}

/** `error` with the line of its migration's block for `engine`, when it is a missing `down` and has no line. */
export function withBlockLine(error: RunError, files: MigrationFile[], engine: string): RunError;
export function withBlockLine(error: RunError | null, files: MigrationFile[], engine: string): RunError | null;
export function withBlockLine(error: RunError | null, files: MigrationFile[], engine: string): RunError | null {
  if (!error || error.code !== 'not_revertible' || error.phase !== 'down' || error.line !== undefined) return error;
  const file = files.find((f) => f.id === error.migration);
  const line = file && blockLine(file.source, engine);
  return line === undefined ? error : { ...error, file: error.file ?? file!.file, line };
}
