/**
 * The runner (DESIGN §2, §4): status, up, down and redo over a set of migration files and one driver. Like Kysely's
 * Migrator, every method answers with a plain result object and never throws.
 */
import type { Driver, Engine } from './driver.ts';
import type { LuaHost, CompiledMigration } from './lua/host.ts';
import { LoadError } from './lua/failures.ts';
import { literalDescription } from './lua/literal-description.ts';
import type { Limits } from './lua/limits.ts';
import { Ledger, type AppliedMigration } from './ledger.ts';
import type { MigrationFile } from './migration-files.ts';
import type { StatementObserver } from './transaction.ts';
import {
  connectionClosed,
  type Direction,
  type MigrationResult,
  type PlannedStatement,
  type RunError,
  type RunPhase,
  type RunResult,
  type StatusResult,
} from './results.ts';
import {
  control,
  fromLuaFailure,
  RunFailure,
  RunFailureWithResult,
  toRunError,
  unknownTarget,
} from './migrator/run-failure.ts';
import {
  checkDrift,
  checkRevertible,
  downPlan,
  pendingFiles,
  statusEntries,
  type DownOptions,
} from './migrator/plan.ts';
import { SessionKeeper } from './migrator/session-keeper.ts';
import type { MigratorEvent, RunContext } from './migrator/run-context.ts';
import { runOne } from './migrator/run-one.ts';
import { runBatch } from './migrator/batch.ts';
import { upResult } from './migrator/outcomes.ts';

export interface MigratorOptions {
  driver: Driver;
  files: MigrationFile[];
  /** Share a host between migrators to reuse compiled files; one is made otherwise. */
  host?: LuaHost;
  limits?: Limits;
  /** How long to wait for another runner's lock (DESIGN §4: 60 s). */
  lockTimeoutMs?: number;
  /** Run even when applied migrations were modified or their files are missing. */
  allowDrift?: boolean;
  /**
   * How many more times a migration runs after its transaction failed with a serialization failure or a deadlock
   * (each attempt from the start of its transaction, after a growing pause). 0 by default; results then have
   * `attempts`.
   */
  retries?: number;
  onEvent?: (event: MigratorEvent) => void;
  /** Sees each statement of migration code run (`moonwalk trace`). */
  observe?: StatementObserver;
  /**
   * Makes the Lua host when a file must first be loaded; by default fengari is imported then. The command's no-op
   * `up` on its main thread refuses here: Lua runs only in its capped worker.
   */
  loadHost?: () => Promise<LuaHost>;
}

export interface UpOptions {
  step?: number;
  to?: string;
  /** Every pending migration commits together or none does (refused where DDL is not transactional). */
  singleTransaction?: boolean;
  /** Run everything in one transaction, record the statements, roll back. */
  dryRun?: boolean;
  /**
   * Dry runs only: called inside the transaction after the last migration ran, just before the rollback (`moonwalk
   * diff` takes its snapshot there). What it throws fails the run (phase `internal`); the rollback happens anyway.
   */
  beforeRollback?: () => unknown;
}

export type { DownOptions } from './migrator/plan.ts';
export type { MigratorEvent } from './migrator/run-context.ts';

export class Migrator {
  private readonly driver: Driver;
  private readonly engine: Engine;
  /** Loaded on first need (ensureHost): reading the ledger (status, an up with nothing to do) loads no Lua. */
  private luaHost: LuaHost | null;
  private readonly ledger: Ledger;
  private readonly files: Map<string, MigrationFile>;
  private readonly compiled = new Map<string, CompiledMigration>();
  /** The connection's session, put back between migrations and when the run ends. */
  private readonly sessions: SessionKeeper;
  /** What running migrations needs of this Migrator (run-one.ts, batch.ts, apply.ts). */
  private readonly context: RunContext;

  constructor(private readonly options: MigratorOptions) {
    this.driver = options.driver;
    this.engine = options.driver.engine;
    this.luaHost = options.host ?? null;
    this.ledger = new Ledger(options.driver);
    this.sessions = new SessionKeeper(options.driver);
    const host = (): LuaHost => this.host;
    this.context = {
      driver: this.driver,
      engine: this.engine,
      ledger: this.ledger,
      get host() {
        return host();
      },
      sessions: this.sessions,
      retries: options.retries,
      observe: options.observe,
      compile: (file) => this.compileOrFail(file),
      emit: (event) => this.emit(event),
    };
    this.files = new Map(options.files.map((file) => [file.id, file]));
  }

