/**
 * One `moonwalk` command, in this thread: reads the folder, opens the database, hands both to the core, prints the
 * result (human lines, or one JSON document with --json) and answers the exit code of DESIGN §5. src/cli/launch.ts
 * decides the thread: this one, or a capped worker (src/cli/capped-worker.ts) for what runs Lua.
 */
import { writeNewMigration } from './new-migration.ts';
import { indentLines } from './terminal-text.ts';
import { FLEET_COMMANDS, UsageError, type ArgsOf, type ParsedArgs } from './args.ts';
import { migrationIds, readMigrationsDir } from '../lib/migrations-dir.ts';
import { withEnvFile } from './env-file.ts';
import { GithubAnnotations } from './github-annotations.ts';
import { ConnectError, EXIT, fail, nodeIo, startCommand, type Io } from './command-io.ts';
import { jsonValue, renderResultLine, renderRunSummary, renderStatus } from './render.ts';
import { jsonRunResult, statusDocument } from '../core/documents.ts';
import {
  absentDatabase,
  openDatabase,
  DatabaseUrlError,
  sqliteFilePath,
  type Access,
} from '../drivers/node/open-database.ts';
import { DEFAULT_LIMITS } from '../core/lua/limits.ts';
import { literalDescription } from '../core/lua/literal-description.ts';
import type { Driver, Engine } from '../core/driver.ts';
import { forCommand } from './remedies.ts';
import { describeRunError, type RunError, type RunResult } from '../core/results.ts';
import type { MigratorOptions } from '../core/migrator.ts';
import type { MigrationFile } from '../core/migration-files.ts';

/**
 * lint, verify, schema and diff (lint rules, snapshots, the diff): loaded by those commands only, so that `up` and
 * `status`, which every deploy runs, do not load them.
 */
const inspect = () => import('./inspect.ts');

/** What `runCommand` answers, having printed nothing, when asked to run without Lua a command that would run some. */
export const NEEDS_LUA = -1;

export { EXIT, type CliEvent, type Io } from './command-io.ts';

export interface RunOptions {
  /**
   * Run only what runs no Lua code: launch.ts tries `up` on its main thread this way, which saves the worker thread
   * when every migration is applied (a deploy's usual `up`). Anything else answers NEEDS_LUA: a pending migration,
   * a database that is not a SQLite file (opening it twice would cost a connection or a PGlite start), `--targets`.
   */
  withoutLua?: boolean;
  /** Without Lua: the caller has just found every migration applied (src/cli/pending-at-start.ts); no second look. */
  nothingPending?: boolean;
  /**
   * The command runs on a thread without the worker's memory cap (launch.ts's main thread, for commands that run no
   * Lua). `status` there reads pending files' descriptions from their text; a file whose description only its code
   * can tell answers NEEDS_LUA, and the capped worker runs the command instead.
   */
  uncapped?: boolean;
  /**
   * The migrations of folder `dir` when the caller has read them already (the main thread reads them while the worker
   * starts): null, or a promise of null, and the folder is read here.
   */
  files?: (dir: string) => Promise<MigrationFile[] | null> | null;
}

