/**
 * The `moonwalk` command runs its work in a worker thread with a memory cap (src/cli/capped-worker.ts, DESIGN §2: huge
 * allocations are stopped with a clear error and rolled back). As a child process (`node bin/moonwalk.js`, built
 * first when dist/ is older than the sources): a memory-bomb migration on a SQLite file and on a PGlite directory
 * exits 1 with the message (one JSON document with --json), leaves no trace in the database and frees the lock for
 * the next run; Ctrl-C stops a run and rolls it back (exit 130); a good run prints exactly what `runCommand` prints in
 * process; and the worker's start-up overhead on `moonwalk status` is measured.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lua, writeMigrations } from '../helpers/lua-files.ts';
import { ensureCliBuilt, json, ROOT, runCli, runCliInProcess, type CliOptions } from '../helpers/cli-process.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-cli-memory-'));
let counter = 0;
const fresh = (label: string) => join(tmp, `${label}-${++counter}`);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(ensureCliBuilt);

/** `node bin/moonwalk.js ...args` as a child process in the test's folder, without DATABASE_URL. */
const moonwalk = (args: string[], onStdout?: CliOptions['onStdout']) => runCli(args, { cwd: tmp, onStdout });
const inProcess = (args: string[]) => runCliInProcess(args);

/** Durations and dates vary from run to run. */
const normalize = (text: string) =>
  text
    .replace(/\d+(\.\d+)? (ms|s)\b/g, 'T')
    .replace(/"duration_ms":[\d.]+/g, '"duration_ms":T')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE');

// Big strings live in ArrayBuffers, outside the JavaScript heap and outside the instruction count.
const STRING_BOMB = 'local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1e6) .. i end';
// Small tables fill the JavaScript heap itself.
const TABLE_BOMB = 'local t = {} for i = 1, 1e9 do t[i] = {i, i * 2, tostring(i)} end';
const BEFORE = 'assert(db:execute("CREATE TABLE b (v TEXT)")) assert(db:execute("INSERT INTO b VALUES (\'x\')"))';

/** 0001_a (a good migration) and 0002_bomb (creates table b, inserts a row, then allocates without end). */
function bombFolder(bomb: string): string {
  return writeMigrations(fresh('migrations'), {
    '0001_a': { up: 'assert(db:execute("CREATE TABLE a (v TEXT)"))', down: 'assert(db:execute("DROP TABLE a"))' },
    '0002_bomb': { up: `${BEFORE}\n${bomb}` },
  });
}

/** The bomb replaced by a migration that only makes table b with its row. */
function defuse(dir: string): void {
  writeFileSync(join(dir, '0002_bomb.lua'), lua({ up: BEFORE }));
}

/** The tables of a SQLite file and its ledger's ids. */
function sqliteState(path: string): { tables: string[]; ledger: string[]; rowsInB?: number } {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    const ledger = tables.includes('_migrations')
      ? (db.prepare('SELECT id FROM _migrations ORDER BY id').pluck().all() as string[])
      : [];
    const rowsInB = tables.includes('b') ? (db.prepare('SELECT count(*) FROM b').pluck().get() as number) : undefined;
    return { tables, ledger, rowsInB };
  } finally {
    db.close();
  }
}

/**
 * The bombs' flags: the 256 MB cap, and a Lua time limit far above it, so that the memory cap is what stops them even
 * on a loaded machine (where filling 256 MB can take longer than the default 20 s of Lua time).
 */
const CAPPED = ['--max-memory-mb', '256', '--max-lua-seconds', '600'];

const STOPPED =
  /migration 0002_bomb used more than 256 MB of memory and was stopped; its transaction was rolled back: nothing it did was committed\. Raise --max-memory-mb if it really needs more\./;

