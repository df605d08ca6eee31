/**
 * What each tool of `moonwalk mcp` does (DESIGN §9), inside the sandbox worker: the same work as the command's
 * `lint`, `verify`, `up`, `up --dry-run`, `status` and `schema`, answered as their `--json` documents, with each
 * failure split into fields an agent can act on (./hints.ts). Never throws: a problem is a document with `ok: false`.
 *
 * Where the migrations come from and where they run:
 * - `migrations` given: those texts, on a throwaway database of `engine` (sqlite by default);
 * - left out: the files of `--dir`, on the server's `--db` database when it has one (writing there only with
 *   `--allow-write`), else on a throwaway database.
 */
import type { Driver, Engine } from '../../core/driver.ts';
import type { Limits } from '../../core/lua/limits.ts';
import { LINT_CODES, lintMigrations, type LintFinding } from '../../core/lint/index.ts';
import { migrationFiles, type MigrationFile } from '../../core/migration-files.ts';
import { Migrator } from '../../core/migrator.ts';
import type { RunError, RunResult } from '../../core/results.ts';
import { compareEngineSnapshots } from '../../core/schema/compare-engines.ts';
import { diffSnapshots } from '../../core/schema/diff.ts';
import { takeSnapshot } from '../../core/schema/snapshot.ts';
import type { SchemaSnapshot } from '../../core/schema/types.ts';
import { maskPassword, openDatabase } from '../../drivers/node/open-database.ts';
import { lintDocument, verifyDocument } from '../../lib/documents.ts';
import { readLintConfig, readMigrationsDir } from '../../lib/migrations-dir.ts';
import { jsonValue } from '../render.ts';
import { jsonRunResult, statusDocument } from '../../core/documents.ts';
import { commandDescriber, forCommand, verifyEntryForCommand } from '../remedies.ts';
import { agentError, agentVerifyEntry, type AgentError } from './hints.ts';
import type { ToolInput, ToolName } from './contract.ts';
import type { Throwaways } from './throwaway.ts';

/** How the server was started: `moonwalk mcp [--db URL] [--dir FOLDER] [--allow-write]` and the limits. */
export interface ServerConfig {
  db?: string;
  /** The folder given with --dir, or undefined (then ./migrations, when it exists). */
  dir?: string;
  allowWrite: boolean;
  limits: Limits;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
}

/** A tool's answer: its document (structured content) and whether it is a failure (`isError`). */
export interface ToolAnswer {
  document: Record<string, unknown>;
  isError: boolean;
}

/** A problem found before anything ran (bad input, a refused write, no database): an `ok: false` document. */
class Refusal extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const DEFAULT_DIR = 'migrations';

/** The migrations a call works on, and whether they came from the call (then they run on a throwaway database). */
interface Source {
  files: MigrationFile[];
  inline: boolean;
}