export async function runCommand(argv: string[], rawIo: Io = nodeIo, options: RunOptions = {}): Promise<number> {
  const started = startCommand(argv, rawIo);
  if (typeof started === 'number') return started;
  const { args, io, json, annotate } = started;
  if (args.command === 'lint') return (await import('./lint-command.ts')).lintCommand(args, io, annotate);
  // What a failure's --json document names: the command, and its database URL once the environment is read.
  const dbFlag = 'db' in args.flags ? args.flags.db : undefined;
  const failed = { name: args.command, url: dbFlag ?? io.env.DATABASE_URL ?? '' };
  try {
    const env = withEnvFile(io.env, args.flags['env-file']);
    failed.url = dbFlag ?? env.DATABASE_URL ?? '';
    const dir = args.flags.dir ?? env.MOONWALK_DIR ?? 'migrations';
    if (args.command === 'new') {
      const path = await writeNewMigration(dir, args.positional[0]);
      if (json) io.out(JSON.stringify({ ok: true, file: path }));
      else io.out(`Created ${path}`);
      return EXIT.ok;
    }
    const withoutLua = options.withoutLua === true;
    if (withoutLua && (args.command !== 'up' || args.flags.targets !== undefined)) return NEEDS_LUA;
    // Without Lua (a no-op `up` on the main thread), whether anything is pending is told from the folder's names
    // before a file is read and hashed: with one pending, the worker runs the command and no file was read twice.
    const ids = withoutLua && !options.nothingPending ? migrationIds(dir) : [];
    if (ids === null) return NEEDS_LUA;
    const readFiles = async () => (await options.files?.(dir)) ?? readMigrationsDir(dir);
    let files = withoutLua ? [] : await readFiles();
    let github = annotate ? new GithubAnnotations(annotate, dir, files) : null;
    if (options.uncapped === true && args.command === 'status' && !files.every(hasLiteralDescription)) return NEEDS_LUA;
    if (args.command === 'trace') {
      const { openTraceDatabase, runTrace, allowedCodes } = await import('./trace-command.ts');
      const driver = await openTraceDatabase(args.flags.db);
      try {
        const { result, error } = await runTrace(
          driver,
          files,
          runnerOptions(args),
          allowedCodes(args.flags.allow),
          io,
          json,
        );
        return error ? exitCodeFor(error) : result.ok ? EXIT.ok : EXIT.failed;
      } finally {
        await driver.close();
      }
    }
    if (isFleetCommand(args) && args.flags.targets !== undefined)
      return await runOnTargets(args, args.flags.targets, files, io, json, github);
    // verify without --db replays everything on a throwaway in-memory database (DATABASE_URL is not used for it).
    const throwaway = args.command === 'verify' && args.flags.db === undefined ? (args.flags.engine ?? 'sqlite') : null;
    const url = throwaway ? '' : (args.flags.db ?? env.DATABASE_URL ?? '');
    if (!url && !throwaway) {
      throw new UsageError(
        'no database: pass --db URL (e.g. --db sqlite:app.db) or set DATABASE_URL (in the environment or in .env)',
      );
    }
    if (withoutLua && sqliteFilePath(url) === null) return NEEDS_LUA;
    io.event?.({ type: 'connecting' });
    const driver = throwaway ? await (await inspect()).openThrowaway(throwaway) : await connect(url, args);
    io.event?.({ type: 'connected' });
    try {
      if (withoutLua) {
        if (!options.nothingPending && (await anyPending(driver, ids))) return NEEDS_LUA;
        files = await readFiles();
        github = annotate ? new GithubAnnotations(annotate, dir, files) : null;
      }
      return await runOnDatabase(args, driver, files, io, json, github, withoutLua || options.uncapped === true);
    } catch (error) {
      // The server or the network ended the connection (schema, diff): a connection failure, as DESIGN §5 says.
      if (driver.isClosed?.() === true) throw new ConnectError(error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      await driver.close();
    }
  } catch (error) {
    return fail(io, json, error, annotate, failed);
  }
}

/** Whether `status` can show the file's description without running it (src/core/lua/literal-description.ts). */
function hasLiteralDescription(file: MigrationFile): boolean {
  return literalDescription(file.source) !== null;
}

/** Whether a migration is not in the ledger yet; an unreadable ledger counts as pending (the real run reports it). */
async function anyPending(driver: Driver, ids: string[]): Promise<boolean> {
  try {
    const { Ledger } = await import('../core/ledger.ts');
    const applied = new Set((await new Ledger(driver).readApplied()).map((entry) => entry.id));
    return ids.some((id) => !applied.has(id));
  } catch {
    return true;
  }
}

/** The Lua host of a run that must run no Lua: a migration became pending since anyPending looked. */
const refuseLua = () =>
  Promise.reject(
    new Error('a migration became pending while moonwalk started (another runner reverted it?): run the command again'),
  );

async function connect(url: string, args: ParsedArgs): Promise<Driver> {
  const connectTimeoutMs = (args.flags['connect-timeout'] ?? 10) * 1000;
  try {
    const { lockTimeoutMs } = runnerOptions(args);
    return await openDatabase(url, {
      connectTimeoutMs,
      lock: args.flags.lock,
      access: accessOf(args, url),
      lockTimeoutMs,
    });
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new UsageError(error.message);
    throw new ConnectError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Commands that only look make and change nothing; a dry run and diff roll back what they run (open-database.ts).
 * down and redo have nothing to revert in a SQLite file or PGlite directory that is not there: they make none.
 */
function accessOf(args: ParsedArgs, url: string): Access {
  if (args.command === 'status' || args.command === 'schema') return 'read';
  if (args.command === 'diff' || (args.command === 'up' && args.flags['dry-run'] === true)) return 'rollback';
  if ((args.command === 'down' || args.command === 'redo') && absentDatabase(url) !== null) return 'read';
  return 'write';
}

/** What every run takes from the command line: the Lua limits, the lock wait, drift. */
function runnerOptions(args: ParsedArgs): Omit<MigratorOptions, 'driver' | 'files'> {
  return {
    limits: {
      instructions: args.flags['max-instructions'] ?? DEFAULT_LIMITS.instructions,
      luaTimeMs: (args.flags['max-lua-seconds'] ?? DEFAULT_LIMITS.luaTimeMs / 1000) * 1000,
    },
    lockTimeoutMs: (args.flags['lock-timeout'] ?? 60) * 1000,
    allowDrift: args.flags['allow-drift'] === true,
    retries: 'retries' in args.flags ? (args.flags.retries ?? 0) : 0,
  };
}

type FleetCommand = (typeof FLEET_COMMANDS)[number];

function isFleetCommand(args: ParsedArgs): args is ArgsOf<FleetCommand> {
  return FLEET_COMMANDS.some((command) => command === args.command);
}

/** `--targets FILE`: up, down or status on every target of the file (src/cli/fleet-command.ts). */
async function runOnTargets(
  args: ArgsOf<FleetCommand>,
  targetsFile: string,
  files: MigrationFile[],
  io: Io,
  json: boolean,
  github: GithubAnnotations | null,
): Promise<number> {
  if (args.command === 'up' && (args.flags['single-transaction'] === true || args.flags['dry-run'] === true)) {
    throw new UsageError('--single-transaction and --dry-run take one --db database, not --targets');
  }
  const { readTargetsFile } = await import('./targets-file.ts');
  const { runFleetCommand } = await import('./fleet-command.ts');
  const targets = readTargetsFile(targetsFile);
  const run = args.command === 'status' ? undefined : args.flags;
  const step = run?.step;
  const to = run?.to;
  return runFleetCommand({
    command: args.command,
    targets,
    files,
    parallel: args.flags.parallel ?? 4,
    failFast: args.flags['fail-fast'] === true,
    json,
    connect: (target) => connect(target.url, args),
    migrator: runnerOptions(args),
    up: { step, to },
    down: { step, to, all: args.command === 'down' && args.flags.all === true },
    out: io.out,
    err: io.err,
    exitCode: args.command === 'status' && args.flags['exit-code'] === true,
    github,
  });
}

async function runOnDatabase(
  args: ParsedArgs,
  driver: Driver,
  files: Awaited<ReturnType<typeof readMigrationsDir>>,
  io: Io,
  json: boolean,
  github: GithubAnnotations | null,
  withoutLua = false,
): Promise<number> {
  // Loaded here, not at the top: lint, new and --help never run a migration and need not load the runner and Lua.
  const { Migrator } = await import('../core/migrator.ts');
  const migrator = new Migrator({
    driver,
    files,
    ...runnerOptions(args),
    ...(withoutLua ? { loadHost: refuseLua } : {}),
    onEvent: (event) => {
      io.event?.(event);
      if (json || args.command === 'verify' || args.command === 'diff') return;
      if (event.type === 'done') io.out(renderResultLine(event.result));
      if (event.type === 'output')
        for (const line of event.lines) io.out(`    [${event.id}] ${indentLines(line, '    ')}`);
    },
  });
  try {
    switch (args.command) {
      case 'status': {
        const status = await migrator.status();
        // A database whose ledger could not be read is never shown as an empty list: the error says why.
        const statusError = status.error ? forCommand(status.error, driver.engine) : null;
        if (json) {
          io.out(
            JSON.stringify({
              ...statusDocument({ ...status, error: statusError }),
              ...(driver.lockInfo ? { lock: driver.lockInfo.strategy } : {}),
            }),
          );
        } else if (statusError) io.err(`Error: ${describeRunError(statusError)}`);
        else io.out(renderStatus(status, driver.target, driver.lockInfo));
        if (statusError) return exitCodeFor(statusError);
        // --exit-code: a deploy gate, 1 until every migration is applied and unchanged.
        const settled = status.migrations.every((m) => m.status === 'applied');
        return args.flags['exit-code'] === true && !settled ? EXIT.failed : EXIT.ok;
      }
      case 'up':
        return report(
          io,
          json,
          github,
          'up',
          await migrator.up({
            step: args.flags.step,
            to: args.flags.to,
            singleTransaction: args.flags['single-transaction'] === true,
            dryRun: args.flags['dry-run'] === true,
          }),
          driver.engine,
        );
      case 'down':
        return report(
          io,
          json,
          github,
          'down',
          await migrator.down({ step: args.flags.step, to: args.flags.to, all: args.flags.all === true }),
          driver.engine,
        );
      case 'redo':
        return report(io, json, null, 'redo', await migrator.redo({ step: args.flags.step }), driver.engine);
      case 'verify':
        if (args.flags.engine !== undefined && args.flags.engine !== driver.engine) {
          throw new UsageError(
            `--engine ${args.flags.engine} does not match the --db database, which is ${driver.engine}`,
          );
        }
        {
          const commands = await inspect();
          const throwaway = args.flags.db === undefined;
          // On a throwaway database verify carries on past a migration whose second up fails, on a fresh one.
          const replay = throwaway
            ? {
                open: () => commands.openThrowaway(driver.engine),
                migrator: (fresh: Driver) => new Migrator({ driver: fresh, files, ...runnerOptions(args) }),
              }
            : undefined;
          return await commands.runVerify(migrator, driver, io, json, throwaway, github, replay);
        }
      case 'schema':
        return await (await inspect()).runSchema(driver, io, json);
      case 'diff':
        return await (await inspect()).runDiff(migrator, driver, io, json);
      default:
        throw new UsageError(`moonwalk ${args.command} is not available yet`);
    }
  } finally {
    migrator.dispose();
  }
}

function report(
  io: Io,
  json: boolean,
  github: GithubAnnotations | null,
  verb: 'up' | 'down' | 'redo',
  run: RunResult,
  engine: Engine,
): number {
  const result = run.error ? { ...run, error: forCommand(run.error, engine) } : run;
  if (json) io.out(JSON.stringify(jsonRunResult(result), jsonValue));
  else {
    const summary = renderRunSummary(result, verb);
    if (result.error) io.err(summary.trimStart());
    else io.out(summary);
  }
  if (result.error) github?.runError(result.error);
  return result.error ? exitCodeFor(result.error) : EXIT.ok;
}

/**
 * Files and configuration problems are 2 (a Lua syntax error, a modified or missing file, an unknown --to id), and so
 * is a database that cannot be reached (a connection the server or the network closed before or between migrations);
 * a migration that failed is 1, a `down` that does not exist included.
 */
function exitCodeFor(error: RunError): number {
  return error.phase === 'load' || error.phase === 'check' || error.phase === 'connect' ? EXIT.usage : EXIT.failed;
}
