/**
 * Where the command that occupies the worker has got to: which migration of how many, statements sent so far, when
 * it started. Fed by the worker's run events (protocol.ts `RunEvent`) through the playground store; shown by
 * components/Progress.tsx once a command has run long enough to be worth a look.
 */
import { create } from 'zustand';
import type { Direction, MigrationResult } from '../core/results.ts';
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
}

export const useRunProgress = create<{ progress: RunProgress | null }>()(() => ({ progress: null }));

export function beginProgress(label: string): void {
  useRunProgress.setState({
    progress: { label, startedAt: performance.now(), steps: null, finished: [], current: null, statements: 0 },
  });
}

export function endProgress(): void {
  useRunProgress.setState({ progress: null });
}

export function noteRunEvent(event: RunEvent): void {
  const progress = useRunProgress.getState().progress;
  if (!progress) return;
  switch (event.type) {
    case 'plan':
      useRunProgress.setState({ progress: { ...progress, steps: event.steps } });
      break;
    case 'start':
      useRunProgress.setState({ progress: { ...progress, current: { id: event.id, direction: event.direction } } });
      break;
    case 'done':
      useRunProgress.setState({
        progress: { ...progress, finished: [...progress.finished, event.result], current: null },
      });
      break;
    case 'progress':
      useRunProgress.setState({ progress: { ...progress, statements: event.statements } });
      break;
    case 'output':
      break;
  }
}

/** "Applying 0003_seed.lua — 3 of 12", or what is known of it. */
export function progressLine(progress: RunProgress): string {
  const { current, steps } = progress;
  const done = progress.finished.length;
  if (!current) return `${progress.label}…`;
  const verb = current.direction === 'up' ? 'Applying' : 'Reverting';
  const of = steps !== null && steps > 0 ? ` — ${done + 1} of ${Math.max(steps, done + 1)}` : '';
  return `${verb} ${current.id}.lua${of}`;
}
