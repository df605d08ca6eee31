/**
 * The `moonwalk` command (DESIGN §5), on real engines: the JSON documents of status/up/down/redo with their exact
 * keys and types, the exit codes, `new NAME` on a SQLite file and a PGlite directory, DATABASE_URL, a SQLite file
 * changed in place, and two concurrent runs on one file. The command runs as a child process (`node bin/moonwalk.js`,
 * built first when dist/ is older than the sources) where the process matters, and in process through `main`
 * elsewhere.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeMigrations, table, lineOf } from '../helpers/lua-files.ts';
import { ensureCliBuilt, json, runCli, runCliInProcess } from '../helpers/cli-process.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-cli-'));
let counter = 0;
/** A fresh path inside the test's temp folder. */
const fresh = (label: string) => join(tmp, `${label}-${++counter}`);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(ensureCliBuilt);

/** `node bin/moonwalk.js ...args` as a child process in the test's folder, without DATABASE_URL unless `env` gives it. */
const moonwalk = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, cwd: tmp });
const run = runCliInProcess;

// ---------------------------------------------------------------------------------------------------------------
// The shapes of DESIGN §5

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function expectRunDocument(doc: any): void {
  expect(Object.keys(doc).sort()).toEqual(
    doc.statements ? ['error', 'ok', 'results', 'statements'] : ['error', 'ok', 'results'],
  );
  expect(typeof doc.ok).toBe('boolean');
  expect(Array.isArray(doc.results)).toBe(true);
  for (const r of doc.results) {
    expect(Object.keys(r).sort()).toEqual(
      r.reason === undefined
        ? ['direction', 'duration_ms', 'id', 'status']
        : ['direction', 'duration_ms', 'id', 'reason', 'status'],
    );
    expect(typeof r.id).toBe('string');
    expect(['up', 'down']).toContain(r.direction);
    expect(['applied', 'reverted', 'skipped', 'failed', 'rolled_back']).toContain(r.status);
    expect(typeof r.duration_ms).toBe('number');
    expect(r.duration_ms).toBeGreaterThanOrEqual(0);
    if (r.reason !== undefined) expect(typeof r.reason).toBe('string');
  }
  if (doc.error === null) {
    expect(doc.ok).toBe(true);
  } else {
    expect(doc.ok).toBe(false);
    const keys = Object.keys(doc.error);
    expect(keys).toEqual(expect.arrayContaining(['migration', 'phase', 'message']));
    expect(keys.every((k) => ['migration', 'phase', 'message', 'line', 'sql'].includes(k))).toBe(true);
    expect(doc.error.migration === null || typeof doc.error.migration === 'string').toBe(true);
    expect(typeof doc.error.phase).toBe('string');
    expect(typeof doc.error.message).toBe('string');
    if ('line' in doc.error) expect(Number.isInteger(doc.error.line)).toBe(true);
    if ('sql' in doc.error) expect(typeof doc.error.sql).toBe('string');
  }
  for (const s of doc.statements ?? []) {
    expect(Object.keys(s).sort()).toEqual(['migration', 'params', 'sql']);
    expect(typeof s.migration).toBe('string');
    expect(typeof s.sql).toBe('string');
    expect(Array.isArray(s.params)).toBe(true);
  }
}

