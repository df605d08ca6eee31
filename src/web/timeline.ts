/**
 * The Timeline tab's data: this session's steps on each engine's database (what ran, when, how long, the diff it
 * made), and the ledger of the current database put in the order its migrations were applied. Plain functions over a
 * `Timeline` value: the playground store (store/) keeps it and records a step after each command, and the Timeline
 * component (components/Timeline.tsx) renders it.
 */
import type { MigrationResult, RunResult, StatusEntry } from '../core/results.ts';
import { clockOf } from './format.ts';
import type { Baselines, DiffLine, EngineId, RunCommand } from './worker/protocol.ts';
import { plural } from '../core/plural.ts';
import type { TraceMigration } from '../core/trace.ts';

/** What a step did, shown by a sign and a word (never by colour alone). */
export type StepKind = 'applied' | 'reverted' | 'redo' | 'failed' | 'reset' | 'stopped' | 'sql';

export interface TimelineStep {
  /** 1, 2, 3… across the session (both engines). */
  n: number;
  engine: EngineId;
  kind: StepKind;
  /** The control that made it: "Apply all", "Reset database", "SQL console", … */
  label: string;
  /** Wall-clock time of day, as the log shows it. */
  time: string;
  durationMs?: number;
  /** The migrations it applied or reverted, in order. */
  results: MigrationResult[];
  /** What it changed in the schema; null when unknown. The same array the Diff panel gets, so it can be shown again. */
  diff: DiffLine[] | null;
  /** One line more: the error of a failed step, why the database was emptied. */
  note?: string;
  /** On PostgreSQL: the locks and rewrites of each migration the step applied (moonwalk trace's data). */
  trace?: TraceMigration[];
  /** A Stop that put the database back (what was applied before it stays applied). */
  kept?: true;
}

export interface Timeline {
  steps: TimelineStep[];
  /** The number of the last step recorded (steps dropped for age included). */
  last: number;
}

export const EMPTY_TIMELINE: Timeline = { steps: [], last: 0 };

/** Steps kept for the session; older ones are dropped (the ledger still shows every applied migration). */
const MAX_STEPS = 300;

function add(timeline: Timeline, step: Omit<TimelineStep, 'n'>): Timeline {
  const n = timeline.last + 1;
  const steps = [...timeline.steps, { ...step, n }];
  return { steps: steps.length > MAX_STEPS ? steps.slice(steps.length - MAX_STEPS) : steps, last: n };
}

function kindOf(command: RunCommand, run: RunResult): StepKind {
  if (!run.ok) return 'failed';
  if (command === 'redo') return 'redo';
  return command.startsWith('apply') ? 'applied' : 'reverted';
}

/** After Apply/Revert/Redo. A command that did nothing (nothing pending) is not a step. */
export function recordRun(
  timeline: Timeline,
  step: {
    engine: EngineId;
    command: RunCommand;
    label: string;
    time: string;
    run: RunResult;
    diff: DiffLine[] | null;
    durationMs: number;
    trace?: TraceMigration[] | null;
  },
): Timeline {
  const { run } = step;
  if (run.ok && run.results.length === 0) return timeline;
  return add(timeline, {
    engine: step.engine,
    kind: kindOf(step.command, run),
    label: step.label,
    time: step.time,
    durationMs: step.durationMs,
    results: run.results,
    diff: step.diff,
    ...(run.error ? { note: run.error.message } : {}),
    ...(step.trace && step.trace.length > 0 ? { trace: step.trace } : {}),
  });
}

/** The database of `engine` was thrown away and started empty (Reset database, loading an example or a link). */
export function recordReset(timeline: Timeline, engine: EngineId, time: string, label: string, note: string): Timeline {
  return add(timeline, { engine, kind: 'reset', label, time, results: [], diff: null, note });
}

/**
 * Stop ended the worker, and with it every engine's database: the current engine and each one that had steps get
 * this step. `interrupted` is the label of the command that was running, if one was, and `finished` what it had
 * done before the stop (listed on the current engine's step; the empty database no longer has it).
 */
