/**
 * Commands that only look never make or change a database (docs/decisions.md, "Commands that only look"): status
 * (human, --json, --exit-code), schema, up --dry-run, diff, trace, play --from and the library's status, snapshot and
 * diff, on a SQLite file that is not there, one without a ledger and one the user may only read; a PGlite directory
 * that is not there, an empty one and one without a ledger; PostgreSQL and MariaDB databases without a ledger. Each
 * test checks what was printed and that no file, folder or table appeared. The MCP server's status, schema and
 * dry_run on a file that is not there: mcp.test.ts.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { acquireFileLock } from '../../src/drivers/node/file-lock.ts';
import { openMigrator, snapshot, diff } from '../../src/lib/node.ts';
import { readBaseline } from '../../src/cli/play/baseline.ts';
import { LEDGER_TABLE } from '../../src/core/ledger.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { table, writeMigrations } from '../helpers/lua-files.ts';
import { BIN, column, ensureCliBuilt, inspectDatabase, json, runCli, runCliInProcess } from '../helpers/cli-process.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-read-only-'));
let counter = 0;
/** A fresh path inside the test's temp folder, with nothing there. */
const fresh = (label: string) => join(tmp, `${label}-${++counter}`);

const dir = writeMigrations(join(tmp, 'migrations'), {
  '001_widgets': table('widgets', { engines: ['sqlite', 'postgres', 'mysql'], description: 'add widgets' }),
});
const PENDING = [{ id: '001_widgets', description: 'add widgets', status: 'pending' }];

beforeAll(ensureCliBuilt);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `moonwalk …args --dir <the test's migrations>` in this process. */
const run = (...args: string[]) => runCliInProcess([...args, '--dir', dir]);

/** What is in the test's folder whose name starts with `path`'s (the file or folder, its lock file, a journal). */
function traces(path: string): string[] {
  const name = path.slice(tmp.length + 1);
  return readdirSync(tmp).filter((entry) => entry.startsWith(name));
}

/** The user tables and whether the ledger is there, read with a driver of its own. */
async function contents(url: string): Promise<{ ledger: boolean; tables: string[] }> {
  return inspectDatabase(url, async (driver) => {
    const sql = {
      sqlite: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
      postgres: 'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1',
      mysql: 'SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1',
    }[driver.engine];
    const names = (await column(driver, sql)).map(String);
    return { ledger: names.includes(LEDGER_TABLE), tables: names.filter((n) => !n.startsWith('_migrations')) };
  });
}

/** Every command that only looks, on `url`: each answers as for an empty or ledger-less database. */
async function lookEverywhere(url: string, engine: 'sqlite' | 'postgres' | 'mysql'): Promise<void> {
  const status = await run('status', '--db', url, '--json');
  expect(status.code).toBe(0);
  expect(json(status)).toMatchObject({ engine, migrations: PENDING });
  expect(json(status).error).toBeUndefined();
  expect((await run('status', '--db', url, '--exit-code')).code).toBe(1);
  const schema = await run('schema', '--db', url, '--json');
  expect(schema.code).toBe(0);
  expect(json(schema).tables.map((t: { name: string }) => t.name)).not.toContain(LEDGER_TABLE);
  if (engine === 'mysql') return; // a dry run and diff are refused there (DDL commits)
  const dry = await run('up', '--dry-run', '--db', url, '--json');
  expect(dry.code).toBe(0);
  expect(json(dry).results.map((r: { status: string }) => r.status)).toEqual(['rolled_back']);
  const changes = await run('diff', '--db', url, '--json');
  expect(changes.code).toBe(0);
  expect(json(changes).changes.length).toBeGreaterThan(0);
}

