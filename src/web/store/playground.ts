/**
 * One playground: its state (a zustand store of plain data) and its actions, bound to an engine client that is
 * created on first use. The page makes one (src/web/store.ts) with the engine worker; the unit tests make theirs in
 * Node with an in-process engine (sql.js, PGlite) behind the same client.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { EngineClient, type Connect, type EngineRequests } from '../worker/client.ts';
import { closeCompare, compareEngines } from './compare.ts';
import type { Change, Ctx, Surroundings } from './context.ts';
import type { ResultOf, WorkerRequestBody } from '../worker/protocol.ts';
import { engineListener, openEngine, refreshStatus, stop, switchEngine } from './engine.ts';
import { occupy, resetDatabase, runCommand, runSql, verify } from './runs.ts';
import { addressChanged, followAddress, greetLink, openLink, share } from './share.ts';
import { initialState, type PlaygroundState, type Start } from './state.ts';
import * as workspace from './workspace.ts';
import {
  clearWorkspace,
  keepNow,
  loadLinkBaseline,
  loadSqlDump,
  readRows,
  openDatabaseFile,
  restoreKept,
  startEmpty,
  type DatabaseKeeper,
} from './own-database.ts';
import { saveToFolder, startFromServer } from './play.ts';

export interface PlaygroundOptions {
  start: Start;
  /** What the engine client talks to: the worker in the page, an in-process engine in tests. */
  connect: Connect;
  surroundings: Surroundings;
  /** Where the database is kept between visits (the page: IndexedDB); none: it is not kept. */
  keeper?: DatabaseKeeper;
}

/** Binds `(ctx, …args)` actions to one context. */
type Bound<T> = {
  [K in keyof T]: T[K] extends (ctx: Ctx, ...args: infer A) => infer R ? (...args: A) => R : never;
};

function bind<T extends Record<string, (ctx: Ctx, ...args: never[]) => unknown>>(ctx: Ctx, actions: T): Bound<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, action] of Object.entries(actions)) bound[name] = (...args: never[]) => action(ctx, ...args);
  return bound as Bound<T>;
}

const ACTIONS = {
  selectFile: workspace.selectFile,
  updateText: workspace.updateText,
  newMigration: workspace.newMigration,
  renameFile: workspace.renameFile,
  deleteFile: workspace.deleteFile,
  showLine: workspace.showLine,
  showDiff: workspace.showDiff,
  dismissAlert: workspace.dismissAlert,
  clearLog: workspace.clearLog,
  report: workspace.report,
  note: workspace.note,
  setShortcutsOpen: workspace.setShortcutsOpen,
  doneNaming: workspace.doneNaming,
  setTheme: workspace.setTheme,
  replaceFiles: workspace.replaceFiles,
  runCommand,
  resetDatabase: (ctx: Ctx) => resetDatabase(ctx),
  verify,
  runSql,
  stop: (ctx: Ctx) => stop(ctx),
  switchEngine,
  refreshStatus,
  compareEngines,
  closeCompare,
  share,
  openLink,
  addressChanged,
  openDatabaseFile,
  loadSqlDump,
  startEmpty,
  saveToFolder,
  readRows,
  clearWorkspace: (ctx: Ctx) => clearWorkspace(ctx),
};

export type PlaygroundActions = Bound<typeof ACTIONS> & {
  /** `runs.ts` `occupy`, bound (spelled out: binding by a mapped type would lose its type parameter). */
  occupy<B extends WorkerRequestBody>(
    label: string,
    body: B,
    finish: (state: PlaygroundState, result: ResultOf<B['type']>) => Change,
    starting?: Change,
  ): Promise<ResultOf<B['type']> | null>;
};

export interface Playground {
  store: StoreApi<PlaygroundState>;
  actions: PlaygroundActions;
  /** Opens the engine (the client and its worker are created now) and says how the page was opened. */
  start(): Promise<void>;
}

export function createPlayground(options: PlaygroundOptions): Playground {
  const store = createStore<PlaygroundState>()(() => initialState(options.start));
  let client: EngineRequests | null = null;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const ctx: Ctx = {
    get: store.getState,
    update: (change) => store.setState(change),
    client: () => (client ??= new EngineClient(engineListener(ctx), options.connect)),
    debounce(key, ms, fn) {
      clearTimeout(timers.get(key));
      timers.set(
        key,
        setTimeout(() => {
          timers.delete(key);
          fn();
        }, ms),
      );
    },
    surroundings: options.surroundings,
  };
  store.subscribe((state, previous) => followAddress(ctx, state, previous));
  const keeper = options.keeper;
  // The database is kept when each command ends (DESIGN §7), not only when the page goes away.
  if (keeper) {
    store.subscribe((state, previous) => {
      if (previous.busy !== null && state.busy === null && state.engineState === 'ready') void keepNow(ctx, keeper);
    });
  }
  // A note about the starting database lasts until the next command starts (it stays in the Log).
  store.subscribe((state, previous) => {
    if (previous.busy === null && state.busy !== null && state.notice !== null) ctx.update(() => ({ notice: null }));
  });
  return {
    store,
    actions: {
      ...bind(ctx, ACTIONS),
      stop: () => stop(ctx, keeper),
      clearWorkspace: () => clearWorkspace(ctx, keeper),
      occupy: (label, body, finish, starting) => occupy(ctx, label, body, finish, starting),
    },
    async start() {
      greetLink(ctx);
      await openEngine(ctx, 'start');
      // Opened by `moonwalk play`: the starting database is the one it offers, read afresh on each visit.
      const play = ctx.surroundings.play;
      if (play) await startFromServer(ctx, play);
      // The database kept by the last visit (a share link's own, when opened with one), else the link's baseline.
      else if (keeper && (await restoreKept(ctx, keeper))) return;
      else if (options.start.baseline && ctx.get().engineState === 'ready')
        await loadLinkBaseline(ctx, options.start.baseline);
    },
  };
}
