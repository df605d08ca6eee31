/**
 * The engine worker: owns the databases, the Lua host and the runner. The page talks to it only through the plain
 * messages of `protocol.ts`; requests are handled one at a time, in order. Runaway Lua code blocks this worker, not
 * the page: the page's Stop button terminates it and starts a fresh one.
 *
 * Loaded by the worker's entry (worker-entry.ts), which has started SQLite's wasm already and calls `startWorker`.
 * SQLite opens as soon as this module has loaded; PGlite only when PostgreSQL is asked for. Download database and
 * Verify load their code on first use. Each engine keeps its own database while the worker lives, so switching back
 * and forth does not lose either.
 *
 * The worker remembers the text each migration had when it was applied, and reverts with that text: editing an
 * applied migration and pressing Redo runs the old `down` and the new `up`, as a person would expect.
 */
import type { Driver, SqlValue } from '../../core/driver.ts';
import { LuaHost } from '../../core/lua/host.ts';
import { Migrator, type MigratorEvent } from '../../core/migrator.ts';
import { migrationFiles, type MigrationFile } from '../../core/migration-files.ts';
import type { RunError, RunResult, StatusEntry } from '../../core/results.ts';
import { openEngine, useSqliteWasm } from './engines.ts';
import { diffLines, readSnapshot, schemaView, type Snapshot } from './schema.ts';
import { plannedSteps } from './run-plan.ts';
import { StatementCounter } from './statement-counter.ts';
import type {
  CommandResult,
  DbView,
  DiffLine,
  EngineId,
  RunCommand,
  SourceFile,
  SqlConsoleResult,
  WorkerReply,
  WorkerRequest,
} from './protocol.ts';
import { plural } from '../../core/plural.ts';

interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}
const scope = self as unknown as WorkerScope;

function post(message: WorkerReply): void {
  scope.postMessage(message);
}

interface Slot {
  engine: EngineId;
  driver: Driver;
  /** The text of each applied migration as it was when applied, by id. */
  applied: Map<string, SourceFile>;
}

const slots = new Map<EngineId, Promise<Slot>>();
let current: EngineId = 'sqlite';

/**
 * The Lua host, made on first use: creating it costs ~100 ms on a cold start, so SQLite's wasm is fetched and
 * compiled first (in the background) and "ready" does not wait for Lua.
 */
let luaHost: LuaHost | null = null;
function host(): LuaHost {
  luaHost ??= new LuaHost();
  return luaHost;
}

function loadSlot(engine: EngineId): Promise<Slot> {
  let slot = slots.get(engine);
  if (!slot) {
    post({ type: 'engine', engine, state: 'loading' });
    const started = performance.now();
    slot = openEngine(engine).then(
      (driver) => {
        post({ type: 'engine', engine, state: 'ready', loadMs: Math.round(performance.now() - started) });
        return { engine, driver, applied: new Map<string, SourceFile>() };
      },
      (error: unknown) => {
        slots.delete(engine);
        const message = error instanceof Error ? error.message : String(error);
        post({ type: 'engine', engine, state: 'failed', message });
        throw new Error(`${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} could not be loaded: ${message}`);
      },
    );
    slots.set(engine, slot);
  }
  return slot;
}

/** Engines whose files this worker has fetched (a slot, or an earlier throwaway database). */
const fetched = new Set<EngineId>(['sqlite']);

/**
 * A throwaway database (Compare engines) of an engine that may not be loaded yet: that first load is announced with
 * the same `engine` messages as a slot's, so the page can show PostgreSQL loading.
 */