  async status(): Promise<StatusResult> {
    try {
      const entries = await this.ledger.read();
      // A pending file's description is its literal `migration("…")` where it has one (no code of it runs), else it
      // comes from loading the file.
      const applied = new Set(entries.map((entry) => entry.id));
      const literals = new Map<string, string | null>();
      for (const file of this.files.values())
        if (!applied.has(file.id)) literals.set(file.id, literalDescription(file.source));
      if ([...literals.values()].includes(null)) await this.ensureHost();
      return {
        ok: true,
        engine: this.engine,
        migrations: statusEntries(this.files, entries, literals, (file) => this.describe(file)),
        error: null,
      };
    } catch (error) {
      return { ok: false, engine: this.engine, migrations: [], error: this.runError(error, 'ledger') };
    }
  }

  async up(options: UpOptions = {}): Promise<RunResult> {
    const results: MigrationResult[] = [];
    const statements: PlannedStatement[] | undefined = options.dryRun ? [] : undefined;
    const finish = (error: RunError | null): RunResult => ({
      ok: error === null,
      results,
      error,
      ...(statements ? { statements } : {}),
    });
    if ((options.singleTransaction || options.dryRun) && !this.driver.transactionalDdl) {
      return finish({
        code: options.dryRun ? 'dry_run_refused' : 'single_transaction_refused',
        migration: null,
        phase: 'check',
        message:
          `${options.dryRun ? 'a dry run' : 'a single transaction'} is refused on ${this.engine}: ` +
          'it commits DDL implicitly, so nothing could be rolled back',
      });
    }
    if (options.to !== undefined && !this.files.has(options.to)) {
      return finish(unknownTarget(options.to, 'up'));
    }
    const batch = options.singleTransaction === true || options.dryRun === true;
    return this.locked(finish, async () => {
      // A batch makes (or upgrades) the ledger inside its transaction: a dry run leaves no trace, not even the table.
      if (!batch) await this.ledger.ensure();
      const entries = await this.ledger.readApplied();
      this.checkDrift(entries);
      const pending = pendingFiles(this.files, entries, options.to);
      if (pending.length > 0) await this.ensureHost();
      const plan = this.loadAhead(pending, options.step, results);
      if (batch) {
        await runBatch(this.context, plan, results, statements, options.beforeRollback);
      } else {
        await this.runSequence(plan, 'up', results);
      }
    });
  }

  async down(options: DownOptions = {}): Promise<RunResult> {
    const results: MigrationResult[] = [];
    const finish = (error: RunError | null): RunResult => ({ ok: error === null, results, error });
    if (options.to !== undefined && !this.files.has(options.to)) {
      return finish(unknownTarget(options.to, 'down'));
    }
    return this.locked(finish, async () => {
      const entries = await this.ledger.readApplied();
      const plan = downPlan(entries, this.files, options);
      this.checkDrift(entries.filter((entry) => plan.some((file) => file.id === entry.id)));
      // Nothing to revert makes no ledger: the table (or its checksum column) only when a step is taken.
      if (plan.length > 0) await this.ledger.ensure();
      if (plan.length > 0) await this.ensureHost();
      for (const file of plan) checkRevertible(file, this.compileOrFail(file), this.engine); // nothing changes unless every step can be undone
      await this.runSequence(plan, 'down', results);
    });
  }

  /**
   * Reverts the last `step` applied migrations (default 1) and applies exactly those again, under one lock: another
   * pending migration (one that sorts earlier, say) is neither applied nor reported, and no other runner gets in
   * between. Drift stops it as it stops `up`.
   */
  async redo(options: { step?: number } = {}): Promise<RunResult> {
    const results: MigrationResult[] = [];
    const finish = (error: RunError | null): RunResult => ({ ok: error === null, results, error });
    return this.locked(finish, async () => {
      const entries = await this.ledger.readApplied();
      const plan = downPlan(entries, this.files, { step: options.step ?? 1 });
      this.checkDrift(entries);
      if (plan.length > 0) await this.ledger.ensure();
      if (plan.length > 0) await this.ensureHost();
      for (const file of plan) checkRevertible(file, this.compileOrFail(file), this.engine);
      await this.runSequence(plan, 'down', results);
      await this.runSequence([...plan].reverse(), 'up', results);
    });
  }

