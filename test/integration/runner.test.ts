/**
 * The runner (DESIGN §2, §4, §5's targets) against the real engines, sql.js and PGlite: the three failure kinds and
 * the after hook roll back schema, data and ledger and stop the run; skips; down without down; step/to/all; redo;
 * checksums (modified, missing, an old ledger without the column); --single-transaction and --dry-run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Driver, Engine } from '../../src/core/driver.ts';
import { formatAppliedAt, LEDGER_TABLE } from '../../src/core/ledger.ts';
import { migrationFiles, type MigrationFile } from '../../src/core/migration-files.ts';
import { Migrator, type MigratorEvent, type MigratorOptions } from '../../src/core/migrator.ts';
import type { RunResult } from '../../src/core/results.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { column, columns, ledgerIds, resetDatabase, rows, tableExists, tables } from '../helpers/db-inspect.ts';
import { files, lineOf, lua, table } from '../helpers/lua-files.ts';
import { smallHost } from '../helpers/migration.ts';

const BAD = 'INSERT INTO nosuch VALUES (?)';
const NO_SUCH = /no such table: nosuch|relation "nosuch" does not exist/;

// ---------------------------------------------------------------------------------------------------------------

const ENGINES: Array<[string, () => Promise<Driver>]> = [
  ['sqlite (sql.js)', () => openSqlJs()],
  ['postgres (PGlite)', () => openPglite()],
];

describe.each(ENGINES)('the runner on %s', (_name, open) => {
  let driver: Driver;
  const host = smallHost();
  beforeAll(async () => {
    driver = await open();
  });
  afterAll(async () => {
    await driver?.close();
  });
  beforeEach(async () => {
    await resetDatabase(driver);
  });

  function migrator(list: MigrationFile[], options: Partial<MigratorOptions> = {}): Migrator {
    return new Migrator({ driver, files: list, host, ...options });
  }

  async function values(name: string): Promise<string[]> {
    return (await column(driver, `SELECT v FROM ${name} ORDER BY v`)).map(String);
  }

  function statuses(result: RunResult): string[][] {
    return result.results.map((r) => [r.id, r.direction, r.status]);
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('a failure rolls the migration back (schema, data, ledger) and stops the run', () => {
    const kinds: Array<{ kind: string; body: string; message: RegExp; at?: string; sql?: boolean }> = [
      { kind: 'a Lua error', body: 'error("boom")', message: /^boom$/, at: 'error("boom")' },
      {
        kind: 'a runtime error',
        body: 'local t = nil\nlocal y = t.field',
        message: /attempt to index a nil value/,
        at: 't.field',
      },
      {
        kind: 'error(err) with the db error value',
        body: `local _, err = db:execute("${BAD}", {1})\nif err then error(err) end`,
        message: NO_SUCH,
        at: 'error(err)',
        sql: true,
      },
      {
        kind: 'return nil, err',
        body: 'return nil, "custom failure"',
        message: /up returned an error: custom failure/,
        at: 'return nil',
      },
      {
        kind: 'return false, err (the line of that return)',
        body: 'local function check() return false end\nif not check() then\n  return false, "it went wrong"\nend\nreturn true',
        message: /up returned an error: it went wrong/,
        at: 'return false, "it went wrong"',
      },
      {
        kind: 'return of a tail call (no line is known)',
        body: 'local function fail() return nil, "from a helper" end\nreturn fail()',
        message: /up returned an error: from a helper/,
      },
      {
        kind: 'return db:execute(bad)',
        body: `return db:execute("${BAD}", {1})`,
        message: NO_SUCH,
        at: 'return db:execute',
        sql: true,
      },
      {
        kind: 'a failed statement whose error was ignored',
        body: `db:execute("${BAD}", {1})\ndb:execute("CREATE TABLE later (v TEXT)")`,
        message: /a statement failed and the code went on without handling it: .*nosuch/,
        at: `db:execute("${BAD}"`,
        sql: true,
      },
    ];

    test.each(kinds)('$kind', async ({ body, message, at, sql }) => {
      const list = files({
        m1_first: {
          up: 'assert(db:execute("CREATE TABLE a (v TEXT)"))\nassert(db:execute("INSERT INTO a VALUES (?)", {"kept"}))',
        },
        m2_failing: {
          up: [
            'assert(db:execute("CREATE TABLE b (v TEXT)"))',
            'assert(db:execute("INSERT INTO a VALUES (?)", {"lost"}))',
            body,
          ].join('\n'),
        },
        m3_never: table('c'),
      });
      const m = migrator(list);
      const result = await m.up();
      expect(result.ok).toBe(false);
      expect(statuses(result)).toEqual([
        ['m1_first', 'up', 'applied'],
        ['m2_failing', 'up', 'failed'],
      ]);
      const error = result.error!;
      expect(error.migration).toBe('m2_failing');
      expect(error.phase).toBe('up');
      expect(error.message).toMatch(message);
      if (at) expect(error.line).toBe(lineOf(list[1], at));
      else if (!sql) expect(error.line).toBeUndefined();
      if (sql) {
        expect(error.sql).toMatch(/^INSERT INTO nosuch VALUES \((\?|\$1)\)$/);
        expect(error.message).toMatch(NO_SUCH); // the engine's own message
      } else {
        expect(error.sql).toBeUndefined();
      }
      // Schema, data and ledger as after m1; m3 did not run.
      expect(await tables(driver)).toEqual(['a']);
      expect(await values('a')).toEqual(['kept']);
      expect(await ledgerIds(driver)).toEqual(['m1_first']);
      expect((await m.status()).migrations.map((s) => s.status)).toEqual(['applied', 'pending', 'pending']);
      m.dispose();
    });

    test('a failing down rolls back and stops: the migrations before it stay applied', async () => {
      const list = files({
        m1: table('a'),
        m2: table('b', { down: 'assert(db:execute("DROP TABLE b"))\nerror("cannot go back")' }),
        m3: table('c'),
      });
      const m = migrator(list);
      expect((await m.up()).ok).toBe(true);
      const result = await m.down({ all: true });
      expect(result.ok).toBe(false);
      expect(statuses(result)).toEqual([
        ['m3', 'down', 'reverted'],
        ['m2', 'down', 'failed'],
      ]);
      expect(result.error).toMatchObject({
        migration: 'm2',
        phase: 'down',
        message: 'cannot go back',
        line: lineOf(list[1], 'cannot go back'),
      });
      expect(await tables(driver)).toEqual(['a', 'b']);
      expect(await ledgerIds(driver)).toEqual(['m1', 'm2']);
      m.dispose();
    });

    test('a statement failing in down with its error ignored', async () => {
      const list = files({ m1: table('a', { down: `db:execute("${BAD}", {1})\ndb:execute("DROP TABLE a")` }) });
      const m = migrator(list);
      expect((await m.up()).ok).toBe(true);
      const result = await m.down();
      expect(result.error).toMatchObject({ migration: 'm1', phase: 'down', line: lineOf(list[0], BAD) });
      expect(result.error?.message).toMatch(NO_SUCH);
      expect(await tables(driver)).toEqual(['a']);
      expect(await ledgerIds(driver)).toEqual(['m1']);
      m.dispose();
    });

    test('after runs in the same transaction, after the ledger row; its failure undoes up as well', async () => {
      const list = files({
        m1: table('a', {
          after:
            'local rows = assert(db:query("SELECT count(*) AS n FROM _migrations WHERE id = ?", {"m1"}))\nassert(db:execute("INSERT INTO a VALUES (?)", {"after saw " .. tostring(rows[1].n)}))',
        }),
        m2: table('b', { after: 'assert(db:execute("INSERT INTO b VALUES (?)", {"x"}))\nerror("late trouble")' }),
        m3: table('c'),
      });
      const m = migrator(list);
      const result = await m.up();
      expect(statuses(result)).toEqual([
        ['m1', 'up', 'applied'],
        ['m2', 'up', 'failed'],
      ]);
      expect(result.error).toMatchObject({
        migration: 'm2',
        phase: 'after',
        message: 'after hook failed: late trouble',
        line: lineOf(list[1], 'late trouble'),
      });
      expect(await values('a')).toEqual(['after saw 1']);
      expect(await tables(driver)).toEqual(['a']);
      expect(await ledgerIds(driver)).toEqual(['m1']);
      m.dispose();
    });

    test('after: return nil, err and an ignored failed statement fail it too', async () => {
      for (const after of ['return nil, "refused"', `db:execute("${BAD}", {1})`]) {
        const m = migrator(files({ m1: table('a', { after }) }));
        const result = await m.up();
        expect(result.error?.phase).toBe('after');
        expect(result.error?.message).toMatch(/^after hook failed: /);
        expect(await tables(driver)).toEqual([]);
        expect(await ledgerIds(driver)).toEqual([]);
        m.dispose();
      }
    });

    test('a load error (Lua syntax) names the file and line, and stops the run before anything is applied', async () => {
      const list = [
        ...files({ m1: table('a') }),
        ...migrationFiles([
          {
            name: 'm2_broken.lua',
            text: 'return require("migration").define(function()\n  migration("x", function(\n  oops\nend)\n',
          },
        ]),
        ...files({ m3: table('c') }),
      ];
      for (const options of [{}, { singleTransaction: true }]) {
        const m = migrator(list);
        const result = await m.up(options);
        expect(statuses(result)).toEqual([['m2_broken', 'up', 'failed']]);
        expect(result.error).toMatchObject({ migration: 'm2_broken', phase: 'load', file: 'm2_broken.lua' });
        expect(result.error?.line).toBeGreaterThanOrEqual(3);
        expect(await tables(driver)).toEqual([]);
        m.dispose();
      }
      // Only the files a run will use are loaded: one step stops before the broken file.
      const m = migrator(list);
      const result = await m.up({ step: 1 });
      expect(result.ok).toBe(true);
      expect(statuses(result)).toEqual([['m1', 'up', 'applied']]);
      expect(await tables(driver)).toEqual(['a']);
      m.dispose();
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  test('no block for the engine: skipped with the reason, not recorded, still pending; the run goes on', async () => {
    const other: Engine = driver.engine === 'sqlite' ? 'postgres' : 'sqlite';
    const list = files({ m1_elsewhere: table('x', { engines: [other, 'mysql'] }), m2: table('a') });
    const m = migrator(list);
    const result = await m.up({ step: 1 }); // a skip does not use up the step
    expect(result.ok).toBe(true);
    expect(statuses(result)).toEqual([
      ['m1_elsewhere', 'up', 'skipped'],
      ['m2', 'up', 'applied'],
    ]);
    expect(result.results[0].reason).toBe(`no database("${driver.engine}") block (it targets ${other}, mysql)`);
    expect(await tables(driver)).toEqual(['a']);
    expect(await ledgerIds(driver)).toEqual(['m2']);
    expect((await m.status()).migrations.map((s) => [s.id, s.status])).toEqual([
      ['m1_elsewhere', 'pending'],
      ['m2', 'applied'],
    ]);
    // Still pending: the next run skips it again.
    expect(statuses(await m.up())).toEqual([['m1_elsewhere', 'up', 'skipped']]);
    m.dispose();
  });

  test('an empty database block is a placeholder: skipped, saying the block is empty', async () => {
    const list = migrationFiles([
      {
        name: 'm1.lua',
        text: `return require("migration").define(function()
  migration("placeholder", function()
    database("${driver.engine}", function() end)
  end)
end)`,
      },
    ]);
    const m = migrator(list);
    const result = await m.up();
    expect(result.results).toEqual([
      expect.objectContaining({
        id: 'm1',
        status: 'skipped',
        reason: `its database("${driver.engine}") block is empty`,
      }),
    ]);
    expect(await ledgerIds(driver)).toEqual([]);
    m.dispose();
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('down without a down block', () => {
    test('the last migration: an error, nothing changed', async () => {
      const list = files({ m1: table('a'), m2: { up: 'assert(db:execute("CREATE TABLE b (v TEXT)"))' } });
      const m = migrator(list);
      expect((await m.up()).ok).toBe(true);
      const result = await m.down();
      expect(result.ok).toBe(false);
      expect(result.results).toEqual([]);
      expect(result.error).toMatchObject({ migration: 'm2', phase: 'down' });
      expect(result.error?.message).toMatch(/cannot be reverted.*no down.*Nothing was changed/s);
      expect(await tables(driver)).toEqual(['a', 'b']);
      expect(await ledgerIds(driver)).toEqual(['m1', 'm2']);
      m.dispose();
    });

    test('one deeper down the plan: down --all reverts nothing either', async () => {
      const list = files({ m1: { up: 'assert(db:execute("CREATE TABLE a (v TEXT)"))' }, m2: table('b') });
      const m = migrator(list);
      expect((await m.up()).ok).toBe(true);
      const result = await m.down({ all: true });
      expect(result.error).toMatchObject({ migration: 'm1', phase: 'down' });
      expect(result.results).toEqual([]);
      expect(await tables(driver)).toEqual(['a', 'b']);
      expect(await ledgerIds(driver)).toEqual(['m1', 'm2']);
      // One step is fine: m2 has a down.
      expect(statuses(await m.down())).toEqual([['m2', 'down', 'reverted']]);
      m.dispose();
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  test('targets: up --step, up --to, down --step, down --to, down --all', async () => {
    const m = migrator(files({ t1: table('t1'), t2: table('t2'), t3: table('t3'), t4: table('t4') }));
    expect(statuses(await m.up({ step: 2 }))).toEqual([
      ['t1', 'up', 'applied'],
      ['t2', 'up', 'applied'],
    ]);
    expect(await ledgerIds(driver)).toEqual(['t1', 't2']);
    expect(statuses(await m.up({ to: 't3' }))).toEqual([['t3', 'up', 'applied']]);
    expect(statuses(await m.up({ to: 't3' }))).toEqual([]);
    expect(statuses(await m.up())).toEqual([['t4', 'up', 'applied']]);
    expect(await tables(driver)).toEqual(['t1', 't2', 't3', 't4']);
    expect(statuses(await m.up())).toEqual([]);

    expect(statuses(await m.down())).toEqual([['t4', 'down', 'reverted']]);
    expect(statuses(await m.down({ step: 2 }))).toEqual([
      ['t3', 'down', 'reverted'],
      ['t2', 'down', 'reverted'],
    ]);
    expect(await tables(driver)).toEqual(['t1']);
    expect((await m.up()).ok).toBe(true);
    expect(statuses(await m.down({ to: 't2' }))).toEqual([
      ['t4', 'down', 'reverted'],
      ['t3', 'down', 'reverted'],
    ]);
    expect(await ledgerIds(driver)).toEqual(['t1', 't2']);
    expect(statuses(await m.down({ to: 't2' }))).toEqual([]);
    expect(statuses(await m.down({ all: true }))).toEqual([
      ['t2', 'down', 'reverted'],
      ['t1', 'down', 'reverted'],
    ]);
    expect(await tables(driver)).toEqual([]);
    expect(await ledgerIds(driver)).toEqual([]);
    const none = await m.down();
    expect(none).toEqual({ ok: true, results: [], error: null });

    const unknown = await m.up({ to: 't9' });
    expect(unknown.ok).toBe(false);
    expect(unknown.error).toMatchObject({ migration: 't9', phase: 'check' });
    expect((await m.down({ to: 'nope' })).error?.phase).toBe('check');
    expect(await ledgerIds(driver)).toEqual([]);
    m.dispose();
  });

  test('redo reverts and re-applies the last migrations, and only those', async () => {
    const list = files({ r1: table('r1'), r2: table('r2'), r3: table('r3') });
    const m = migrator(list);
    expect((await m.up()).ok).toBe(true);
    await driver.execute(driver.engine === 'sqlite' ? 'INSERT INTO r3 VALUES (?)' : 'INSERT INTO r3 VALUES ($1)', [
      'gone after redo',
    ]);
    const one = await m.redo();
    expect(one.ok).toBe(true);
    expect(statuses(one)).toEqual([
      ['r3', 'down', 'reverted'],
      ['r3', 'up', 'applied'],
    ]);
    expect(await values('r3')).toEqual([]);
    expect(statuses(await m.redo({ step: 2 }))).toEqual([
      ['r3', 'down', 'reverted'],
      ['r2', 'down', 'reverted'],
      ['r2', 'up', 'applied'],
      ['r3', 'up', 'applied'],
    ]);
    expect(await ledgerIds(driver)).toEqual(['r1', 'r2', 'r3']);

    // A pending migration that sorts first is neither applied nor reported by redo.
    const withEarlier = migrator([...files({ r0_later_added: table('r0') }), ...list]);
    const redo = await withEarlier.redo();
    expect(statuses(redo)).toEqual([
      ['r3', 'down', 'reverted'],
      ['r3', 'up', 'applied'],
    ]);
    expect(await ledgerIds(driver)).toEqual(['r1', 'r2', 'r3']);
    expect(await tables(driver)).toEqual(['r1', 'r2', 'r3']);
    withEarlier.dispose();

    // Redo of a migration without down: an error, nothing changed.
    const noDown = migrator(
      files({ r1: table('r1'), r2: table('r2'), r3: { up: 'assert(db:execute("CREATE TABLE r3 (v TEXT)"))' } }),
      { allowDrift: true },
    );
    const refused = await noDown.redo();
    expect(refused.error).toMatchObject({ migration: 'r3', phase: 'down' });
    expect(refused.results).toEqual([]);
    expect(await ledgerIds(driver)).toEqual(['r1', 'r2', 'r3']);
    noDown.dispose();

    // A failing up after the down: the down stays committed, the error says so.
    const failingUp = migrator(
      files({ r1: table('r1'), r2: table('r2'), r3: table('r3', { up: 'error("no way back up")' }) }),
      { allowDrift: true },
    );
    const half = await failingUp.redo();
    expect(statuses(half)).toEqual([
      ['r3', 'down', 'reverted'],
      ['r3', 'up', 'failed'],
    ]);
    expect(half.error).toMatchObject({ migration: 'r3', phase: 'up', message: 'no way back up' });
    expect(await ledgerIds(driver)).toEqual(['r1', 'r2']);
    failingUp.dispose();
    m.dispose();
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('checksums', () => {
    test('a file changed after it was applied is modified, and up refuses unless drift is allowed', async () => {
      const original = files({ c1: table('a') });
      expect((await migrator(original).up()).ok).toBe(true);
      const [stored] = await rows(driver, `SELECT checksum FROM ${LEDGER_TABLE}`);
      expect(stored.checksum).toBe(original[0].checksum);
      expect(original[0].checksum).toMatch(/^[0-9a-f]{64}$/);

      const changed = migrationFiles([
        { name: 'c1.lua', text: `${original[0].source}-- an edit after the fact\n` },
        { name: 'c2.lua', text: lua(table('b')) },
      ]);
      const m = migrator(changed);
      const status = await m.status();
      expect(status.migrations.map((s) => [s.id, s.status])).toEqual([
        ['c1', 'modified'],
        ['c2', 'pending'],
      ]);
      const refused = await m.up();
      expect(refused.ok).toBe(false);
      expect(refused.results).toEqual([]);
      expect(refused.error).toMatchObject({ code: 'modified', migration: 'c1', phase: 'check' });
      expect(refused.error?.message).toMatch(/changed after it was applied/);
      expect(await tables(driver)).toEqual(['a']);

      const allowed = await migrator(changed, { allowDrift: true }).up();
      expect(statuses(allowed)).toEqual([['c2', 'up', 'applied']]);
      expect((await m.status()).migrations.map((s) => s.status)).toEqual(['modified', 'applied']);
      m.dispose();
    });

    test('a file deleted after it was applied is missing; up refuses, down cannot revert it', async () => {
      expect((await migrator(files({ d1: table('a', { description: 'the first' }), d2: table('b') })).up()).ok).toBe(
        true,
      );
      const m = migrator(files({ d2: table('b'), d3: table('c') }));
      const status = await m.status();
      expect(status.migrations.map((s) => [s.id, s.status, s.description])).toEqual([
        ['d1', 'missing', 'the first'],
        ['d2', 'applied', 'test migration'],
        ['d3', 'pending', 'test migration'],
      ]);
      expect(status.migrations[0].applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const refused = await m.up();
      expect(refused.error).toMatchObject({ migration: 'd1', phase: 'check' });
      expect(refused.error?.message).toMatch(/missing/);
      expect(await tables(driver)).toEqual(['a', 'b']);

      const down = await migrator(files({ d2: table('b') })).down({ all: true });
      expect(down.error).toMatchObject({ migration: 'd1', phase: 'check' });
      expect(down.error?.message).toMatch(/missing/);
      expect(down.results).toEqual([]);
      expect(await ledgerIds(driver)).toEqual(['d1', 'd2']);

      const allowed = await migrator(files({ d2: table('b'), d3: table('c') }), { allowDrift: true }).up();
      expect(statuses(allowed)).toEqual([['d3', 'up', 'applied']]);
      m.dispose();
    });

    test('an old ledger without checksum gets the column; its rows (NULL checksum) count as applied', async () => {
      const sqlite = driver.engine === 'sqlite';
      await driver.exec(
        sqlite
          ? `CREATE TABLE ${LEDGER_TABLE} (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER NOT NULL)`
          : `CREATE TABLE ${LEDGER_TABLE} (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      await driver.exec(
        sqlite
          ? `INSERT INTO ${LEDGER_TABLE} (id, description, applied_at) VALUES ('o1', 'from the old runtime', 1700000000)`
          : `INSERT INTO ${LEDGER_TABLE} (id, description, applied_at) VALUES ('o1', 'from the old runtime', '2023-11-14 22:13:20+00')`,
      );
      await driver.exec('CREATE TABLE a (v TEXT)');

      const list = files({ o1: table('a'), o2: table('b') });
      const m = migrator(list);
      const before = await m.status();
      expect(before.migrations).toEqual([
        { id: 'o1', description: 'from the old runtime', status: 'applied', applied_at: '2023-11-14T22:13:20Z' },
        { id: 'o2', description: 'test migration', status: 'pending' },
      ]);
      expect(await columns(driver, LEDGER_TABLE)).toEqual(['id', 'description', 'applied_at']); // status changes nothing

      const result = await m.up();
      expect(statuses(result)).toEqual([['o2', 'up', 'applied']]);
      expect(await columns(driver, LEDGER_TABLE)).toEqual(['id', 'description', 'applied_at', 'checksum']);
      expect(await rows(driver, `SELECT id, checksum FROM ${LEDGER_TABLE} ORDER BY id`)).toEqual([
        { id: 'o1', checksum: null },
        { id: 'o2', checksum: list[1].checksum },
      ]);
      expect((await m.status()).migrations.map((s) => s.status)).toEqual(['applied', 'applied']);
      // A NULL checksum cannot tell a change: the row stays applied whatever the file says now.
      const edited = migrationFiles([
        { name: 'o1.lua', text: `${list[0].source}-- edited\n` },
        { name: 'o2.lua', text: list[1].source },
      ]);
      expect((await migrator(edited).status()).migrations.map((s) => s.status)).toEqual(['applied', 'applied']);
      expect(statuses(await m.down({ all: true }))).toEqual([
        ['o2', 'down', 'reverted'],
        ['o1', 'down', 'reverted'],
      ]);
      expect(await tables(driver)).toEqual([]);
      m.dispose();
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('--single-transaction', () => {
    test('everything commits together', async () => {
      const other: Engine = driver.engine === 'sqlite' ? 'postgres' : 'sqlite';
      const events: MigratorEvent[] = [];
      const m = migrator(files({ s1: table('a'), s2: table('x', { engines: [other] }), s3: table('b') }), {
        onEvent: (e) => events.push(e),
      });
      const result = await m.up({ singleTransaction: true });
      expect(result.ok).toBe(true);
      expect(statuses(result)).toEqual([
        ['s1', 'up', 'applied'],
        ['s2', 'up', 'skipped'],
        ['s3', 'up', 'applied'],
      ]);
      expect(await tables(driver)).toEqual(['a', 'b']);
      expect(await ledgerIds(driver)).toEqual(['s1', 's3']);
      expect(events.filter((e) => e.type === 'done').map((e) => e.type === 'done' && e.result.status)).toEqual([
        'applied',
        'skipped',
        'applied',
      ]);
      m.dispose();
    });

    test('a later failure rolls back the earlier ones: rolled_back', async () => {
      expect((await migrator(files({ s0: table('z') })).up()).ok).toBe(true);
      const events: MigratorEvent[] = [];
      const list = files({
        s0: table('z'),
        s1: table('a'),
        s2: {
          up: 'assert(db:execute("CREATE TABLE b (v TEXT)"))\nassert(db:execute("INSERT INTO b VALUES (?)", {"x"}))',
        },
        s3: { up: `assert(db:execute("${BAD}", {1}))` },
        s4: table('never'),
      });
      const m = migrator(list, { onEvent: (e) => events.push(e) });
      const result = await m.up({ singleTransaction: true });
      expect(result.ok).toBe(false);
      expect(statuses(result)).toEqual([
        ['s1', 'up', 'rolled_back'],
        ['s2', 'up', 'rolled_back'],
        ['s3', 'up', 'failed'],
      ]);
      expect(result.error).toMatchObject({ migration: 's3', phase: 'up', line: lineOf(list[3], BAD) });
      expect(result.error?.message).toMatch(NO_SUCH);
      expect(await tables(driver)).toEqual(['z']);
      expect(await ledgerIds(driver)).toEqual(['s0']);
      // Listeners hear the outcome, never "applied" for a migration that was then rolled back.
      expect(events.filter((e) => e.type === 'done').map((e) => e.type === 'done' && e.result.status)).toEqual([
        'rolled_back',
        'rolled_back',
        'failed',
      ]);
      m.dispose();
    });

    test('with --step', async () => {
      const m = migrator(files({ s1: table('a'), s2: table('b'), s3: table('c') }));
      expect(statuses(await m.up({ singleTransaction: true, step: 2 }))).toEqual([
        ['s1', 'up', 'applied'],
        ['s2', 'up', 'applied'],
      ]);
      expect(await ledgerIds(driver)).toEqual(['s1', 's2']);
      m.dispose();
    });
  });

  describe('--dry-run', () => {
    test('lists the statements with their parameters and changes nothing, not even the ledger table', async () => {
      const list = files({
        p1: { up: 'assert(db:execute("CREATE TABLE t (n INTEGER, s TEXT, x TEXT)"))' },
        p2: {
          up: [
            'assert(db:execute("INSERT INTO t (n, s, x) VALUES (?, ?, ?)", {1, "one"}))',
            'local stmt = assert(db:prepare("INSERT INTO t (n, s) VALUES (?, ?)"))',
            'assert(stmt:execute({2, "two"}))',
            'local rows = assert(db:query("SELECT count(*) AS c FROM t WHERE n > ?", {0}))',
            'assert(rows[1].c == 2, "both rows are visible inside the dry run")',
          ].join('\n'),
          after: 'assert(db:execute("UPDATE t SET x = ? WHERE n = ?", {"after", 2}))',
        },
      });
      const m = migrator(list);
      const result = await m.up({ dryRun: true });
      expect(result.error).toBeNull();
      expect(result.ok).toBe(true);
      expect(statuses(result)).toEqual([
        ['p1', 'up', 'rolled_back'],
        ['p2', 'up', 'rolled_back'],
      ]);
      const pg = driver.engine === 'postgres';
      const q = (sql: string) =>
        pg
          ? sql.replace(
              /\?/g,
              (() => {
                let i = 0;
                return () => `$${++i}`;
              })(),
            )
          : sql;
      expect(result.statements).toEqual([
        { migration: 'p1', sql: 'CREATE TABLE t (n INTEGER, s TEXT, x TEXT)', params: [] },
        { migration: 'p2', sql: q('INSERT INTO t (n, s, x) VALUES (?, ?, ?)'), params: [1, 'one', null] },
        { migration: 'p2', sql: q('INSERT INTO t (n, s) VALUES (?, ?)'), params: [2, 'two'] },
        { migration: 'p2', sql: q('SELECT count(*) AS c FROM t WHERE n > ?'), params: [0] },
        { migration: 'p2', sql: q('UPDATE t SET x = ? WHERE n = ?'), params: ['after', 2] },
      ]);
      expect(await tables(driver)).toEqual([]);
      expect(await tableExists(driver, LEDGER_TABLE)).toBe(false);

      // With a ledger in place, it stays as it was.
      expect((await migrator(list).up({ step: 1 })).ok).toBe(true);
      const again = await m.up({ dryRun: true });
      expect(statuses(again)).toEqual([['p2', 'up', 'rolled_back']]);
      expect(await ledgerIds(driver)).toEqual(['p1']);
      expect(await column(driver, 'SELECT count(*) FROM t')).toEqual([0]);
      m.dispose();
    });

    test('a failure in a dry run is reported; still nothing changed', async () => {
      const m = migrator(files({ p1: table('a'), p2: { up: 'error("found it")' } }));
      const result = await m.up({ dryRun: true });
      expect(result.ok).toBe(false);
      expect(statuses(result)).toEqual([
        ['p1', 'up', 'rolled_back'],
        ['p2', 'up', 'failed'],
      ]);
      expect(result.error).toMatchObject({ migration: 'p2', phase: 'up', message: 'found it' });
      expect(await tables(driver)).toEqual([]);
      expect(await tableExists(driver, LEDGER_TABLE)).toBe(false);
      m.dispose();
    });
  });
});

// -----------------------------------------------------------------------------------------------------------------

describe('the runner never throws', () => {
  test('a closed database: every method answers with an error', async () => {
    const driver = await openSqlJs();
    await driver.close();
    const m = new Migrator({ driver, files: files({ m1: table('a') }) });
    const status = await m.status();
    expect(status.ok).toBe(false);
    const closed = {
      code: 'engine',
      migration: null,
      phase: 'connect',
      message: 'the connection to sqlite (in memory) is closed: open the database again to run migrations',
    };
    expect(status.error).toEqual(closed);
    for (const result of [await m.up(), await m.down(), await m.redo(), await m.up({ dryRun: true })]) {
      expect(result.ok).toBe(false);
      expect(result.results).toEqual([]);
      expect(result.error).toEqual(closed);
    }
    m.dispose();
  });
});

describe('applied_at is ISO 8601 in UTC', () => {
  test.each([
    [1700000000, '2023-11-14T22:13:20Z'],
    ['1700000000', '2023-11-14T22:13:20Z'],
    ['2023-11-14 22:13:20', '2023-11-14T22:13:20Z'],
    ['2023-11-14 22:13:20.123456+00', '2023-11-14T22:13:20.123Z'],
    ['2023-11-14 23:13:20+01', '2023-11-14T22:13:20Z'],
    ['2023-11-14T17:43:20-04:30', '2023-11-14T22:13:20Z'],
    ['yesterday', 'yesterday'],
    [null, ''],
  ])('%s', (value, iso) => {
    expect(formatAppliedAt(value)).toBe(iso);
  });
});
