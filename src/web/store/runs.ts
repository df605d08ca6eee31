/**
 * Runs: the commands that occupy the engine worker (Apply…, Revert…, Redo, Reset database, Verify, the SQL console)
 * and Stop, and what their answers change: the ledger, the schema, the Diff, the Timeline, the log.
 */
import type { Direction, MigrationResult } from '../../core/results.ts';
import { plural } from '../../core/plural.ts';
import { clockOf } from '../format.ts';
import { progressAfter, startProgress } from '../run-progress.ts';
import { recordReset, recordRun, recordSql, recordStop } from '../timeline.ts';
import { StoppedError } from '../worker/client.ts';
import {
  COMMAND_LABELS,
  ENGINE_LABELS,
  type Baselines,
  type Checkpoint,
  type DbView,
  type KeptDatabase,
  type ResultOf,
  type RunCommand,
  type RunEvent,
  type SourceFile,
  type WorkerRequestBody,
} from '../worker/protocol.ts';
import type { Change, Ctx } from './context.ts';
import { linkOf, withError, withLog, withProblem, type NewLogEntry } from './log.ts';
import { CLEARED_RUN_VIEW, idle, RESULT_WORDS, type PlaygroundState } from './state.ts';

const NOT_BUSY = { busy: null, runId: null, progress: null, checkpoint: null } satisfies Change;

const clock = () => clockOf(new Date());

export function sources(state: Pick<PlaygroundState, 'files'>): SourceFile[] {
  return state.files.map((f) => ({ name: f.name, text: f.text }));
}

/**
 * Runs a request that occupies the worker, `label` showing as busy: one update as it starts (with `starting`), one
 * as it ends (with `finish`'s changes). Answers the result, or null when it did not complete (the worker was busy
 * or not ready, the command was stopped or failed: the log says).
 */
export async function occupy<B extends WorkerRequestBody>(
  ctx: Ctx,
  label: string,
  body: B,
  finish: (state: PlaygroundState, result: ResultOf<B['type']>) => Change,
  starting: Change = {},
): Promise<ResultOf<B['type']> | null> {
  if (!idle(ctx.get())) return null;
  let id = -1;
  const ours = (state: PlaygroundState) => state.runId === id;
  try {
    const result = await ctx.client().request(body, (requestId) => {
      id = requestId;
      ctx.update(() => ({ ...starting, busy: label, runId: id, progress: startProgress(label, performance.now()) }));
    });
    ctx.update((state) => ({ ...finish(state, result), ...(ours(state) ? NOT_BUSY : {}) }));
    return result;
  } catch (error) {
    if (!(error instanceof StoppedError)) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.update((state) => ({
        ...withProblem(state, `${label} failed: ${message}`),
        ...(ours(state) ? NOT_BUSY : {}),
      }));
    }
    return null;
  }
}

/** The worker's event for request `requestId`: progress, and the log's lines for output and finished migrations. */
export function runEvent(ctx: Ctx, requestId: number, event: RunEvent): void {
  ctx.update((state) => {
    if (requestId !== state.runId || !state.progress) return {};
    if (event.type === 'checkpoint') return { checkpoint: event.checkpoint };
    const progress = progressAfter(state.progress, event);
    if (event.type === 'output')
      return {
        progress,
        ...withLog(state, ...event.lines.map((line) => ({ kind: 'output' as const, text: `${event.id}: ${line}` }))),
      };
    if (event.type === 'done') return { progress, ...withLog(state, resultEntry(event.result)) };
    return { progress };
  });
}

function resultEntry(result: MigrationResult): NewLogEntry {
  const kind = result.status === 'failed' ? 'error' : result.status === 'skipped' ? 'warn' : 'ok';
  return {
    kind,
    text: `${result.id} ${RESULT_WORDS[result.status]} (${result.direction})${result.reason ? `: ${result.reason}` : ''}`,
    durationMs: result.duration_ms,
  };
}

/** The database's ledger and schema, when `db` is of the engine shown. */
export function withDb(state: PlaygroundState, db: DbView): Change {
  if (db.engine !== state.engine) return {};
  const changed = state.sqlResult !== null && JSON.stringify(db.schema) !== JSON.stringify(state.schema);
  return {
    ...(changed ? { sqlStale: true } : {}),
    status: db.status,
    schema: db.schema,
    schemaError: db.schemaError,
    ...(db.statusError
      ? withLog(state, { kind: 'error', text: `Reading the ledger failed: ${db.statusError.message}` })
      : {}),
  };
}

/** Changes applied one after the other, each seeing the state the previous ones made. */
export function chain(state: PlaygroundState, ...steps: ((state: PlaygroundState) => Change)[]): Change {
  let next = state;
  let changes: Change = {};
  for (const step of steps) {
    const change = step(next);
    next = { ...next, ...change };
    changes = { ...changes, ...change };
  }
  return changes;
}