  /**
   * A failure before or between migrations: on a driver that is closed (by its owner, or by the server or the network)
   * it is a connection failure, whatever statement found out.
   */
  private runError(error: unknown, phase: RunPhase): RunError {
    const runError = toRunError(error, phase);
    if (runError.migration !== null || this.driver.isClosed?.() !== true) return runError;
    return connectionClosed(this.driver, runError.message);
  }

  /** Frees the Lua values of compiled files. The driver stays open: it belongs to the caller. */
  dispose(): void {
    // A host this migrator made is dropped whole (its Lua state goes with it), instead of one release per file.
    if (this.luaHost && !this.options.host && !this.options.loadHost) this.luaHost = null;
    else for (const compiled of this.compiled.values()) this.host.release(compiled);
    this.compiled.clear();
  }

  /**
   * Loads the Lua machinery (fengari and the prelude) before the first file is compiled. Commands that only read the
   * ledger never pay for it: status on applied migrations, an up with nothing pending.
   */
  private async ensureHost(): Promise<void> {
    if (this.luaHost) return;
    const host = this.options.loadHost
      ? await this.options.loadHost()
      : new (await import('./lua/host.ts')).LuaHost(this.options.limits);
    this.luaHost ??= host;
  }

  private get host(): LuaHost {
    if (!this.luaHost) throw new Error('internal: a migration file was compiled before the Lua host was loaded');
    return this.luaHost;
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The description of a pending file, or '' when it does not load (status never fails for that). */
  private describe(file: MigrationFile): string {
    try {
      return this.compile(file).description;
    } catch {
      return '';
    }
  }

  private checkDrift(entries: AppliedMigration[]): void {
    if (!this.options.allowDrift) checkDrift(entries, this.files);
  }

  private compile(file: MigrationFile): CompiledMigration {
    const key = `${file.id}\0${file.checksum}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = this.host.compile(file.file, file.source);
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  /**
   * The files `up` will run, each loaded before any is applied: a file that does not load (a Lua syntax error, a
   * misused DSL) stops the run with nothing changed, as any other bad file does (exit 2), instead of after the
   * migrations before it committed. `step` counts the files with a block for this engine; the skipped ones before the
   * last of those are kept, to be reported. Loading them in one loop also keeps the compiler's work out of the
   * stretch between a migration's statements and its commit.
   */
  private loadAhead(pending: MigrationFile[], step: number | undefined, results: MigrationResult[]): MigrationFile[] {
    const plan: MigrationFile[] = [];
    let runnable = 0;
    for (const file of pending) {
      if (step !== undefined && runnable >= step) break;
      const started = performance.now();
      try {
        if (this.compileOrFail(file).blocks[this.engine]) runnable++;
      } catch (error) {
        results.push(upResult(file.id, 'failed', started));
        throw error;
      }
      plan.push(file);
    }
    return plan;
  }

  private compileOrFail(file: MigrationFile): CompiledMigration {
    try {
      return this.compile(file);
    } catch (error) {
      if (error instanceof LoadError) throw new RunFailure(fromLuaFailure(file.id, 'load', error.failure));
      throw error;
    }
  }

  /** Holds the run lock around `work`; every failure becomes the result's error. */
  private async locked(finish: (error: RunError | null) => RunResult, work: () => Promise<void>): Promise<RunResult> {
    let release: (() => Promise<void>) | null = null;
    try {
      release = await this.driver.lock(this.options.lockTimeoutMs ?? 60_000);
    } catch (error) {
      return finish(this.runError(error, 'lock'));
    }
    try {
      await this.sessions.capture();
      await work();
      await this.sessions.restore(null);
      return finish(null);
    } catch (error) {
      await this.sessions.restoreQuietly();
      return finish(this.runError(error, 'internal'));
    } finally {
      this.sessions.forget();
      try {
        await release();
      } catch {
        // The lock dies with its connection anyway.
      }
    }
  }

  /** Migrations one after another, each in its own transaction (their files are loaded already). */
  private async runSequence(files: MigrationFile[], direction: Direction, results: MigrationResult[]) {
    for (const file of files) {
      try {
        // Between transactions: a lease-based run lock is extended here, never from inside a migration.
        await control(file.id, 'lock', () => this.driver.renewLock?.());
        results.push(await runOne(this.context, file, direction));
        // One file cannot change what the next one sees: PRAGMAs, SET, USE, TEMP tables go back as they were.
        await this.sessions.restore(file.id);
      } catch (error) {
        if (error instanceof RunFailureWithResult) results.push(error.result);
        throw error;
      }
    }
  }

  private emit(event: MigratorEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A broken listener must not break a migration run.
    }
  }
}