describe('a migration that allocates without end is stopped and rolled back', () => {
  test('sqlite:FILE, big strings: exit 1 with the message, no trace, and the next up works', async () => {
    const dir = bombFolder(STRING_BOMB);
    const file = fresh('bomb.db');
    const ran = await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, ...CAPPED]);
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stdout).toMatch(/^\+ 0001_a {2}applied {2}\(.+\)\n! 0002_bomb {2}failed {2}\(.+\)\n$/);
    expect(ran.stderr).toMatch(STOPPED);
    expect(ran.stderr).toMatch(/^Error: /);
    expect(ran.stderr).not.toMatch(/heap out of memory|FATAL|at .+\.js:\d+/);
    // 0001 committed before the bomb and stays; 0002 left nothing: no table b, no ledger row, no hot journal.
    expect(sqliteState(file)).toEqual({ tables: ['_migrations', 'a'], ledger: ['0001_a'] });
    expect(existsSync(`${file}-journal`) || existsSync(`${file}-wal`)).toBe(false);

    defuse(dir);
    const again = await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, '--lock-timeout', '5']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^\+ 0002_bomb {2}applied/);
    expect(sqliteState(file)).toEqual({
      tables: ['_migrations', 'a', 'b'],
      ledger: ['0001_a', '0002_bomb'],
      rowsInB: 1,
    });
  }, 90_000);

  test('--json: one JSON document, the committed migration, the failed one and the error', async () => {
    const dir = bombFolder(STRING_BOMB);
    const file = fresh('bomb.db');
    const ran = await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, ...CAPPED, '--json']);
    expect(ran.code, ran.stderr).toBe(1);
    const doc = json(ran);
    expect(Object.keys(doc)).toEqual(['ok', 'results', 'error']);
    expect(doc.ok).toBe(false);
    expect(doc.results).toEqual([
      { id: '0001_a', direction: 'up', status: 'applied', duration_ms: expect.any(Number) },
      { id: '0002_bomb', direction: 'up', status: 'failed', duration_ms: expect.any(Number) },
    ]);
    expect(doc.error).toEqual({ migration: '0002_bomb', phase: 'internal', message: expect.stringMatching(STOPPED) });
    expect(ran.stderr).toMatch(STOPPED);
    expect(sqliteState(file)).toEqual({ tables: ['_migrations', 'a'], ledger: ['0001_a'] });

    defuse(dir);
    const again = json(await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, '--json', '--lock-timeout', '5']));
    expect(again).toEqual({
      ok: true,
      error: null,
      results: [{ id: '0002_bomb', direction: 'up', status: 'applied', duration_ms: expect.any(Number) }],
    });
  }, 90_000);

  test('--single-transaction --json: the whole batch is rolled back', async () => {
    const dir = bombFolder(STRING_BOMB);
    const file = fresh('bomb.db');
    const doc = json(
      await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, ...CAPPED, '--json', '--single-transaction']),
    );
    expect(doc.results.map((r: any) => [r.id, r.status])).toEqual([
      ['0001_a', 'rolled_back'],
      ['0002_bomb', 'failed'],
    ]);
    expect(doc.error.migration).toBe('0002_bomb');
    // The ledger table was made in that transaction too: nothing at all is left.
    expect(sqliteState(file)).toEqual({ tables: [], ledger: [] });
  }, 90_000);

  test('sqlite:FILE, small tables that fill the JavaScript heap: the same message', async () => {
    const dir = bombFolder(TABLE_BOMB);
    const file = fresh('bomb.db');
    const ran = await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, ...CAPPED]);
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stderr).toMatch(STOPPED);
    expect(sqliteState(file)).toEqual({ tables: ['_migrations', 'a'], ledger: ['0001_a'] });
  }, 90_000);

  test('pglite:DIR: not applied, the directory opens again and the next up works', async () => {
    const dir = bombFolder(STRING_BOMB);
    const data = fresh('pgdata');
    const ran = await moonwalk(['up', '--db', `pglite:${data}`, '--dir', dir, ...CAPPED, '--json']);
    expect(ran.code, ran.stderr).toBe(1);
    const doc = json(ran);
    expect(doc.results.map((r: any) => [r.id, r.status])).toEqual([
      ['0001_a', 'applied'],
      ['0002_bomb', 'failed'],
    ]);
    expect(doc.error.message).toMatch(STOPPED);

    const status = json(
      await moonwalk(['status', '--db', `pglite:${data}`, '--dir', dir, '--json', '--lock-timeout', '5']),
    );
    expect(status.migrations.map((m: any) => [m.id, m.status])).toEqual([
      ['0001_a', 'applied'],
      ['0002_bomb', 'pending'],
    ]);
    const schema = json(
      await moonwalk(['schema', '--db', `pglite:${data}`, '--dir', dir, '--json', '--lock-timeout', '5']),
    );
    expect(schema.tables.map((t: any) => t.name)).toEqual(['a']);

    defuse(dir);
    const again = await moonwalk(['up', '--db', `pglite:${data}`, '--dir', dir, '--lock-timeout', '5']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^\+ 0002_bomb {2}applied/);
    const after = json(
      await moonwalk(['schema', '--db', `pglite:${data}`, '--dir', dir, '--json', '--lock-timeout', '5']),
    );
    expect(after.tables.map((t: any) => [t.name, t.rows])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
  }, 180_000);
});