function expectStatusDocument(doc: any, engine: string): void {
  expect(Object.keys(doc).sort()).toEqual(['engine', 'migrations']);
  expect(doc.engine).toBe(engine);
  for (const m of doc.migrations) {
    expect(Object.keys(m).sort()).toEqual(
      m.status === 'pending' ? ['description', 'id', 'status'] : ['applied_at', 'description', 'id', 'status'],
    );
    expect(typeof m.id).toBe('string');
    expect(typeof m.description).toBe('string');
    expect(['applied', 'pending', 'modified', 'missing']).toContain(m.status);
    if (m.applied_at !== undefined) expect(m.applied_at).toMatch(ISO);
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('--json documents on a SQLite file', () => {
  test('status, up, redo, down, up --dry-run', async () => {
    const dir = writeMigrations(fresh('json'), {
      '0001_a': table('a', { description: 'table a' }),
      '0002_mysql_only': table('m', { engines: ['mysql'] }),
      '0003_b': table('b', {
        up: 'assert(db:execute("CREATE TABLE b (v TEXT)"))\nassert(db:execute("INSERT INTO b VALUES (?)", {"x"}))',
      }),
    });
    const db = `sqlite:${fresh('json')}.db`;
    const common = ['--dir', dir, '--db', db, '--json'];

    const before = await run(['status', ...common]);
    expect(before.code).toBe(0);
    const status0 = json(before);
    expectStatusDocument(status0, 'sqlite');
    expect(status0.migrations).toEqual([
      { id: '0001_a', description: 'table a', status: 'pending' },
      { id: '0002_mysql_only', description: 'test migration', status: 'pending' },
      { id: '0003_b', description: 'test migration', status: 'pending' },
    ]);

    const dry = await run(['up', '--dry-run', ...common]);
    expect(dry.code).toBe(0);
    const dryDoc = json(dry);
    expectRunDocument(dryDoc);
    expect(dryDoc.statements).toEqual([
      { migration: '0001_a', sql: 'CREATE TABLE a (v TEXT)', params: [] },
      { migration: '0003_b', sql: 'CREATE TABLE b (v TEXT)', params: [] },
      { migration: '0003_b', sql: 'INSERT INTO b VALUES (?)', params: ['x'] },
    ]);
    expect(json(await run(['status', ...common])).migrations.every((m: any) => m.status === 'pending')).toBe(true);

    const up = await run(['up', ...common]);
    expect(up.code).toBe(0);
    expect(up.stderr).toBe('');
    const upDoc = json(up);
    expectRunDocument(upDoc);
    expect(upDoc.results.map((r: any) => [r.id, r.direction, r.status])).toEqual([
      ['0001_a', 'up', 'applied'],
      ['0002_mysql_only', 'up', 'skipped'],
      ['0003_b', 'up', 'applied'],
    ]);
    expect(upDoc.results[1].reason).toMatch(/no database\("sqlite"\) block/);
    expect(upDoc.error).toBeNull();

    const status1 = json(await run(['status', ...common]));
    expectStatusDocument(status1, 'sqlite');
    expect(status1.migrations.map((m: any) => m.status)).toEqual(['applied', 'pending', 'applied']);

    const redo = await run(['redo', ...common]);
    expect(redo.code).toBe(0);
    const redoDoc = json(redo);
    expectRunDocument(redoDoc);
    expect(redoDoc.results.map((r: any) => [r.id, r.direction, r.status])).toEqual([
      ['0003_b', 'down', 'reverted'],
      ['0003_b', 'up', 'applied'],
    ]);

    const down = await run(['down', '--all', ...common]);
    expect(down.code).toBe(0);
    const downDoc = json(down);
    expectRunDocument(downDoc);
    expect(downDoc.results.map((r: any) => [r.id, r.direction, r.status])).toEqual([
      ['0003_b', 'down', 'reverted'],
      ['0001_a', 'down', 'reverted'],
    ]);

    // The child process prints the same document and nothing else on stdout.
    const child = await moonwalk(['up', '--step', '1', ...common]);
    expect(child.code).toBe(0);
    expectRunDocument(json(child));
    expect(json(child).results.map((r: any) => r.status)).toEqual(['applied']);
  });

  test('a failed migration: exit 1, the error with its migration, phase, line, sql and message', async () => {
    const dir = writeMigrations(fresh('fail'), {
      '0001_ok': table('a'),
      '0002_bad': {
        up: 'assert(db:execute("CREATE TABLE b (v TEXT)"))\nlocal _, err = db:execute("INSERT INTO nosuch VALUES (?)", {1})\nif err then error(err) end',
      },
    });
    const common = ['--dir', dir, '--db', `sqlite:${fresh('fail')}.db`];
    const ran = await moonwalk(['up', ...common, '--json']);
    expect(ran.code).toBe(1);
    const doc = json(ran);
    expectRunDocument(doc);
    expect(doc.results.map((r: any) => r.status)).toEqual(['applied', 'failed']);
    expect(doc.error).toEqual({
      migration: '0002_bad',
      phase: 'up',
      message: 'no such table: nosuch',
      line: lineOf(readFileSync(join(dir, '0002_bad.lua'), 'utf8'), 'error(err)'),
      sql: 'INSERT INTO nosuch VALUES (?)',
    });

    const human = await moonwalk(['up', ...common]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/migration 0002_bad \(up\) at 0002_bad\.lua:\d+: no such table: nosuch/);
    expect(human.stderr).toMatch(/SQL: INSERT INTO nosuch/);
    expect(json(await run(['status', ...common, '--json'])).migrations.map((m: any) => m.status)).toEqual([
      'applied',
      'pending',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('exit codes', () => {
  test('bad usage is 2: an unknown flag or command, a bad number, no database', async () => {
    const dir = writeMigrations(fresh('usage'), { '0001_a': table('a') });
    const flag = await moonwalk(['up', '--stepp', '2', '--dir', dir, '--db', 'sqlite::memory:']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option --stepp.*did you mean --step/);
    expect(flag.stdout).toBe('');

    const flagJson = await moonwalk(['down', '--bogus', '--json']);
    expect(flagJson.code).toBe(2);
    expect(json(flagJson)).toMatchObject({
      ok: false,
      results: [],
      error: { migration: null, message: expect.stringMatching(/--bogus/) },
    });

    expect((await run(['sideways'])).code).toBe(2);
    expect((await run(['up', '--step', '0', '--dir', dir, '--db', 'sqlite::memory:'])).code).toBe(2);
    expect((await run(['down', '--step', '1', '--all', '--dir', dir, '--db', 'sqlite::memory:'])).code).toBe(2);
    const noDb = await run(['status', '--dir', dir]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/--db URL.*DATABASE_URL/);
    const badUrl = await run(['status', '--dir', dir, '--db', 'oracle://u:secret@h/db']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).not.toMatch(/secret/);
  });

  test('a missing migrations folder is 2', async () => {
    const ran = await moonwalk(['up', '--dir', join(tmp, 'no-such-folder'), '--db', 'sqlite::memory:']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/migrations folder .*no-such-folder does not exist/);
  });

  test('a Lua syntax error is 2 and names the file and the line', async () => {
    const dir = writeMigrations(fresh('syntax'), { '0001_a': table('a') });
    writeFileSync(
      join(dir, '0002_broken.lua'),
      'return require("migration").define(function()\n  migration("x", function()\n    local = 1\n  end)\nend)\n',
    );
    const common = ['--dir', dir, '--db', `sqlite:${fresh('syntax')}.db`];
    const human = await moonwalk(['up', ...common]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/0002_broken\.lua:3/);

    const doc = json(await run(['up', ...common, '--json']));
    expectRunDocument(doc);
    expect(doc.error).toMatchObject({ migration: '0002_broken', phase: 'load', line: 3 });
    expect(doc.error.message).toMatch(/^0002_broken\.lua:3: /);
    // every file is loaded before any is applied: 0001_a, before the broken one, is not applied either
    expect(doc.results.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      ['0002_broken', 'failed'],
    ]);
  });

  test('down without a down block is 1 and changes nothing; a modified file stops up with 2', async () => {
    const dir = writeMigrations(fresh('nodown'), {
      '0001_a': table('a'),
      '0002_b': { up: 'assert(db:execute("CREATE TABLE b (v TEXT)"))' },
    });
    const file = `${fresh('nodown')}.db`;
    const common = ['--dir', dir, '--db', `sqlite:${file}`];
    expect((await run(['up', ...common])).code).toBe(0);
    const down = await moonwalk(['down', ...common, '--json']);
    expect(down.code).toBe(1);
    const doc = json(down);
    expectRunDocument(doc);
    expect(doc.results).toEqual([]);
    expect(doc.error).toMatchObject({ migration: '0002_b', phase: 'down' });
    expect(doc.error.message).toMatch(/cannot be reverted/);
    const sqlite = new Database(file, { readonly: true });
    expect(sqlite.prepare('SELECT id FROM _migrations ORDER BY id').pluck().all()).toEqual(['0001_a', '0002_b']);
    sqlite.close();

    writeFileSync(join(dir, '0001_a.lua'), `${readFileSync(join(dir, '0001_a.lua'), 'utf8')}-- edited\n`);
    writeMigrations(dir, { '0003_c': table('c') });
    const up = await run(['up', ...common, '--json']);
    expect(up.code).toBe(2);
    expect(json(up).error).toMatchObject({ migration: '0001_a', phase: 'check' });
    // The core says what happened; the command names its own flag as the way out.
    expect(json(up).error.message).toMatch(/changed after it was applied.*pass --allow-drift to accept it$/);
    expect(json(await run(['status', ...common, '--json'])).migrations.map((m: any) => m.status)).toEqual([
      'modified',
      'applied',
      'pending',
    ]);
    expect((await run(['up', ...common, '--allow-drift'])).code).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('moonwalk new NAME', () => {
  test('writes numbered templates that apply and revert on a SQLite file', async () => {
    const dir = fresh('new');
    const first = await run(['new', 'create widgets', '--dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/0001_create_widgets\.lua/);
    expect((await run(['new', 'Add-Gadgets!', '--dir', dir])).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['0001_create_widgets.lua', '0002_add_gadgets.lua']);
    expect((await run(['new', '--dir', dir])).code).toBe(2);

    const file = `${fresh('new')}.db`;
    const up = await run(['up', '--dir', dir, '--db', `sqlite:${file}`, '--json']);
    expect(up.code).toBe(0);
    expect(json(up).results.map((r: any) => r.status)).toEqual(['applied', 'applied']);
    const names = () => {
      const sqlite = new Database(file, { readonly: true });
      try {
        return sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      } finally {
        sqlite.close();
      }
    };
    expect(names()).toEqual(['_migrations', 'gadgets', 'widgets']);
    const down = await run(['down', '--all', '--dir', dir, '--db', `sqlite:${file}`, '--json']);
    expect(down.code).toBe(0);
    expect(json(down).results.map((r: any) => [r.id, r.status])).toEqual([
      ['0002_add_gadgets', 'reverted'],
      ['0001_create_widgets', 'reverted'],
    ]);
    expect(names()).toEqual(['_migrations']);
  });

  test('the template applies and reverts on a PGlite directory', async () => {
    const dir = fresh('new-pg');
    expect((await run(['new', 'create widgets', '--dir', dir])).code).toBe(0);
    const pg = fresh('pgdata');
    const up = await run(['up', '--dir', dir, '--db', `pglite:${pg}`, '--json']);
    expect(up.code).toBe(0);
    expect(json(up).results.map((r: any) => [r.id, r.status])).toEqual([['0001_create_widgets', 'applied']]);
    expect(existsSync(join(pg, 'PG_VERSION'))).toBe(true);
    const down = await run(['down', '--dir', dir, '--db', `pglite:${pg}`, '--json']);
    expect(down.code).toBe(0);
    expect(json(down).results.map((r: any) => [r.id, r.status])).toEqual([['0001_create_widgets', 'reverted']]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the database', () => {
  test('--db comes from DATABASE_URL, and --db wins over it', async () => {
    const dir = writeMigrations(fresh('env'), { '0001_a': table('a') });
    const file = `${fresh('env')}.db`;
    const fromEnv = await moonwalk(['up', '--dir', dir, '--json'], { DATABASE_URL: `sqlite:${file}` });
    expect(fromEnv.code).toBe(0);
    expect(json(fromEnv).results.map((r: any) => r.status)).toEqual(['applied']);
    expect(existsSync(file)).toBe(true);
    const status = await run(['status', '--dir', dir, '--json', '--db', `sqlite:${file}`], {
      DATABASE_URL: 'nonsense:here',
    });
    expect(status.code).toBe(0);
    expect(json(status).migrations.map((m: any) => m.status)).toEqual(['applied']);
  });

  test('the SQLite file is changed in place: the same inode before and after', async () => {
    const dir = writeMigrations(fresh('inode'), {
      '0001_a': table('a', {
        up: 'assert(db:execute("CREATE TABLE a (v TEXT)"))\nassert(db:execute("INSERT INTO a VALUES (?)", {string.rep("x", 100000)}))',
      }),
    });
    const file = `${fresh('inode')}.db`;
    const setup = new Database(file);
    setup.exec('CREATE TABLE app_data (x INTEGER); INSERT INTO app_data VALUES (42)');
    setup.close();
    const before = statSync(file);
    expect((await moonwalk(['up', '--dir', dir, '--db', `sqlite:${file}`])).code).toBe(0);
    const after = statSync(file);
    expect(after.ino).toBe(before.ino);
    expect(after.dev).toBe(before.dev);
    expect(after.size).toBeGreaterThan(before.size);
    expect((await run(['down', '--dir', dir, '--db', `sqlite:${file}`])).code).toBe(0);
    expect(statSync(file).ino).toBe(before.ino);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT x FROM app_data').pluck().all()).toEqual([42]);
    check.close();
  });

  test('two concurrent up runs on one SQLite file apply each migration exactly once; the second waits', async () => {
    // The first migration holds the run for about a second, so the second process starts while the lock is held.
    const busy = 'local t0 = os.clock()\nwhile os.clock() - t0 < 1.0 do end';
    const dir = writeMigrations(fresh('race'), {
      '0001_log': {
        up: `assert(db:execute("CREATE TABLE runs (id TEXT)"))\nassert(db:execute("INSERT INTO runs VALUES (?)", {"0001"}))\n${busy}`,
      },
      '0002_a': { up: 'assert(db:execute("INSERT INTO runs VALUES (?)", {"0002"}))' },
      '0003_b': { up: 'assert(db:execute("INSERT INTO runs VALUES (?)", {"0003"}))' },
    });
    const file = `${fresh('race')}.db`;
    const args = ['up', '--dir', dir, '--db', `sqlite:${file}`, '--json'];
    const [one, two] = await Promise.all([moonwalk(args), moonwalk(args)]);
    expect([one.code, two.code, one.stderr, two.stderr]).toEqual([0, 0, '', '']);
    const docs = [json(one), json(two)];
    for (const doc of docs) expectRunDocument(doc);
    const applied = docs
      .flatMap((d) => d.results.filter((r: any) => r.status === 'applied').map((r: any) => r.id))
      .sort();
    expect(applied).toEqual(['0001_log', '0002_a', '0003_b']);
    // The one that found nothing to do waited for the other's lock (the busy migration alone takes a second).
    const idle = docs[0].results.length === 0 ? one : two;
    expect([docs[0].results.length, docs[1].results.length].sort()).toEqual([0, 3]);
    expect(idle.ms).toBeGreaterThanOrEqual(1000);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT id FROM runs ORDER BY id').pluck().all()).toEqual(['0001', '0002', '0003']);
    expect(check.prepare('SELECT id FROM _migrations ORDER BY id').pluck().all()).toEqual([
      '0001_log',
      '0002_a',
      '0003_b',
    ]);
    check.close();
  });
});

describe('a reader that stops early', () => {
  // `moonwalk up | head -1`: the pipe closes after the first line. Node's default is an EPIPE stack trace and an
  // exit mid-run; the command must instead finish its work, print no trace, and exit with its own code.
  const threeHundredTables = () =>
    Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`${String(i + 1).padStart(4, '0')}_t${i + 1}`, table(`t${i + 1}`)]),
    );
  const closesAfterFirstChunk = (_: string, child: import('node:child_process').ChildProcess) =>
    child.stdout?.destroy();

  test('up goes on to the last migration and exits 0 without a stack trace', async () => {
    const dir = writeMigrations(fresh('pipe-dir'), threeHundredTables());
    const file = fresh('pipe.db');
    const outcome = await runCli(['up', '--db', `sqlite:${file}`, '--dir', dir], {
      cwd: tmp,
      onStdout: closesAfterFirstChunk,
    });
    expect(outcome.stderr).not.toMatch(/EPIPE|node:|at /);
    expect(outcome.code).toBe(0);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM _migrations').get()).toEqual({ n: 300 });
    check.close();
  });

  test('lint --format github and status close quietly too, with their own exit codes', async () => {
    const dir = writeMigrations(fresh('pipe-lint'), threeHundredTables());
    for (const args of [
      ['lint', '--dir', dir, '--format', 'github'],
      ['status', '--db', `sqlite:${fresh('pipe-status.db')}`, '--dir', dir],
    ]) {
      const unpiped = await runCli(args, { cwd: tmp });
      const piped = await runCli(args, { cwd: tmp, onStdout: closesAfterFirstChunk });
      expect(piped.stderr).not.toMatch(/EPIPE|node:|at /);
      expect(piped.code).toBe(unpiped.code);
    }
  });
});