export function recordStop(
  timeline: Timeline,
  time: string,
  current: EngineId,
  interrupted: string | null,
  finished: MigrationResult[] = [],
  restored = false,
  baselines: Baselines = {},
): Timeline {
  const engines = new Set([current, ...timeline.steps.map((s) => s.engine)]);
  let next = timeline;
  for (const engine of engines) {
    const results = engine === current ? finished : [];
    const kept = restored && engine === current;
    const before =
      results.length > 0
        ? ` It had finished ${plural(results.length, 'migration')} (listed), ${kept ? 'kept' : 'gone with the database'}.`
        : '';
    const note =
      `${interrupted ? `${interrupted} was running.${before} ` : ''}` +
      (kept
        ? 'The engine was ended and started again; the database was put back as it was after the last migration that committed.'
        : baselines[engine]
          ? 'The engine was ended and started again from the starting database (the one you opened or loaded).'
          : 'The engine was ended and started again with an empty database.');
    next = add(next, {
      engine,
      kind: 'stopped',
      label: 'Stop',
      time,
      results,
      diff: null,
      note,
      ...(kept ? { kept: true } : {}),
    });
  }
  return next;
}

/** A SQL console statement that changed the schema. */
export function recordSql(
  timeline: Timeline,
  engine: EngineId,
  time: string,
  sql: string,
  diff: DiffLine[],
  durationMs: number,
): Timeline {
  return add(timeline, { engine, kind: 'sql', label: 'SQL console', time, durationMs, results: [], diff, note: sql });
}

// ---------------------------------------------------------------------------------------------------------------
// The ledger in apply order

export interface LedgerRow {
  id: string;
  description: string;
  /** applied; modified (the file changed since it was applied); missing (the file is gone). */
  state: 'applied' | 'modified' | 'missing';
  /** ISO 8601, as the ledger keeps it. */
  appliedAt?: string;
  /** How long its `up` took, when it was applied in this session. */
  durationMs?: number;
}

export interface LedgerView {
  /** Oldest first. */
  applied: LedgerRow[];
  /** Not applied yet, in the order the runner would apply them. */
  pending: StatusEntry[];
}

/**
 * The ledger rows (from the worker's status) in the order they were applied. The ledger keeps applied_at to the
 * second on SQLite, so two migrations of one Apply all tie: this session's steps give the real order (every row of
 * the playground's in-memory database was applied in this session, after its last reset), and applied_at then id
 * order the rest.
 */
export function ledgerView(status: StatusEntry[], steps: TimelineStep[], engine: EngineId): LedgerView {
  const order = new Map<string, number>();
  const durations = new Map<string, number>();
  let position = 0;
  for (const step of steps) {
    if (step.engine !== engine) continue;
    if (step.kind === 'reset' || (step.kind === 'stopped' && !step.kept)) {
      order.clear();
      durations.clear();
      continue; // what a stopped command had applied went with the database
    }
    for (const result of step.results) {
      if (result.status === 'applied') {
        order.set(result.id, position++);
        durations.set(result.id, result.duration_ms);
      } else if (result.status === 'reverted') {
        order.delete(result.id);
        durations.delete(result.id);
      }
    }
  }
  const applied: LedgerRow[] = status
    .filter((e): e is StatusEntry & { status: LedgerRow['state'] } => e.status !== 'pending')
    .map((e) => ({
      id: e.id,
      description: e.description,
      state: e.status,
      ...(e.applied_at ? { appliedAt: e.applied_at } : {}),
      ...(durations.has(e.id) ? { durationMs: durations.get(e.id)! } : {}),
    }));
  const rank = (row: LedgerRow) => order.get(row.id) ?? -1;
  const byId = (a: LedgerRow, b: LedgerRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  applied.sort((a, b) => rank(a) - rank(b) || (a.appliedAt ?? '').localeCompare(b.appliedAt ?? '') || byId(a, b));
  return { applied, pending: status.filter((e) => e.status === 'pending') };
}

/** HH:MM:SS in the person's time zone, like the log's times; the ISO text itself when it does not parse. */
export function timeOfDay(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : clockOf(new Date(ms));
}