export async function runCommand(ctx: Ctx, command: RunCommand): Promise<void> {
  const label = COMMAND_LABELS[command];
  await occupy(
    ctx,
    label,
    { type: 'run', command, files: sources(ctx.get()) },
    (state, result) => {
      const { run } = result;
      const outcomes = { ...state.outcomes };
      for (const r of run.results) {
        if (r.status === 'failed' || r.status === 'skipped') outcomes[r.id] = r.status;
        else delete outcomes[r.id];
      }
      const counts = new Map<MigrationResult['status'], number>();
      for (const r of run.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      const summary = [...counts].map(([status, n]) => `${n} ${RESULT_WORDS[status]}`).join(', ');
      const nothing = command.startsWith('apply')
        ? 'nothing to apply: every migration is applied'
        : 'nothing to revert';
      return chain(
        state,
        () => ({
          outcomes,
          diff: result.diff ? { title: `${label} on ${ENGINE_LABELS[result.db.engine]}`, lines: result.diff } : null,
          timeline: recordRun(state.timeline, {
            engine: result.db.engine,
            command,
            label,
            time: clock(),
            run,
            diff: result.diff,
            durationMs: result.durationMs,
            trace: result.trace,
          }),
        }),
        (s) => withDb(s, result.db),
        (s) => (run.error ? withError(s, run.error, label) : {}),
        (s) =>
          withLog(s, {
            kind: run.ok ? 'info' : 'error',
            text: `${label}: ${summary || (run.ok ? nothing : 'stopped')}`,
            durationMs: result.durationMs,
          }),
      );
    },
    { markers: {}, alert: null },
  );
}

/** Throws the database away and starts an empty one; `what` (files just loaded) words the Timeline and the log. */
export async function resetDatabase(ctx: Ctx, loaded?: { what: string; log: string }): Promise<boolean> {
  const result = await occupy(ctx, 'Reset database', { type: 'reset', files: sources(ctx.get()) }, (state, result) =>
    chain(
      state,
      () => ({
        ...(loaded ? {} : { outcomes: {}, diff: null, markers: {}, alert: null }),
        timeline: loaded
          ? recordReset(
              state.timeline,
              result.db.engine,
              clock(),
              'Loaded files',
              `Loaded ${loaded.what}: an empty database.`,
            )
          : recordReset(state.timeline, result.db.engine, clock(), 'Reset database', 'A new, empty database.'),
      }),
      (s) => withDb(s, result.db),
      (s) =>
        withLog(s, {
          kind: 'info',
          text:
            loaded?.log ??
            `Database reset: a new, empty ${ENGINE_LABELS[result.db.engine]} database; every migration is pending.`,
        }),
    ),
  );
  return result !== null;
}

export async function verify(ctx: Ctx): Promise<void> {
  const engine = ENGINE_LABELS[ctx.get().engine];
  await occupy(
    ctx,
    'Verify',
    { type: 'verify', files: sources(ctx.get()) },
    (state, { report }) => {
      const entries: NewLogEntry[] = report.migrations.map((m) => {
        const kind = m.outcome === 'reversible' ? 'ok' : m.outcome === 'skipped' ? 'warn' : 'error';
        const words =
          m.outcome === 'reversible'
            ? `reversible${m.reapplied ? ', applies again after down' : ''}`
            : m.outcome === 'skipped'
              ? `skipped (${m.message ?? ''})`
              : // DESIGN §7: each migration's line says "reversible" or "not reversible".
                `${m.outcome === 'irreversible' ? 'not reversible' : m.outcome}: ${m.message ?? ''}`;
        const link = m.error ? linkOf(m.error) : undefined;
        const detail = m.differences.map((d) => `${'  '.repeat(d.depth)}${d.sign} ${d.text}`).join('\n');
        return { kind, text: `Verify ${m.id}: ${words}`, ...(detail ? { detail } : {}), ...(link ? { link } : {}) };
      });
      const bad = report.migrations.filter((m) => m.outcome === 'irreversible' || m.outcome === 'failed');
      const first = bad[0] ?? report.migrations.find((m) => m.reapplied === false);
      const link = first?.error ? linkOf(first.error) : undefined;
      return chain(
        state,
        (s) => ({ verify: report, ...withLog(s, ...entries) }),
        (s) => (report.error ? withError(s, report.error, 'Verify') : {}),
        (s) =>
          withLog(s, {
            kind: report.ok ? 'ok' : 'error',
            text: `Verify: ${report.ok ? 'every migration is reversible' : plural(bad.length, 'problem')}`,
            durationMs: report.durationMs,
          }),
        () =>
          !report.ok && !report.error
            ? {
                alert: {
                  message: `Verify found a problem: ${first ? `${first.id} ${first.outcome === 'reversible' ? 'does not apply again after down' : `is ${first.outcome}`}${first.message ? ` — ${first.message}` : ''}` : 'see the log'}`,
                  ...(link ? { link } : {}),
                },
              }
            : {},
      );
    },
    {
      alert: null,
      ...withLog(ctx.get(), {
        kind: 'info',
        text: `Verify on a throwaway ${engine} database: up, down, compare, up again for each migration…`,
      }),
    },
  );
}

export async function runSql(ctx: Ctx, sql: string): Promise<void> {
  if (!sql.trim()) return;
  const oneLine = sql.trim().replace(/\s+/g, ' ');
  await occupy(ctx, 'Run SQL', { type: 'sql', sql, files: sources(ctx.get()) }, (state, result) => {
    const changed = result.diff !== null && result.diff.length > 0;
    return chain(
      state,
      () => ({
        sqlResult: result.result,
        ...(changed
          ? {
              diff: { title: `SQL console on ${ENGINE_LABELS[result.db.engine]}`, lines: result.diff! },
              timeline: recordSql(state.timeline, result.db.engine, clock(), oneLine, result.diff!, result.durationMs),
            }
          : {}),
      }),
      (s) => ({ ...withDb(s, result.db), sqlStale: false }),
      (s) =>
        withLog(s, {
          kind: result.result.ok ? 'info' : 'error',
          text: `SQL ${oneLine.length > 60 ? oneLine.slice(0, 59) + '…' : oneLine}: ${result.result.message}`,
          durationMs: result.durationMs,
        }),
    );
  });
}

/**
 * Ends the worker, whatever it runs, and starts a fresh one with empty databases; answers what to put back: the
 * database as the stopped command found it (its checkpoint; else `kept`, the database kept when the last command
 * ended), each engine's baseline, and how many migrations the command had finished since (to run again). The caller
 * opens the engine and restores it (store/engine.ts `stop`).
 */
export function stopWorker(ctx: Ctx, kept: KeptDatabase | null = null): Restoration {
  const state = ctx.get();
  const checkpoint = state.checkpoint?.engine === state.engine ? state.checkpoint : null;
  const finished = state.progress?.finished ?? [];
  const found = checkpoint ?? (kept?.engine === state.engine ? kept : null);
  // Only the run commands' finished migrations are in the database (Verify's ran on a throwaway one).
  const command = checkpoint ? checkpoint.command : RUN_LABELS.has(state.busy ?? '') ? state.busy : null;
  const restoration: Restoration = {
    checkpoint,
    kept: checkpoint ? null : found === kept ? kept : null,
    baselines: state.baselines,
    replay: command ? replayOf(finished) : null,
  };
  const baseline = state.baselines[state.engine] !== undefined;
  ctx.client().restart();
  ctx.update((s) => ({
    ...CLEARED_RUN_VIEW,
    ...NOT_BUSY,
    timeline: recordStop(s.timeline, clock(), s.engine, s.busy, finished, found !== null, s.baselines),
    ...withLog(s, {
      kind: 'warn',
      text: found
        ? 'Stopped: the engine worker was ended and a fresh one started. Putting the database back as it was after the last migration that committed…'
        : baseline
          ? 'Stopped: the engine worker was ended and a fresh one started. The database is back at its starting database (the one you opened or loaded).'
          : 'Stopped: the engine worker was ended and a fresh one started. The database was reset — every migration is pending again.',
    }),
  }));
  return restoration;
}

const RUN_LABELS = new Set<string>(Object.values(COMMAND_LABELS));

export interface Restoration {
  checkpoint: Checkpoint | null;
  kept: KeptDatabase | null;
  baselines: Baselines;
  replay: { direction: Direction; steps: number } | null;
}

/** The migrations a stopped command had committed, to run again after its checkpoint. */
function replayOf(finished: MigrationResult[]): Restoration['replay'] {
  const applied = finished.filter((r) => r.status === 'applied').length;
  const reverted = finished.filter((r) => r.status === 'reverted').length;
  // Redo reverts one and applies it again: stopped in its `up`, only the revert had committed.
  if (reverted > 0 && applied === 0) return { direction: 'down', steps: reverted };
  if (applied > 0 && reverted === 0) return { direction: 'up', steps: applied };
  return null;
}

/** After a Stop: the database put back (store/engine.ts `stop` calls it once the fresh engine is open). */
export async function restoreAfterStop(ctx: Ctx, restoration: Restoration): Promise<void> {
  await occupy(
    ctx,
    'Restore database',
    { type: 'restore', ...restoration, files: sources(ctx.get()) },
    (state, result) =>
      chain(
        state,
        (s) => withDb(s, result.db),
        (s) => {
          if (result.lost.length === 0) return {};
          const baselines = { ...s.baselines };
          for (const { engine } of result.lost) delete baselines[engine];
          const lines = result.lost.map(({ message }) => ({
            kind: 'warn' as const,
            text: `${message} Until then, Reset database starts from an empty database.`,
          }));
          return { baselines, ...withLog(s, ...lines) };
        },
        (s) => {
          const applied = result.db.status.filter((e) => e.status !== 'pending' && e.status !== 'missing');
          const failed = result.replayed && !result.replayed.ok ? result.replayed.error : null;
          return withLog(s, {
            kind: failed ? 'error' : 'info',
            text:
              `The database is back as it was after the last migration that committed: ${
                applied.length === 0
                  ? 'no migration is applied'
                  : `${applied.map((e) => e.id).join(', ')} ${applied.length === 1 ? 'stays' : 'stay'} applied`
              }.` + (failed ? ` Running the finished migrations again failed: ${failed.message}` : ''),
          });
        },
      ),
  );
}
