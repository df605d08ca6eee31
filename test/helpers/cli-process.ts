/**
 * The `moonwalk` command as a child process (`node bin/moonwalk.js …`, the compiled CLI of `npm run build:cli`), and
 * what a test needs to look inside the database it ran against, on every engine (SQLite, PostgreSQL, MySQL).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../src/cli/command.ts';
import type { Driver, SqlValue } from '../../src/core/driver.ts';
import { LEDGER_TABLE } from '../../src/core/ledger.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'moonwalk.js');

/** The newest modification time of the `.ts` files under `dir`. */
function newestSource(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      latest = Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * `npm test` builds the CLI (lib/, the bundle bin/moonwalk.js runs, and dist/) before vitest runs; a test run started
 * by hand builds it here when those are older than the command's sources. tsc writes dist/ even when another file in the tree has a type error, so only a
 * missing output stops the tests.
 */
export function ensureCliBuilt(): void {
  const built = [
    path.join(ROOT, 'lib', 'launch.js'),
    path.join(ROOT, 'lib', 'capped-worker-thread.js'),
    path.join(ROOT, 'lib', 'lint.js'),
    path.join(ROOT, 'dist', 'src', 'cli', 'command.js'),
  ];
  const sources = Math.max(
    ...['src/cli', 'src/core', 'src/drivers', 'src/lib'].map((d) => newestSource(path.join(ROOT, d))),
  );
  if (built.every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= sources)) return;
  const build = spawnSync('npm', ['run', 'build:cli'], { cwd: ROOT, encoding: 'utf8' });
  if (!built.every((f) => fs.existsSync(f)))
    throw new Error(`npm run build:cli wrote no lib/ or dist/: ${build.stdout}\n${build.stderr}`);
}

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliOutcome>;
}

export interface CliOptions {
  /** Added to this process's environment, which is passed on without DATABASE_URL unless this gives it. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Node's own arguments, before the script (e.g. `--`, after which Node reads no option of its own). */
  nodeArgs?: string[];
  /** Another script to run instead of bin/moonwalk.js, with the same arguments. */
  script?: string;
  /** Sees the output so far as it arrives, and may act on the child (send it a signal). */
  onStdout?: (stdout: string, child: ChildProcess) => void;
}

/** Starts `moonwalk …`; `done` settles when it exits. */
export function startCli(args: string[], options: CliOptions = {}): CliRun {
  const started = performance.now();
  const env = { ...process.env, ...options.env };
  delete env.DATABASE_URL;
  if (options.env?.DATABASE_URL) env.DATABASE_URL = options.env.DATABASE_URL;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script ?? BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    options.onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return { child, done };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliOutcome> {
  return startCli(args, options).done;
}

/** `runCommand` in this process (no worker thread, no child process), with its output captured. */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliOutcome> {
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    out: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    env,
  });
  return { code, signal: null, stdout, stderr, ms: performance.now() - started };
}

/** The one JSON document, on one line, of a `--json` run (throws with the output when there is none). */
export function json<T = any>(outcome: CliOutcome): T {
  const lines = outcome.stdout.trim().split('\n');
  try {
    if (lines.length !== 1) throw new Error('not one line');
    return JSON.parse(lines[0]) as T;
  } catch {
    throw new Error(
      `not one JSON document on stdout (exit ${outcome.code}):\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Looking inside, on any engine

/** Reads a database through a driver opened for the purpose and closed again (a SQLite file is not held open). */
export async function inspectDatabase<T>(url: string, read: (driver: Driver) => Promise<T>): Promise<T> {
  const driver = await openDatabase(url, { connectTimeoutMs: 5000 });
  try {
    return await read(driver);
  } finally {
    await driver.close();
  }
}

export async function column(driver: Driver, sql: string, params: SqlValue[] = []): Promise<SqlValue[]> {
  return (await driver.query(sql, params)).rows.map((row) => row[0]);
}

export async function rows(driver: Driver, sql: string, params: SqlValue[] = []): Promise<Record<string, SqlValue>[]> {
  const result = await driver.query(sql, params);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
}

/** The user's tables (the ledger left out), by name, in the current schema / database. */
export async function tables(driver: Driver): Promise<string[]> {
  const sql = {
    sqlite: `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '${LEDGER_TABLE}' ORDER BY name`,
    postgres: `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '${LEDGER_TABLE}' ORDER BY table_name`,
    mysql: `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> '${LEDGER_TABLE}' ORDER BY table_name`,
  }[driver.engine];
  return (await column(driver, sql)).map(String);
}

export async function columns(driver: Driver, table: string): Promise<string[]> {
  const sql = {
    sqlite: 'SELECT name FROM pragma_table_info(?) ORDER BY cid',
    postgres:
      'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
    mysql:
      'SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
  }[driver.engine];
  return (await column(driver, sql, [table])).map(String);
}

/** Indexes made with CREATE INDEX (not those behind primary keys and unique constraints), by name. */
export async function indexes(driver: Driver): Promise<string[]> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    postgres: `SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = current_schema() AND NOT EXISTS (
         SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname`,
    mysql: `SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE()
         AND non_unique = 1 AND table_name <> '${LEDGER_TABLE}' ORDER BY index_name`,
  }[driver.engine];
  return (await column(driver, sql)).map(String);
}

/** Ids in the ledger, in order; empty when there is no ledger table. */
export async function ledgerIds(driver: Driver): Promise<string[]> {
  const exists = {
    sqlite: `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${LEDGER_TABLE}'`,
    postgres: `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '${LEDGER_TABLE}'`,
    mysql: `SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${LEDGER_TABLE}'`,
  }[driver.engine];
  if (Number((await column(driver, exists))[0]) === 0) return [];
  return (await column(driver, `SELECT id FROM ${LEDGER_TABLE} ORDER BY id`)).map(String);
}

/** Writes migration files (name → Lua text) into a fresh folder under `parent` and returns the folder. */
export function writeMigrations(dir: string, files: Record<string, string>): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
