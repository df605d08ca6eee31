/**
 * The engine worker's work, apart from the worker itself: owns the databases, the Lua host and the runner, and
 * answers the requests of `protocol.ts` one at a time, in order, through `post`. The worker (engine.worker.ts) makes
 * one with the browser's engines; the unit tests make one in Node with sql.js and PGlite, behind the page's real
 * `EngineClient` (test/unit/playground-*.test.ts).
 *
 * Each engine keeps its own database while the host lives, so switching back and forth does not lose either. The host
 * remembers the text each migration had when it was applied, and reverts with that text: editing an applied migration
 * and pressing Redo runs the old `down` and the new `up`, as a person would expect.
 */
import type { Driver, SqlValue } from '../../core/driver.ts';
import { LuaHost } from '../../core/lua/host.ts';
import { Migrator, type MigratorEvent } from '../../core/migrator.ts';
import { migrationFiles, type MigrationFile } from '../../core/migration-files.ts';
import type { RunError, RunResult, StatusEntry } from '../../core/results.ts';
import { readSnapshot, rowsBefore, schemaView, stepDiffLines, type Snapshot } from './schema.ts';
import { plannedSteps } from './run-plan.ts';
import { StatementCounter } from './statement-counter.ts';
import { forPage } from './remedies.ts';
import { withBlockLine } from './block-line.ts';
import { idOf } from '../files.ts';
import {
  ENGINE_LABELS,
  type Checkpoint,
  type CommandResult,
  type DbView,
  type DiffLine,
  type EngineId,
  type RequestOf,
  type RequestType,
  type ResultOf,
  type Baseline,
  type KeptDatabase,
  type RunCommand,
  type SourceFile,
  type SqlConsoleResult,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.ts';
import { plural } from '../../core/plural.ts';
import { createTracer } from '../../core/trace.ts';
import { carryOver, linkBaseline, readBaseline, startFrom, StartError, type OpenEngine } from './baseline.ts';

export interface EngineHostOptions {
  /** Every reply and message to the page. */
  post(message: WorkerReply): void;
  /**
   * Opens a new database of `engine`, empty or from a SQLite file's bytes (the browser's files in the worker; Node's
   * packages in tests).
   */
  openEngine: OpenEngine;
  /** Engines whose code is already at hand: a throwaway database of these is not announced as loading. */
  preloaded?: EngineId[];
}

interface Slot {
  engine: EngineId;
  driver: Driver;
  /** The text of each applied migration as it was when applied, by id. */
  applied: Map<string, SourceFile>;
}

/** What a request handler has: the host's state and its helpers. */
export class EngineHost {
  private readonly slots = new Map<EngineId, Promise<Slot>>();
  private current: EngineId = 'sqlite';
  /** Engines whose files this host has fetched (a slot, or an earlier throwaway database). */
  private readonly fetched: Set<EngineId>;
  /**
   * The Lua host, made on first use: creating it costs ~100 ms on a cold start, so SQLite's wasm is fetched and
   * compiled first (in the background) and "ready" does not wait for Lua.
   */
  private luaHost: LuaHost | null = null;
  private queue: Promise<void> = Promise.resolve();
  readonly post: (message: WorkerReply) => void;
  private readonly openEngine: OpenEngine;
  /** Each engine's starting database (the person's own), where one was opened: Reset database goes back to it. */
  private readonly baselines = new Map<EngineId, Baseline>();

  constructor(options: EngineHostOptions) {
    this.post = options.post;
    this.openEngine = options.openEngine;
    this.fetched = new Set(options.preloaded ?? []);
  }

  lua(): LuaHost {
    this.luaHost ??= new LuaHost();
    return this.luaHost;
  }

  /** Handles `request` after every earlier one, and posts its one `done` (or `failed`). */
  enqueue(request: WorkerRequest): void {
    this.queue = this.queue.then(async () => {
      try {
        this.post({ type: 'done', id: request.id, result: await this.handle(request) });
      } catch (error) {
        this.post({ type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  private async handle(request: WorkerRequest): Promise<CommandResult> {
    if (CHECKPOINTED.has(request.type)) await this.checkpoint(request);
    // TypeScript cannot follow the pairing of a union through an index; HANDLERS' own type states it per request.
    const handler = HANDLERS[request.type] as (host: EngineHost, request: WorkerRequest) => Promise<CommandResult>;
    return handler(this, request);
  }

  /**
   * The current database as it is now, sent to the page as the request's first event: a Stop ends this worker, and
   * the page gives it to the fresh one (`restore`). Nothing is sent when the database cannot be exported.
   */
  private async checkpoint(request: WorkerRequest): Promise<void> {
    try {
      const [{ exportDatabase }, slot] = await Promise.all([import('../db-export.ts'), this.currentSlot()]);
      const { data } = await exportDatabase(slot.driver);
      const command = request.type === 'run' ? request.command : null;
      const checkpoint = { engine: slot.engine, image: data, applied: [...slot.applied.values()], command };
      this.post({ type: 'event', id: request.id, event: { type: 'checkpoint', checkpoint } });
    } catch {
      // No checkpoint: a Stop during this request starts the database empty, and says so.
    }
  }

  /** Makes the current engine's database the one `checkpoint` holds. */
  async restore(checkpoint: Checkpoint): Promise<Slot> {
    await this.dropCurrent();
    const { engine, image } = checkpoint;
    const opened = (async () => {
      if (engine === 'sqlite') return this.openEngine('sqlite', image);
      const driver = await this.openEngine(engine);
      await driver.exec(new TextDecoder().decode(image));
      return driver;
    })().then((driver) => ({ engine, driver, applied: new Map(checkpoint.applied.map((f) => [idOf(f.name), f])) }));
    this.slots.set(engine, opened);
    this.current = engine;
    return opened;
  }

  /** The database of `engine`, opened (and announced) on first use. */
  loadSlot(engine: EngineId): Promise<Slot> {
    let slot = this.slots.get(engine);
    if (!slot) {
      this.post({ type: 'engine', engine, state: 'loading' });
      const started = performance.now();
      slot = this.openStart(engine).then(
        (driver) => {
          this.fetched.add(engine);
          this.post({ type: 'engine', engine, state: 'ready', loadMs: Math.round(performance.now() - started) });
          return { engine, driver, applied: new Map<string, SourceFile>() };
        },
        (error: unknown) => {
          this.slots.delete(engine);
          const message = error instanceof Error ? error.message : String(error);
          this.post({ type: 'engine', engine, state: 'failed', message });
          throw new Error(`${ENGINE_LABELS[engine]} could not be loaded: ${message}`);
        },
      );
      this.slots.set(engine, slot);
    }
    return slot;
  }

  /** A new database of `engine` holding its baseline (or empty). */
  private async openStart(engine: EngineId): Promise<Driver> {
    const started = await startFrom(this.openEngine, engine, this.baselines.get(engine) ?? null);
    if (!started.ok) throw new Error(started.message);
    return started.driver;
  }

  baselineOf(engine: EngineId): Baseline | null {
    return this.baselines.get(engine) ?? null;
  }

  /**
   * Makes `driver` the database of `engine` and `engine` the current one, with `baseline` as its starting state
   * (undefined: unchanged); the database it replaces is closed.
   */
  async install(engine: EngineId, driver: Driver, baseline: Baseline | null | undefined, applied: SourceFile[] = []) {
    const old = this.slots.get(engine);
    this.slots.set(engine, Promise.resolve({ engine, driver, applied: new Map(appliedById(applied)) }));
    if (baseline === null) this.baselines.delete(engine);
    else if (baseline !== undefined) this.baselines.set(engine, baseline);
    this.current = engine;
    this.fetched.add(engine);
    if (old) await (await old.catch(() => null))?.driver.close().catch(() => {});
  }

  /** The migrations applied on the current database, with the text each had when applied. */
  async appliedNow(): Promise<SourceFile[]> {
    return [...(await this.currentSlot()).applied.values()];
  }

  setBaseline(engine: EngineId, baseline: Baseline | null): void {
    if (baseline === null) this.baselines.delete(engine);
    else this.baselines.set(engine, baseline);
  }

  currentSlot(): Promise<Slot> {
    return this.loadSlot(this.current);
  }

  /**
   * A throwaway database (Compare engines, Verify) of an engine that may not be loaded yet: that first load is
   * announced with the same `engine` messages as a slot's, so the page can show PostgreSQL loading.
   */
  async openThrowaway(engine: EngineId, fromBaseline = false): Promise<Driver> {
    const open = () => (fromBaseline ? this.openStart(engine) : this.openEngine(engine));
    if (this.fetched.has(engine) || this.slots.has(engine)) return open();
    this.post({ type: 'engine', engine, state: 'loading' });
    const started = performance.now();
    try {
      const driver = await open();
      this.fetched.add(engine);
      this.post({ type: 'engine', engine, state: 'ready', loadMs: Math.round(performance.now() - started) });
      return driver;
    } catch (error) {
      this.post({
        type: 'engine',
        engine,
        state: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  /**
   * A throwaway database of `engine` for Compare engines, holding the person's starting database: that engine's own
   * baseline, else the current engine's carried over (a `StartError` says why when it cannot be); else empty.
   */
  async openCompareStart(engine: EngineId): Promise<Driver> {
    const other = this.baselines.get(this.current);
    if (this.baselines.has(engine) || !other) return this.openThrowaway(engine, true);
    const carried = await carryOver(
      (e, file) => (file ? this.openFile(e, file) : this.openThrowaway(e)),
      other,
      await this.openThrowaway(engine),
    );
    if (!carried.ok) throw new StartError(carried.message);
    return carried.driver;
  }

  /** The name of the starting database Compare engines starts from, or null (empty databases). */
  compareStartName(): string | null {
    return this.baselines.get(this.current)?.name ?? null;
  }

  /** `driver` for the command with this id: every statement counted, the count reported to the page as it grows. */
  counted(id: number, driver: Driver): Driver {
    return new StatementCounter((statements) =>
      this.post({ type: 'event', id, event: { type: 'progress', statements } }),
    ).wrap(driver);
  }

  /** Makes `engine` the current one (its database opened first). */
  async use(engine: EngineId): Promise<void> {
    await this.loadSlot(engine);
    this.current = engine;
  }

  /** A new database from a SQLite file's bytes. */
  openFile(engine: EngineId, file: Uint8Array): Promise<Driver> {
    return this.openEngine(engine, file);
  }

  isOpen(engine: EngineId): boolean {
    return this.slots.has(engine);
  }

  get engine(): EngineId {
    return this.current;
  }

  /** Throws the current engine's database away; the next `currentSlot` opens an empty one. */
  async dropCurrent(): Promise<void> {
    const old = this.slots.get(this.current);
    this.slots.delete(this.current);
    if (old) {
      try {
        await (await old).driver.close();
      } catch {
        // A database that failed to open or close is dropped all the same.
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

function appliedById(files: SourceFile[]): [string, SourceFile][] {
  return migrationFiles(files).map((f) => [f.id, { name: f.file, text: f.source }]);
}

async function dbView(host: LuaHost, slot: Slot, files: MigrationFile[], snapshot?: Snapshot | null): Promise<DbView> {
  const migrator = new Migrator({ driver: slot.driver, files, host });
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

/** Statements traced per migration in the playground: a seed loop beyond that runs untraced, at full speed. */
const TRACED_STATEMENTS = 200;

async function run(
  engine: EngineHost,
  id: number,
  slot: Slot,
  command: RunCommand,
  sources: SourceFile[],
): Promise<ResultOf<'run'>> {
  const started = performance.now();
  const onEvent = (event: MigratorEvent) => engine.post({ type: 'event', id, event });
  const latest = migrationFiles(sources);
  const before = await snapshotOrNull(slot.driver);
  const beforeRows = await rowsBefore(slot.driver, before);
  engine.post({ type: 'event', id, event: { type: 'plan', steps: await plannedSteps(slot.driver, command, latest) } });
  const driver = engine.counted(id, slot.driver);
  // On PostgreSQL each applied migration is traced: the locks and rewrites of its statements, shown beside its diff.
  const tracer = slot.engine === 'postgres' ? createTracer(slot.driver, TRACED_STATEMENTS) : null;
  let result: RunResult;
  const migrate = async <T>(files: MigrationFile[], work: (m: Migrator) => Promise<T>): Promise<T> => {
    const migrator = new Migrator({
      driver,
      files,
      host: engine.lua(),
      onEvent: tracer
        ? (event) => {
            tracer.onEvent(event);
            onEvent(event);
          }
        : onEvent,
      observe: tracer?.observe,
    });
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
              code: 'nothing_to_redo',
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
          error: {
            code: 'nothing_to_redo',
            migration: null,
            phase: 'check',
            message: 'Nothing to redo: no migration is applied',
          },
        };
      }
      break;
    }
  }
  result = { ...result, error: forPage(withBlockLine(result.error, latest, slot.engine)) };
  const after = await snapshotOrNull(slot.driver);
  const diff: DiffLine[] | null = before && after ? await stepDiffLines(slot.driver, before, after, beforeRows) : null;
  const db = await dbView(engine.lua(), slot, latest, after);
  return {
    kind: 'run',
    command,
    run: result,
    diff,
    db,
    durationMs: Math.round(performance.now() - started),
    trace: tracer ? tracer.migrations : null,
  };
}

const MAX_ROWS = 500;

function displayValue(v: SqlValue): string | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) {
    let hex = '';
    for (let i = 0; i < Math.min(v.length, 64); i++) hex += v[i].toString(16).padStart(2, '0');
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

/** Makes the database `kept` holds (and its baseline) the current one. */
async function openKept(host: EngineHost, kept: KeptDatabase): Promise<Slot> {
  const engine = kept.engine;
  host.setBaseline(engine, kept.baseline && (await readBaseline(kept.baseline)));
  let driver: Driver;
  if (kept.sqlite !== null && engine === 'sqlite') {
    driver = await host.openFile('sqlite', kept.sqlite);
  } else {
    driver = await host.openThrowaway(engine, true);
    // PostgreSQL is kept as its baseline and the migrations applied on it: they run again, as they ran before.
    if (kept.applied.length > 0) {
      const migrator = new Migrator({ driver, files: migrationFiles(kept.applied), host: host.lua() });
      try {
        await migrator.up();
      } finally {
        migrator.dispose();
      }
    }
  }
  await host.install(engine, driver, undefined, kept.applied);
  return host.currentSlot();
}

/** The requests that occupy the worker (Stop ends them): the database is kept before each. */
const CHECKPOINTED = new Set<RequestType>(['run', 'sql', 'verify', 'compare', 'export', 'check']);

/** Each request's handler, typed by the protocol's pairing of request and result. */
const HANDLERS: { [T in RequestType]: (host: EngineHost, request: RequestOf<T>) => Promise<ResultOf<T>> } = {
  async open(host, request) {
    const started = performance.now();
    const existed = host.isOpen(request.engine);
    await host.use(request.engine);
    return { kind: 'open', engine: request.engine, loadMs: existed ? null : Math.round(performance.now() - started) };
  },
  async status(host, request) {
    const slot = await host.currentSlot();
    return { kind: 'status', db: await dbView(host.lua(), slot, migrationFiles(request.files)) };
  },
  async reset(host, request) {
    await host.dropCurrent();
    const slot = await host.currentSlot();
    return { kind: 'reset', db: await dbView(host.lua(), slot, migrationFiles(request.files)) };
  },
  async run(host, request) {
    const slot = await host.currentSlot();
    return run(host, request.id, slot, request.command, request.files);
  },
  async verify(host, request) {
    const engine = host.engine;
    // From the baseline, as the person's database would be: its applied migrations stay, the pending ones are verified.
    const [{ verifyMigrations }, driver] = await Promise.all([import('./verify.ts'), host.openThrowaway(engine, true)]);
    try {
      const counted = host.counted(request.id, driver);
      return {
        kind: 'verify',
        // A migration whose second up fails is followed by a replay on a fresh copy of the baseline (closed by verify).
        report: await verifyMigrations(engine, counted, migrationFiles(request.files), host.lua(), async () =>
          host.counted(request.id, await host.openThrowaway(engine, true)),
        ),
      };
    } finally {
      await driver.close().catch(() => {});
    }
  },
  async compare(host, request) {
    const { compareEngines } = await import('./compare.ts');
    return {
      kind: 'compare',
      report: await compareEngines(migrationFiles(request.files), {
        host: host.lua(),
        open: (engine) => host.openCompareStart(engine),
        startsFrom: host.compareStartName(),
      }),
    };
  },
  async export(host) {
    const [{ exportDatabase }, slot] = await Promise.all([import('../db-export.ts'), host.currentSlot()]);
    return { kind: 'export', engine: slot.engine, ...(await exportDatabase(slot.driver)) };
  },
  async restore(host, request) {
    // A file the browser can no longer read costs its baseline only: the database itself comes back all the same.
    const lost: { engine: EngineId; message: string }[] = [];
    for (const engine of ['sqlite', 'postgres'] as const) {
      const given = request.baselines[engine];
      try {
        host.setBaseline(engine, given ? await readBaseline(given) : null);
      } catch (error) {
        if (!(error instanceof StartError)) throw error;
        host.setBaseline(engine, null);
        lost.push({ engine, message: error.message });
      }
    }
    let slot: Slot;
    if (request.checkpoint) slot = await host.restore(request.checkpoint);
    else if (request.kept && request.kept.engine === host.engine) slot = await openKept(host, request.kept);
    else {
      // Nothing kept of the database as the command found it: its baseline (the person's own), or empty.
      await host.dropCurrent();
      slot = await host.currentSlot();
    }
    let replayed: RunResult | null = null;
    const { replay } = request;
    if (replay && replay.steps > 0) {
      const files = replay.direction === 'up' ? migrationFiles(request.files) : filesAsApplied(slot, request.files);
      const migrator = new Migrator({ driver: slot.driver, files, host: host.lua() });
      try {
        replayed = await (replay.direction === 'up'
          ? migrator.up({ step: replay.steps })
          : migrator.down({ step: replay.steps }));
      } finally {
        migrator.dispose();
      }
      remember(slot, replayed, files);
      replayed = { ...replayed, error: forPage(replayed.error) };
    }
    return { kind: 'restore', db: await dbView(host.lua(), slot, migrationFiles(request.files)), replayed, lost };
  },
  async baseline(host, request) {
    // A person's file is read here, saying how many of its bytes are read (the page's progress line: N of M MB). The
    // bytes stay in this worker: the page keeps the File it gave.
    let baseline: Baseline;
    try {
      baseline = await readBaseline(request.baseline, (read, total) =>
        host.post({
          type: 'event',
          id: request.id,
          event: { type: 'progress', statements: 0, bytes: { read, total } },
        }),
      );
    } catch (error) {
      if (error instanceof StartError) return { kind: 'baseline', ok: false, message: error.message };
      throw error;
    }
    const engine = baseline.kind === 'sqlite-file' ? 'sqlite' : host.engine;
    const open = (e: EngineId, file?: Uint8Array) => (file ? host.openFile(e, file) : host.openThrowaway(e));
    // A long dump says how far it is (the page's progress line: statement N of M).
    const progress = (statements: number, of: number) =>
      host.post({ type: 'event', id: request.id, event: { type: 'progress', statements, of } });
    const started = await startFrom(open, engine, baseline, progress);
    if (!started.ok) return { kind: 'baseline', ...started };
    await host.install(engine, started.driver, baseline);
    const slot = await host.currentSlot();
    return {
      kind: 'baseline',
      ok: true,
      db: await dbView(host.lua(), slot, migrationFiles(request.files)),
      notes: started.notes,
    };
  },
  async 'start-empty'(host, request) {
    host.setBaseline(host.engine, null);
    await host.dropCurrent();
    const slot = await host.currentSlot();
    return { kind: 'start-empty', db: await dbView(host.lua(), slot, migrationFiles(request.files)) };
  },
  async keep(host) {
    const slot = await host.currentSlot();
    const sqlite =
      slot.engine === 'sqlite' ? (await (await import('../db-export.ts')).exportDatabase(slot.driver)).data : null;
    const kept: Omit<KeptDatabase, 'baseline'> = {
      engine: slot.engine,
      sqlite,
      applied: await host.appliedNow(),
    };
    return { kind: 'keep', kept };
  },
  async 'restore-kept'(host, request) {
    const slot = await openKept(host, request.kept);
    const db = await dbView(host.lua(), slot, migrationFiles(request.files));
    const applied = db.status.filter((m) => m.status === 'applied').length;
    return { kind: 'restore-kept', db, note: `Restored the database you had: ${applied} applied.` };
  },
  async rows(host, request) {
    const slot = await host.currentSlot();
    const { table, offset, limit } = request;
    // The Schema view names a table outside PostgreSQL's public schema `schema.name`.
    const ref = table
      .split('.')
      .map((part) => `"${part.replace(/"/g, '""')}"`)
      .join('.');
    const page = { kind: 'rows' as const, table, offset, columns: [] as string[], rows: [], total: 0 };
    try {
      const total = Number((await slot.driver.query(`SELECT count(*) FROM ${ref}`, [])).rows[0]?.[0] ?? 0);
      const result = await slot.driver.query(`SELECT * FROM ${ref} LIMIT ${limit} OFFSET ${offset}`, []);
      return {
        ...page,
        total,
        columns: result.columns,
        rows: result.rows.map((r) => r.map(displayValue)),
        error: null,
      };
    } catch (error) {
      return { ...page, error: error instanceof Error ? error.message : String(error) };
    }
  },
  async 'link-baseline'(host, request) {
    const baseline = host.baselineOf(host.engine);
    if (!baseline) return { kind: 'link-baseline', baseline: null };
    const open = (e: EngineId, file?: Uint8Array) => (file ? host.openFile(e, file) : host.openThrowaway(e));
    return { kind: 'link-baseline', baseline: await linkBaseline(open, baseline, request.budget) };
  },
  async check(host, request) {
    // The lessons and their checks load with the first Check, not with the worker.
    const [{ checkLesson }, { lessonById }] = await Promise.all([
      import('../lessons/check.ts'),
      import('../lessons/lessons.ts'),
    ]);
    const lesson = lessonById(request.lesson);
    if (!lesson) throw new Error(`There is no lesson "${request.lesson}".`);
    const verdict = await checkLesson(lesson, request.files, {
      host: host.lua(),
      open: (engine) => host.openThrowaway(engine),
    });
    return { kind: 'check', verdict };
  },
  async sql(host, request) {
    const slot = await host.currentSlot();
    const started = performance.now();
    const before = await snapshotOrNull(slot.driver);
    const beforeRows = await rowsBefore(slot.driver, before);
    const result = await sqlConsole(slot, request.sql);
    const after = await snapshotOrNull(slot.driver);
    return {
      kind: 'sql',
      result,
      diff: before && after ? await stepDiffLines(slot.driver, before, after, beforeRows) : null,
      db: await dbView(host.lua(), slot, migrationFiles(request.files), after),
      durationMs: Math.round(performance.now() - started),
    };
  },
};