describe('a SQLite file', () => {
  test('that is not there: every command that only looks answers "nothing applied" and makes no file', async () => {
    const file = fresh('missing.db');
    const url = `sqlite:${file}`;
    // The bin, as a deploy runs it: status on the main thread.
    const human = await runCli(['status', '--db', url, '--dir', dir]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`sqlite file ${file}, which holds no database yet (sqlite)`);
    expect(human.stdout).toMatch(/pending\s+001_widgets\s+add widgets/);
    const gate = await runCli(['status', '--db', url, '--dir', dir, '--json', '--exit-code']);
    expect(gate.code).toBe(1);
    expect(json(gate)).toEqual({ engine: 'sqlite', migrations: PENDING });
    const dry = await runCli(['up', '--dry-run', '--db', url, '--dir', dir]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('CREATE TABLE widgets');
    await lookEverywhere(url, 'sqlite');
    // Nothing applied there, so nothing to revert: down and redo make nothing either.
    const down = await run('down', '--db', url);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('Nothing to revert.');
    expect(json(await run('redo', '--db', url, '--json'))).toEqual({ ok: true, results: [], error: null });
    expect((await run('redo', '--db', url)).stdout).toContain('Nothing to redo: no migration is applied.');
    expect(traces(file)).toEqual([]);
    // up still makes it.
    expect((await run('up', '--db', url)).code).toBe(0);
    expect(await contents(url)).toEqual({ ledger: true, tables: ['widgets'] });
  });

  test('without a ledger: gains no _migrations, no lock file, not a byte changed', async () => {
    const file = fresh('app.db');
    const setup = new Database(file);
    setup.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ada')");
    setup.close();
    const before = readFileSync(file);
    await lookEverywhere(`sqlite:${file}`, 'sqlite');
    // down with nothing to revert makes no ledger (its lock file is the run's, as for up).
    expect((await run('down', '--db', `sqlite:${file}`)).stdout).toContain('Nothing to revert.');
    rmSync(`${file}.moonwalk-lock`);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(traces(file)).toEqual([file.slice(tmp.length + 1)]);
    expect(await contents(`sqlite:${file}`)).toEqual({ ledger: false, tables: ['customers'] });
  });

  test('in WAL mode: status and schema leave no -wal or -shm file behind', async () => {
    const file = fresh('wal.db');
    const setup = new Database(file);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    setup.close();
    expect(traces(file)).toEqual([file.slice(tmp.length + 1)]);
    expect(json(await runCli(['status', '--db', `sqlite:${file}`, '--dir', dir, '--json'])).migrations).toEqual(
      PENDING,
    );
    expect((await run('schema', '--db', `sqlite:${file}`)).stdout).toContain('customers');
    expect(traces(file)).toEqual([file.slice(tmp.length + 1)]);
  });

  test('that the user may only read: status and schema still answer', async () => {
    const folder = fresh('read-only');
    mkdirSync(folder);
    const file = join(folder, 'app.db');
    const setup = new Database(file);
    setup.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    setup.close();
    chmodSync(file, 0o444);
    chmodSync(folder, 0o555);
    chmodSync(tmp, 0o755);
    // root writes anything: the command then runs as an account of no privilege, as a read-only user would.
    const who = process.getuid?.() === 0 ? unprivileged() : {};
    const moonwalk = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, ...args, '--db', `sqlite:${file}`, '--dir', dir], {
        encoding: 'utf8',
        cwd: tmp,
        env: { PATH: process.env.PATH ?? '' },
        ...who,
      });
    const status = moonwalk('status', '--json');
    expect(status.stderr).toBe('');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ engine: 'sqlite', migrations: PENDING });
    const schema = moonwalk('schema', '--json');
    expect(schema.status).toBe(0);
    expect(JSON.parse(schema.stdout).tables.map((t: { name: string }) => t.name)).toEqual(['customers']);
    expect(readdirSync(folder)).toEqual(['app.db']);
    chmodSync(folder, 0o755);
  });
});