async function source(input: ToolInput, config: ServerConfig): Promise<Source> {
  if (input.migrations !== undefined) {
    if (input.migrations.length === 0)
      throw new Refusal(
        'migrations is empty: give at least one {"id", "text"}, or leave it out to use the server\'s folder',
      );
    const seen = new Set<string>();
    const entries = input.migrations.map((m) => {
      const id = m.id.replace(/\.lua$/, '');
      if (id === '' || /[\\/]/.test(id))
        throw new Refusal(`"${m.id}" is not a migration id: use a file name without .lua, e.g. 0001_create_users`);
      if (seen.has(id)) throw new Refusal(`two migrations have the id ${id}: each id must be unique`);
      seen.add(id);
      return { name: `${id}.lua`, text: m.text };
    });
    return { files: migrationFiles(entries), inline: true };
  }
  const dir = config.dir ?? DEFAULT_DIR;
  try {
    return { files: await readMigrationsDir(dir), inline: false };
  } catch (error) {
    throw new Refusal(
      `no migrations were given and the server's folder cannot be read: ${messageOf(error)}`,
      'Pass the migrations in the call ("migrations": [{"id": "0001_create_users", "text": "return require(\\"migration\\")…"}]), ' +
        'or start the server with --dir FOLDER.',
    );
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Refuses a call that would write to the server's database when it was not started with --allow-write. */
function refuseWrite(tool: ToolName, config: ServerConfig): void {
  if (config.allowWrite) return;
  throw new Refusal(
    `${tool} would write to the server's database ${maskPassword(config.db!)}, and the server was started without ` +
      `--allow-write: nothing was written. Start it with --allow-write to let tools write there.`,
    'To try migrations without touching that database, pass them in the call ("migrations": [{"id", "text"}]): ' +
      'they then run on a throwaway database.',
  );
}

/** The database a call runs on, and how to give it back. */
interface Target {
  driver: Driver;
  throwaway: boolean;
  done(): Promise<void>;
}

async function target(
  tool: ToolName,
  engine: Engine | undefined,
  from: Source,
  config: ServerConfig,
  throwaways: Throwaways,
  writes: boolean,
): Promise<Target> {
  if (from.inline || config.db === undefined) {
    const driver = await throwaways.open(engine ?? 'sqlite');
    return { driver, throwaway: true, done: () => throwaways.release(driver) };
  }
  if (writes) refuseWrite(tool, config);
  let driver: Driver;
  try {
    // dry_run rolls back all it runs: like status and schema, it makes no file, directory or lock file.
    const access = writes ? 'write' : 'rollback';
    const { connectTimeoutMs, lockTimeoutMs } = config;
    driver = await openDatabase(config.db, { connectTimeoutMs, lockTimeoutMs, access });
  } catch (error) {
    throw new Refusal(`cannot open the server's database ${maskPassword(config.db)}: ${messageOf(error)}`);
  }
  if (engine !== undefined && engine !== driver.engine) {
    await driver.close().catch(() => {});
    throw new Refusal(
      `engine is ${engine}, but the server's database is ${driver.engine}: leave engine out, or pass migrations to run them on a throwaway ${engine} database`,
    );
  }
  return { driver, throwaway: false, done: () => driver.close() };
}

/** Told each migration as it starts (the sandbox names it when a call is stopped from outside). */
let onStart: (migration: string) => void = () => {};

function migratorFor(driver: Driver, files: MigrationFile[], config: ServerConfig): Migrator {
  return new Migrator({
    driver,
    files,
    limits: config.limits,
    lockTimeoutMs: config.lockTimeoutMs,
    onEvent: (event) => {
      if (event.type === 'start') onStart(event.id);
    },
  });
}

/** The findings lint has for `files`: the hints quote them. Lint never throws on bad Lua, but be safe. */
function findingsOf(files: MigrationFile[]): LintFinding[] {
  try {
    return lintMigrations(files.map((f) => ({ file: f.file, source: f.source })));
  } catch {
    return [];
  }
}

/** A run's `--json` document with its error made actionable. */
function runDocument(result: RunResult, engine: Engine, findings: LintFinding[]): Record<string, unknown> {
  return {
    ...jsonRunResult(result),
    error: result.error ? agentError(forCommand(result.error, engine), engine, findings) : null,
  };
}

async function snapshot(driver: Driver): Promise<SchemaSnapshot> {
  return takeSnapshot(driver, { rows: true });
}

// ---------------------------------------------------------------------------------------------------------------

async function lint(input: ToolInput, config: ServerConfig): Promise<Record<string, unknown>> {
  const from = await source(input, config);
  // The folder's .moonwalk-lint.json applies to its files, as for `moonwalk lint`.
  let disabled: string[] = [];
  try {
    if (!from.inline) disabled = readLintConfig(config.dir ?? DEFAULT_DIR, LINT_CODES);
  } catch (error) {
    throw new Refusal(messageOf(error));
  }
  return lintDocument(from.files, { disabled });
}

/**
 * Runs `work` with a migrator over the call's migrations on the call's database (`writes`: whether the tool writes
 * there, refused on the server's database without --allow-write), then lets both go.
 */
async function onTarget<T>(
  tool: ToolName,
  input: ToolInput,
  context: { config: ServerConfig; throwaways: Throwaways; writes: boolean },
  work: (call: { migrator: Migrator; db: Target; files: MigrationFile[] }) => Promise<T>,
): Promise<T> {
  const { config, throwaways, writes } = context;
  const from = await source(input, config);
  const db = await target(tool, input.engine, from, config, throwaways, writes);
  const migrator = migratorFor(db.driver, from.files, config);
  try {
    return await work({ migrator, db, files: from.files });
  } finally {
    migrator.dispose();
    await db.done();
  }
}

async function verify(input: ToolInput, config: ServerConfig, throwaways: Throwaways) {
  // verify on the server's database leaves the verified migrations applied: a write.
  return onTarget('verify', input, { config, throwaways, writes: true }, async ({ migrator, db, files }) => {
    const engine = db.driver.engine;
    const document = await verifyDocument(migrator, db.driver, undefined, commandDescriber(engine));
    const findings = findingsOf(files);
    return {
      ...document,
      throwaway: db.throwaway,
      migrations: document.migrations.map((entry) =>
        agentVerifyEntry(verifyEntryForCommand(entry, engine), engine, findings),
      ),
      error: document.error ? agentError(forCommand(document.error, engine), engine, findings) : null,
    };
  });
}

async function apply(input: ToolInput, config: ServerConfig, throwaways: Throwaways) {
  return onTarget('apply', input, { config, throwaways, writes: true }, async ({ migrator, db, files }) => {
    const before = await snapshot(db.driver);
    const run = await migrator.up(input.to !== undefined ? { to: input.to.replace(/\.lua$/, '') } : {});
    const after = await snapshot(db.driver);
    return {
      ...runDocument(run, db.driver.engine, findingsOf(files)),
      throwaway: db.throwaway,
      schema: after,
      diff: diffSnapshots(before, after),
    };
  });
}

async function dryRun(input: ToolInput, config: ServerConfig, throwaways: Throwaways) {
  // A dry run rolls everything back: allowed on the server's database without --allow-write.
  return onTarget('dry_run', input, { config, throwaways, writes: false }, async ({ migrator, db, files }) => {
    const run = await migrator.up({ dryRun: true });
    return { ...runDocument(run, db.driver.engine, findingsOf(files)), throwaway: db.throwaway };
  });
}

/** Every migration up on a throwaway SQLite and a throwaway PostgreSQL; where the two schemas differ in meaning. */
async function compareEngines(input: ToolInput, config: ServerConfig, throwaways: Throwaways) {
  const { files } = await source(input, config);
  const findings = findingsOf(files);
  const runs: Record<string, unknown> = {};
  const snapshots: SchemaSnapshot[] = [];
  let ok = true;
  for (const engine of ['sqlite', 'postgres'] as const) {
    const driver = await throwaways.open(engine);
    const migrator = migratorFor(driver, files, config);
    try {
      const run = await migrator.up();
      ok &&= run.ok;
      runs[engine] = runDocument(run, engine, findings);
      snapshots.push(await snapshot(driver));
    } finally {
      migrator.dispose();
      await throwaways.release(driver);
    }
  }
  const comparison = compareEngineSnapshots(snapshots[0], snapshots[1]);
  return { ok, engines: comparison.engines, findings: comparison.findings, runs };
}

async function status(config: ServerConfig) {
  const db = await serverDatabase('status', config);
  try {
    const files = await source({}, config).then((s) => s.files);
    const migrator = migratorFor(db, files, config);
    try {
      const result = await migrator.status();
      return { ...statusDocument(result), ok: result.error === null };
    } finally {
      migrator.dispose();
    }
  } finally {
    await db.close().catch(() => {});
  }
}

async function schema(config: ServerConfig) {
  const db = await serverDatabase('schema', config);
  try {
    return { ...(await snapshot(db)) };
  } finally {
    await db.close().catch(() => {});
  }
}

async function serverDatabase(tool: ToolName, config: ServerConfig): Promise<Driver> {
  if (config.db === undefined) {
    throw new Refusal(
      `${tool} looks at the server's database, and the server was started without one: start it with --db URL ` +
        '(sqlite:PATH, pglite:DIR, postgres://…, mysql://…).',
      'To see what migrations do to a schema without a database, call apply: it answers with the schema and the diff.',
    );
  }
  try {
    const { connectTimeoutMs, lockTimeoutMs } = config;
    return await openDatabase(config.db, { connectTimeoutMs, lockTimeoutMs, access: 'read' });
  } catch (error) {
    throw new Refusal(`cannot open the server's database ${maskPassword(config.db)}: ${messageOf(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Plain JSON: 64-bit integers as digits and bytes as hex, as `--json` prints them. */
function plain(document: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(document, jsonValue)) as Record<string, unknown>;
}

/** Each tool's work: its document, or a throw that `runTool` answers as a failed one. */
const TOOLS: Record<
  ToolName,
  (input: ToolInput, config: ServerConfig, throwaways: Throwaways) => Promise<Record<string, unknown>>
> = {
  lint: (input, config) => lint(input, config),
  verify,
  apply,
  dry_run: dryRun,
  compare_engines: compareEngines,
  status: (_input, config) => status(config),
  schema: (_input, config) => schema(config),
};

export async function runTool(
  tool: ToolName,
  input: ToolInput,
  config: ServerConfig,
  throwaways: Throwaways,
  running: (migration: string) => void = () => {},
): Promise<ToolAnswer> {
  onStart = running;
  let document: Record<string, unknown>;
  try {
    document = await TOOLS[tool](input, config, throwaways);
  } catch (error) {
    document = { ok: false, error: failure(error) };
  }
  return { document: plain(document), isError: document.ok === false };
}

function failure(error: unknown): AgentError {
  if (error instanceof Refusal)
    return {
      code: 'refused',
      migration: null,
      phase: 'check',
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  const runError: RunError = { code: 'internal', migration: null, phase: 'internal', message: messageOf(error) };
  return agentError(runError, null, []);
}