describe('status with a pending file that allocates without end', () => {
  /** A pending file whose top level runs `bomb`, with `description` as the argument of its migration(…) call. */
  function pendingBomb(description: string, before: string): string {
    const dir = fresh('status-migrations');
    writeMigrations(dir, { '0001_a': { up: 'assert(db:execute("CREATE TABLE a (v TEXT)"))' } });
    writeFileSync(
      join(dir, '0002_bomb.lua'),
      lua({ up: '', description: 'DESCRIPTION' }).replace('"DESCRIPTION"', description).replace(/^/, `${before}\n`),
    );
    return dir;
  }
  const BOMB_FUNCTION = `local function built() ${STRING_BOMB} return "built" end`;

  test('a literal description is read from the text: the bomb never runs, on the main thread or anywhere', async () => {
    const dir = pendingBomb('"a bomb at the top level"', STRING_BOMB);
    const file = fresh('status.db');
    expect((await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, '--to', '0001_a'])).code).toBe(0);
    const shown = await moonwalk(['status', '--db', `sqlite:${file}`, '--dir', dir, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown).migrations).toEqual([
      { id: '0001_a', description: 'test migration', status: 'applied', applied_at: expect.any(String) },
      { id: '0002_bomb', description: 'a bomb at the top level', status: 'pending' },
    ]);
    const text = await moonwalk(['status', '--db', `sqlite:${file}`, '--dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/pending {2}0002_bomb {2}a bomb at the top level/);
    expect(sqliteState(file)).toEqual({ tables: ['_migrations', 'a'], ledger: ['0001_a'] });
  }, 90_000);

  test("a description its code builds: run under the worker's memory cap, which stops it with a clear error", async () => {
    const dir = pendingBomb('built()', BOMB_FUNCTION);
    const file = fresh('status.db');
    expect((await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, '--to', '0001_a'])).code).toBe(0);
    const ran = await moonwalk(['status', '--db', `sqlite:${file}`, '--dir', dir, ...CAPPED, '--json']);
    expect(ran.code, ran.stderr).toBe(1);
    const doc = json(ran);
    expect(doc).toEqual({
      engine: 'sqlite',
      migrations: [],
      error: {
        migration: null,
        phase: 'load',
        message: expect.stringMatching(
          /^reading the description of a pending migration, whose code builds it, used more than 256 MB of memory and was stopped; nothing was written to the database\. Write its description as a string literal/,
        ),
      },
    });
    expect(ran.stderr).not.toMatch(/heap out of memory|FATAL|at .+\.js:\d+/);
    expect(sqliteState(file)).toEqual({ tables: ['_migrations', 'a'], ledger: ['0001_a'] });
  }, 90_000);

  test('a description its code builds, harmless: status shows it (run in the worker)', async () => {
    const dir = pendingBomb('"v" .. 2', '');
    const file = fresh('status.db');
    const shown = await moonwalk(['status', '--db', `sqlite:${file}`, '--dir', dir, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown).migrations.map((m: { description: string }) => m.description)).toEqual(['test migration', 'v2']);
  }, 90_000);
});

describe('Ctrl-C', () => {
  test('SIGINT stops the run: exit 130, a short message, rolled back, the lock free', async () => {
    const dir = bombFolder(STRING_BOMB);
    const file = fresh('interrupted.db');
    let sent = false;
    const ran = await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir], (stdout, child) => {
      // 0001 is done: 0002 is running its loop. Give it a moment, then press Ctrl-C.
      if (!sent && stdout.includes('0001_a')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 1000);
      }
    });
    expect(sent).toBe(true);
    expect(ran.code, ran.stderr).toBe(130);
    expect(ran.stderr).toMatch(
      /^Error: interrupted \(SIGINT\): migration 0002_bomb was stopped; its transaction was rolled back/,
    );
    expect(ran.stdout).toMatch(/! 0002_bomb {2}failed/);
    expect(sqliteState(file)).toEqual({ tables: ['_migrations', 'a'], ledger: ['0001_a'] });
    defuse(dir);
    expect((await moonwalk(['up', '--db', `sqlite:${file}`, '--dir', dir, '--lock-timeout', '5'])).code).toBe(0);
  }, 90_000);
});

