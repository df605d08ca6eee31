/**
 * Where the command that occupies the worker has got to: which migration of how many, statements sent so far, when
 * it started. Kept by the playground store (store/runs.ts), fed by the worker's run events (protocol.ts `RunEvent`); shown by
 * components/Progress.tsx once a command has run long enough to be worth a look.
 */
import type { Direction, MigrationResult } from '../core/results.ts';
import { megabytes } from './format.ts';
import type { RunEvent } from './worker/protocol.ts';

export interface RunProgress {
  /** The command's label ("Apply all"). */
  label: string;
  /** `performance.now()` when it started. */
  startedAt: number;
  /** Migrations the command will go through; null until the worker says (and for Verify, which does not). */
  steps: number | null;
  /**
   * The migrations finished (applied, reverted, skipped or failed), their results as they came: a Stop ends the
   * worker before it answers, and the Timeline still lists these.
   */
  finished: MigrationResult[];
  /** The migration running now. */
  current: { id: string; direction: Direction } | null;
  /** Statements sent to the database so far. */
  statements: number;
  /** A SQL dump's load: its statements in all (absent for the other commands). */
  of?: number;
  /** A SQLite file's read: its bytes read so far, of `total` (absent for the other commands). */
  bytes?: { read: number; total: number };
}

export function startProgress(label: string, startedAt: number): RunProgress {
  return { label, startedAt, steps: null, finished: [], current: null, statements: 0 };
}

/** `progress` after the worker's `event`. */
export function progressAfter(progress: RunProgress, event: RunEvent): RunProgress {
  switch (event.type) {
    case 'plan':
      return { ...progress, steps: event.steps };
    case 'start':
      return { ...progress, current: { id: event.id, direction: event.direction } };
    case 'done':
      return { ...progress, finished: [...progress.finished, event.result], current: null };
    case 'progress':
      return {
        ...progress,
        statements: event.statements,
        ...(event.of !== undefined ? { of: event.of } : {}),
        ...(event.bytes !== undefined ? { bytes: event.bytes } : {}),
      };
    case 'output':
    case 'checkpoint':
      return progress;
  }
}

/** "Applying 0003_seed.lua — 3 of 12", or what is known of it. */
export function progressLine(progress: RunProgress): string {
  const { current, steps } = progress;
  const done = progress.finished.length;
  if (!current && progress.bytes) {
    const { read, total } = progress.bytes;
    return read < total
      ? `${progress.label} — read ${percent(read, total)} (${megabytes(read)} of ${megabytes(total)})`
      : `${progress.label} — read ${megabytes(total)}, opening it in SQLite`;
  }
  if (!current && progress.of)
    return `${progress.label} — statement ${progress.statements.toLocaleString('en-US')} of ${progress.of.toLocaleString('en-US')}`;
  if (!current) return `${progress.label}…`;
  const verb = current.direction === 'up' ? 'Applying' : 'Reverting';
  const of = steps !== null && steps > 0 ? ` — ${done + 1} of ${Math.max(steps, done + 1)}` : '';
  return `${verb} ${current.id}.lua${of}`;
}

/** `read` of `total` as a whole percentage, never 100% before the end. */
export function percent(read: number, total: number): string {
  return `${total > 0 ? Math.min(Math.floor((read / total) * 100), read < total ? 99 : 100) : 100}%`;
}