/** An account without privileges (nobody), for a root test run. */
function unprivileged(): { uid: number; gid: number } {
  const [, , uid, gid] = execFileSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

describe('a PGlite directory', () => {
  test('that is not there, or empty: answers "nothing applied", makes no folder, files or lock file', async () => {
    const missing = fresh('pg-missing');
    const human = await run('status', '--db', `pglite:${missing}`);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`pglite directory ${missing}, which holds no database yet (postgres)`);
    await lookEverywhere(`pglite:${missing}`, 'postgres');
    expect(traces(missing)).toEqual([]);
    const empty = fresh('pg-empty');
    mkdirSync(empty);
    const status = await run('status', '--db', `pglite:${empty}`, '--json');
    expect(json(status)).toEqual({ engine: 'postgres', migrations: PENDING });
    expect(readdirSync(empty)).toEqual([]);
    expect(traces(empty)).toEqual([empty.slice(tmp.length + 1)]);
    // trace replays from an empty database there too, and makes nothing either.
    expect((await run('trace', '--db', `pglite:${missing}`, '--json')).code).toBe(0);
    expect(traces(missing)).toEqual([]);
  });

  test('without a ledger: gains no _migrations; in use by a run, status does not wait for it', async () => {
    const data = fresh('pg-data');
    const url = `pglite:${data}`;
    const setup = await openDatabase(url, { connectTimeoutMs: 5000 });
    await setup.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    await setup.close();
    await lookEverywhere(url, 'postgres');
    expect(await contents(url)).toEqual({ ledger: false, tables: ['customers'] });
    // While a run has it open, status says so after a short wait, and up waits --lock-timeout, not 60 s.
    const release = await acquireFileLock(`${data}.moonwalk-lock`, 1000, 'the test');
    try {
      const status = await run('status', '--db', url, '--json');
      expect(status.code).toBe(2);
      expect(json(status).error.message).toContain(`pglite directory ${data} is locked: another moonwalk run holds it`);
      // trace only copies it, so it does not queue behind the run either (it waited a fixed 60 s).
      const trace = await run('trace', '--db', url);
      expect(trace.code).not.toBe(0);
      expect(trace.stderr).toContain(`pglite directory ${data}`);
      expect(trace.stderr).toContain('gave up after waiting 2.0 s');
      const up = await run('up', '--db', url, '--lock-timeout', '1');
      expect(up.code).toBe(2);
      expect(up.stderr).toContain('gave up after waiting 1.0 s');
    } finally {
      await release();
    }
  });

  test('play --from one that is not there is refused by name, and nothing is made', async () => {
    const missing = fresh('pg-from');
    await expect(readBaseline(`pglite:${missing}`, 5000)).rejects.toThrow(
      `${missing} holds no PGlite database (the folder is missing or empty)`,
    );
    expect(traces(missing)).toEqual([]);
  });
});

describe('database servers without a ledger', () => {
  let pgServer: TestServer;
  let myServer: TestServer;
  beforeAll(async () => {
    [pgServer, myServer] = await Promise.all([useServer('postgres'), useServer('mysql')]);
  });
  afterAll(async () => {
    await Promise.all([pgServer?.stop(), myServer?.stop()]);
  });

  test('PostgreSQL: status, schema, a dry run (advisory or lease lock) and diff create neither _migrations nor _migrations_lock', async () => {
    const url = await scratchDatabase(pgServer, 'read_only');
    await lookEverywhere(url, 'postgres');
    expect(json(await run('status', '--db', url, '--lock', 'table', '--json')).migrations).toEqual(PENDING);
    // A dry run through a pooler's lease lock makes no lock table either (it rolls back all it runs).
    const dry = await run('up', '--dry-run', '--db', url, '--lock', 'table', '--json');
    expect(json(dry)).toMatchObject({ ok: true, results: [{ id: '001_widgets', status: 'rolled_back' }] });
    expect(await contents(url)).toEqual({ ledger: false, tables: [] });
    const lockTables = await inspectDatabase(url, (d) =>
      column(d, "SELECT table_name FROM information_schema.tables WHERE table_name = '_migrations_lock'"),
    );
    expect(lockTables).toEqual([]);
  });

  test('MariaDB: status and schema create no _migrations', async () => {
    const url = await scratchDatabase(myServer, 'read_only');
    await lookEverywhere(url, 'mysql');
    expect(await contents(url)).toEqual({ ledger: false, tables: [] });
  });
});

describe('the library', () => {
  test('Migrator.status() opened to read, snapshot and diff on a file that is not there make nothing', async () => {
    const file = fresh('lib.db');
    const db = `sqlite:${file}`;
    const opened = await openMigrator({ db, dir, access: 'read' });
    try {
      const status = await opened.migrator.status();
      expect(status.error).toBeFalsy();
      expect(status.migrations.map((m) => [m.id, m.status])).toEqual([['001_widgets', 'pending']]);
    } finally {
      await opened.close();
    }
    expect((await snapshot({ db })).tables).toEqual([]);
    const changes = await diff({ db, dir });
    expect(changes.ok).toBe(true);
    expect(changes.migrations).toEqual(['001_widgets']);
    expect(traces(file)).toEqual([]);
  });
});