describe('a good run is unchanged by the worker', () => {
  test('the same output and exit codes as runCommand in process, --json one document', async () => {
    const dir = writeMigrations(fresh('migrations'), {
      '0001_a': {
        up: 'print("making a") assert(db:execute("CREATE TABLE a (v TEXT)"))',
        down: 'assert(db:execute("DROP TABLE a"))',
      },
      '0002_b': { up: 'assert(db:execute("CREATE TABLE b (v TEXT)"))', down: 'assert(db:execute("DROP TABLE b"))' },
      '0003_fails': { up: 'assert(db:execute("INSERT INTO nope VALUES (1)"))' },
    });
    const viaWorker = fresh('worker.db');
    const viaMain = fresh('main.db');
    const commands: string[][] = [
      ['status'],
      ['status', '--json'],
      ['up', '--step', '2', '--json'],
      ['redo'],
      ['down', '--json'],
      ['up', '--step', '1'],
      ['up', '--json'],
      ['up'],
      ['schema', '--json'],
      ['lint', '--json'],
      ['lint'],
      ['status', '--bogus'],
      ['up', '--max-memory-mb', '10'],
    ];
    for (const command of commands) {
      const worker = await moonwalk([...command, '--db', `sqlite:${viaWorker}`, '--dir', dir]);
      const inproc = await inProcess([...command, '--db', `sqlite:${viaMain}`, '--dir', dir]);
      const label = command.join(' ');
      expect(worker.code, `${label}: ${worker.stderr}`).toBe(inproc.code);
      expect(normalize(worker.stdout.replaceAll(viaWorker, 'DB')), label).toBe(
        normalize(inproc.stdout.replaceAll(viaMain, 'DB')),
      );
      expect(normalize(worker.stderr.replaceAll(viaWorker, 'DB')), label).toBe(
        normalize(inproc.stderr.replaceAll(viaMain, 'DB')),
      );
      if (command.includes('--json')) json(worker);
    }
    const up = json(
      await moonwalk(['up', '--db', `sqlite:${fresh('fresh.db')}`, '--dir', dir, '--to', '0002_b', '--json']),
    );
    expect(up).toEqual({
      ok: true,
      error: null,
      results: [
        { id: '0001_a', direction: 'up', status: 'applied', duration_ms: expect.any(Number) },
        { id: '0002_b', direction: 'up', status: 'applied', duration_ms: expect.any(Number) },
      ],
    });
  }, 120_000);

  test('--max-memory-mb is a documented option; a value below 64 is bad usage', async () => {
    const help = await inProcess(['--help']);
    expect(help.stdout).toMatch(/--max-memory-mb N +memory .*default 2048/);
    const bad = await inProcess(['status', '--db', 'sqlite::memory:', '--max-memory-mb', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-memory-mb needs a whole number of megabytes, at least 64/);
  });
});

describe('the worker', () => {
  test('prints exactly what `runCommand` on the main thread prints', async () => {
    const dir = bombFolder(STRING_BOMB);
    const file = fresh('status.db');
    // The command as bin/moonwalk.js ran it before the worker: runCommand on the main thread.
    const direct = join(tmp, 'in-process.mjs');
    writeFileSync(
      direct,
      `import { runCommand } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/cli/command.js')).href)};\n` +
        'process.exitCode = await runCommand(process.argv.slice(2));\n',
    );
    expect((await moonwalk(['up', '--step', '1', '--db', `sqlite:${file}`, '--dir', dir])).code).toBe(0);
    for (const args of [
      ['status', '--db', `sqlite:${file}`, '--dir', dir],
      ['status', '--json', '--db', `sqlite:${file}`, '--dir', dir],
    ]) {
      const a = await moonwalk(args);
      expect(a.code, a.stderr).toBe(0);
      const b = await runCli(args, { cwd: tmp, script: direct });
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    }
  }, 120_000);
});
