/**
 * The engine: opening it (at the start, on a switch, after a Stop), what the worker says of engines loading, ready
 * or failing, and the ledger and schema asked for after edits.
 */
import { StoppedError, type EngineClientListener } from '../worker/client.ts';
import { ENGINE_LABELS, type EngineId } from '../worker/protocol.ts';
import { keptSlot, type Ctx, type DatabaseKeeper } from './context.ts';
import { withLog, withProblem } from './log.ts';
import { restoreAfterStop, runEvent, sources, stopWorker, withDb } from './runs.ts';
import { CLEARED_RUN_VIEW } from './state.ts';

/** What the engine client tells the store. */
export function engineListener(ctx: Ctx): EngineClientListener {
  return {
    engine(engine, state, details) {
      ctx.update((s) => {
        // Compare engines shows PostgreSQL loading for its own throwaway database.
        const compare =
          engine === 'postgres' && s.compare.phase === 'running'
            ? { compare: { ...s.compare, loadingPostgres: state === 'loading' } }
            : {};
        if (state === 'failed') {
          const message = `${ENGINE_LABELS[engine]} could not be loaded: ${details.message ?? 'unknown error'}`;
          return {
            ...compare,
            ...(engine === s.engine
              ? { engineState: 'failed', engineMessage: details.message ?? null, ...withProblem(s, message) }
              : withLog(s, { kind: 'error', text: message })),
          };
        }
        if (state === 'loading' && engine === 'postgres')
          return {
            ...compare,
            ...withLog(s, {
              kind: 'info',
              text: 'Loading PostgreSQL (PGlite, about 5 MB to download the first time)…',
            }),
          };
        return compare;
      });
    },
    event(requestId, event) {
      runEvent(ctx, requestId, event);
    },
    crashed(message) {
      ctx.update((s) => ({
        engineState: 'failed',
        engineMessage: message,
        busy: null,
        runId: null,
        progress: null,
        ...withLog(s, { kind: 'error', text: `The engine worker failed: ${message}` }),
        alert: { message: `The engine worker failed: ${message}. Press Stop to start a fresh one.` },
      }));
    },
  };
}

/** Makes the state's engine the worker's current one (loading it if needed). */
export async function openEngine(ctx: Ctx, reason: 'start' | 'switch' | 'restart'): Promise<void> {
  const engine = ctx.get().engine;
  const ticket = ctx.get().engineTicket + 1;
  ctx.update(() => ({ engineState: 'loading', engineMessage: null, engineTicket: ticket }));
  const current = () => ctx.get().engineTicket === ticket;
  try {
    const result = await ctx.client().request({ type: 'open', engine });
    if (!current()) return;
    const sincePageStart = Math.round(performance.now());
    const load = result.loadMs !== null ? ` (engine loaded in ${result.loadMs} ms)` : '';
    ctx.update((s) => ({
      engineState: 'ready',
      ...withLog(s, {
        kind: 'ok',
        text:
          reason === 'start'
            ? `${ENGINE_LABELS[engine]} ready ${sincePageStart} ms after the page started loading${load}`
            : `${ENGINE_LABELS[engine]} ready${load}`,
      }),
    }));
    void refreshStatus(ctx);
  } catch (error) {
    if (error instanceof StoppedError || !current()) return;
    const message = error instanceof Error ? error.message : String(error);
    ctx.update(() => ({ engineState: 'failed', engineMessage: message, alert: { message } }));
  }
}

export function switchEngine(ctx: Ctx, engine: EngineId): Promise<void> {
  if (engine === ctx.get().engine) return Promise.resolve();
  ctx.update(() => ({ ...CLEARED_RUN_VIEW, engine }));
  return openEngine(ctx, 'switch');
}

/**
 * Stop: ends whatever runs, with a fresh worker, opens the engine again and puts the database back as it was after
 * the last migration that committed. Does nothing while nothing runs (unless the worker has failed: then it starts a
 * fresh one).
 */
export async function stop(ctx: Ctx, keeper?: DatabaseKeeper): Promise<void> {
  const stoppable = () => ctx.get().busy !== null || ctx.get().engineState === 'failed';
  if (!stoppable()) return;
  // Without the command's checkpoint (it had not come yet), the database kept when the last command ended.
  const kept = ctx.get().checkpoint === null && keeper ? await keeper.kept(keptSlot(ctx.get())) : null;
  if (!stoppable()) return;
  const restoration = stopWorker(ctx, kept);
  await openEngine(ctx, 'restart');
  if (ctx.get().engineState === 'ready') await restoreAfterStop(ctx, restoration);
}

/** Asks for the ledger and the schema of the current database. */
export async function refreshStatus(ctx: Ctx): Promise<void> {
  if (ctx.get().engineState !== 'ready') return;
  try {
    const result = await ctx.client().request({ type: 'status', files: sources(ctx.get()) });
    ctx.update((s) => withDb(s, result.db));
  } catch {
    /* stopped or failed: the next command shows it */
  }
}

/** Asks for the ledger again soon (after edits: an applied file may now be modified). */
export function refreshStatusSoon(ctx: Ctx): void {
  ctx.debounce('status', 400, () => void refreshStatus(ctx));
}