async function openThrowaway(engine: EngineId): Promise<Driver> {
  if (fetched.has(engine) || slots.has(engine)) return openEngine(engine);
  post({ type: 'engine', engine, state: 'loading' });
  const started = performance.now();
  try {
    const driver = await openEngine(engine);
    fetched.add(engine);
    post({ type: 'engine', engine, state: 'ready', loadMs: Math.round(performance.now() - started) });
    return driver;
  } catch (error) {
    post({ type: 'engine', engine, state: 'failed', message: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function dbView(slot: Slot, files: MigrationFile[], snapshot?: Snapshot | null): Promise<DbView> {
  const migrator = new Migrator({ driver: slot.driver, files, host: host() });
  let status: StatusEntry[] = [];
  let statusError: RunError | null = null;
  try {
    const result = await migrator.status();
    status = result.migrations;
    statusError = result.error;
  } finally {
    migrator.dispose();
  }
  let schema = null;
  let schemaError: string | null = null;
  try {
    schema = schemaView(snapshot ?? (await readSnapshot(slot.driver)));
  } catch (error) {
    schemaError = error instanceof Error ? error.message : String(error);
  }
  return { engine: slot.engine, status, statusError, schema, schemaError };
}

async function snapshotOrNull(driver: Driver): Promise<Snapshot | null> {
  try {
    return await readSnapshot(driver);
  } catch {
    return null;
  }
}

/** The files to revert with: an applied migration's text as it was applied (its file may have changed or gone). */
function filesAsApplied(slot: Slot, files: SourceFile[]): MigrationFile[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const [, file] of slot.applied) byName.set(file.name, file);
  return migrationFiles([...byName.values()]);
}

function remember(slot: Slot, run: RunResult, files: MigrationFile[]): void {
  const byId = new Map(files.map((f) => [f.id, f]));
  for (const result of run.results) {
    const file = byId.get(result.id);
    if (result.status === 'applied' && file) slot.applied.set(result.id, { name: file.file, text: file.source });
    if (result.status === 'reverted') slot.applied.delete(result.id);
  }
}

/** The runner's drift message speaks of CLI flags; say what to do here instead. */
function playgroundHint(error: RunError | null): RunError | null {
  if (!error || error.phase !== 'check') return error;
  const message = error.message
    .replace(
      /Restore the applied version and put the change in a new migration, or pass --allow-drift to accept it\.?/,
      'Revert it (Revert last and Redo use the version that was applied), or undo the edit and put the change in a new migration.',
    )
    .replace(
      /Restore the file, or pass --allow-drift to go on without it\.?/,
      'Revert it first (the version that was applied is used), or add the file again.',
    );
  return { ...error, message };
}

/** `driver` for the command with this id: every statement counted, the count reported to the page as it grows. */
function countedDriver(id: number, driver: Driver): Driver {
  return new StatementCounter((statements) =>
    post({ type: 'event', id, event: { type: 'progress', statements } }),
  ).wrap(driver);
}

async function run(id: number, slot: Slot, command: RunCommand, sources: SourceFile[]): Promise<CommandResult> {
  const started = performance.now();
  const onEvent = (event: MigratorEvent) => post({ type: 'event', id, event });
  const latest = migrationFiles(sources);
  const before = await snapshotOrNull(slot.driver);
  post({ type: 'event', id, event: { type: 'plan', steps: await plannedSteps(slot.driver, command, latest) } });
  const driver = countedDriver(id, slot.driver);
  let result: RunResult;
  const migrate = async <T>(files: MigrationFile[], work: (m: Migrator) => Promise<T>): Promise<T> => {
    const migrator = new Migrator({ driver, files, host: host(), onEvent });
    try {
      return await work(migrator);
    } finally {
      migrator.dispose();
    }
  };
  switch (command) {
    case 'apply-next':
      result = await migrate(latest, (m) => m.up({ step: 1 }));
      remember(slot, result, latest);
      break;
    case 'apply-all':
      result = await migrate(latest, (m) => m.up());
      remember(slot, result, latest);
      break;
    case 'revert-last':
    case 'revert-all': {
      const asApplied = filesAsApplied(slot, sources);
      result = await migrate(asApplied, (m) => m.down(command === 'revert-all' ? { all: true } : { step: 1 }));
      remember(slot, result, asApplied);
      break;
    }
    case 'redo': {
      // The runner's redo with one twist: down with the text that was applied, up with the text as it is now, and
      // only that migration goes up again (not an earlier pending one).
      const asApplied = filesAsApplied(slot, sources);
      const down = await migrate(asApplied, (m) => m.down({ step: 1 }));
      remember(slot, down, asApplied);
      result = down;
      const reverted = down.results.find((r) => r.status === 'reverted');
      if (down.ok && reverted) {
        const again = latest.filter((f) => f.id === reverted.id);
        if (again.length === 0) {
          result = {
            ok: false,
            results: down.results,
            error: {
              migration: reverted.id,
              phase: 'check',
              message: `${reverted.id} was reverted but its file is gone: nothing to apply again`,
            },
          };
        } else {
          const files = [...filesAsApplied(slot, []), ...again];
          const up = await migrate(files, (m) => m.up({ to: reverted.id }));
          remember(slot, up, files);
          result = { ok: up.ok, results: [...down.results, ...up.results], error: up.error };
        }
      } else if (down.ok) {
        result = {
          ok: false,
          results: [],
          error: { migration: null, phase: 'check', message: 'Nothing to redo: no migration is applied' },
        };
      }
      break;
    }
  }
  result = { ...result, error: playgroundHint(result.error) };
  const after = await snapshotOrNull(slot.driver);
  const diff: DiffLine[] | null = before && after ? diffLines(before, after) : null;
  const db = await dbView(slot, latest, after);
  return { kind: 'run', command, run: result, diff, db, durationMs: Math.round(performance.now() - started) };
}

const MAX_ROWS = 500;

function displayValue(v: SqlValue): string | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) {
    let hex = '';
    for (let i = 0; i < Math.min(v.length, 64); i++) hex += v[i]!.toString(16).padStart(2, '0');
    return `x'${hex}${v.length > 64 ? '…' : ''}'`;
  }
  return String(v);
}

const MULTIPLE = /more than one statement|multiple commands|cannot insert multiple commands/i;

async function sqlConsole(slot: Slot, sql: string): Promise<SqlConsoleResult> {
  try {
    const result = await slot.driver.query(sql, []);
    const truncated = result.rows.length > MAX_ROWS;
    const rows = result.rows.slice(0, MAX_ROWS).map((row) => row.map(displayValue));
    const message =
      result.columns.length > 0
        ? `${plural(result.rows.length, 'row')}${truncated ? ` (first ${MAX_ROWS} shown)` : ''}`
        : 'Done.';
    return { ok: true, columns: result.columns, rows, message, truncated };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (MULTIPLE.test(message)) {
      try {
        await slot.driver.exec(sql);
        return { ok: true, columns: [], rows: [], message: 'Done (script: results are not shown).', truncated: false };
      } catch (again) {
        return {
          ok: false,
          columns: [],
          rows: [],
          message: again instanceof Error ? again.message : String(again),
          truncated: false,
        };
      }
    }
    return { ok: false, columns: [], rows: [], message, truncated: false };
  }
}

async function handle(request: WorkerRequest): Promise<CommandResult> {
  switch (request.type) {
    case 'open': {
      const started = performance.now();
      const existed = slots.has(request.engine);
      await loadSlot(request.engine);
      current = request.engine;
      return { kind: 'open', engine: request.engine, loadMs: existed ? null : Math.round(performance.now() - started) };
    }
    case 'status': {
      const slot = await loadSlot(current);
      return { kind: 'status', db: await dbView(slot, migrationFiles(request.files)) };
    }
    case 'reset': {
      const old = slots.get(current);
      slots.delete(current);
      if (old) {
        try {
          await (await old).driver.close();
        } catch {
          // A database that failed to open or close is dropped all the same.
        }
      }
      const slot = await loadSlot(current);
      return { kind: 'reset', db: await dbView(slot, migrationFiles(request.files)) };
    }
    case 'run': {
      const slot = await loadSlot(current);
      return run(request.id, slot, request.command, request.files);
    }
    case 'verify': {
      const [{ verifyMigrations }, driver] = await Promise.all([import('./verify.ts'), openEngine(current)]);
      try {
        const counted = countedDriver(request.id, driver);
        return {
          kind: 'verify',
          report: await verifyMigrations(current, counted, migrationFiles(request.files), host()),
        };
      } finally {
        await driver.close().catch(() => {});
      }
    }
    case 'compare': {
      const { compareEngines } = await import('./compare.ts');
      return {
        kind: 'compare',
        report: await compareEngines(migrationFiles(request.files), { host: host(), open: openThrowaway }),
      };
    }
    case 'export': {
      const [{ exportDatabase }, slot] = await Promise.all([import('../db-export.ts'), loadSlot(current)]);
      return { kind: 'export', engine: slot.engine, ...(await exportDatabase(slot.driver)) };
    }
    case 'sql': {
      const slot = await loadSlot(current);
      const started = performance.now();
      const before = await snapshotOrNull(slot.driver);
      const result = await sqlConsole(slot, request.sql);
      const after = await snapshotOrNull(slot.driver);
      const files = migrationFiles(request.files);
      return {
        kind: 'sql',
        result,
        diff: before && after ? diffLines(before, after) : null,
        db: await dbView(slot, files, after),
        durationMs: Math.round(performance.now() - started),
      };
    }
  }
}

let queue: Promise<void> = Promise.resolve();

function enqueue(request: WorkerRequest): void {
  queue = queue.then(async () => {
    try {
      post({ type: 'done', id: request.id, result: await handle(request) });
    } catch (error) {
      post({ type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
}

/**
 * Called once by the worker's entry: opens SQLite with the wasm the entry has been fetching, then handles the
 * requests the entry held while this module loaded, and every later one, in order.
 */
export function startWorker(early: { sqliteWasm: Promise<WebAssembly.Module>; held: WorkerRequest[] }): void {
  useSqliteWasm(early.sqliteWasm);
  loadSlot('sqlite').catch(() => {
    /* reported through the engine message */
  });
  for (const request of early.held) enqueue(request);
  scope.addEventListener('message', (event) => enqueue(event.data));
}
