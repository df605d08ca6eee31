/**
 * Issue 11, harm: hostile migration code on each in-process engine (sql.js, better-sqlite3 files, PGlite) cannot
 * change what the next file sees, reach a file besides the database, or make the runner record into an impostor
 * ledger; a table called `_migrations` that is not a ledger is never altered. Each test checks that the database,
 * its ledger and the files around it are as before.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Driver, Engine } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { column, ledgerIds, tables } from '../helpers/db-inspect.ts';
import { migration, smallHost } from '../helpers/migration.ts';

const TMP = mkdtempSync(join(tmpdir(), 'moonwalk-hostile-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

let fileCounter = 0;
const ENGINES: Array<[string, Engine, () => Promise<Driver>]> = [
  ['sql.js', 'sqlite', () => openSqlJs()],
  ['better-sqlite3 file', 'sqlite', async () => openSqliteFile(join(TMP, `db${++fileCounter}.sqlite`))],
  ['PGlite', 'postgres', () => openPglite()],
];

/** Runs `up` over the files (name → text) on a fresh database of the engine; the driver stays open for checks. */
async function up(open: () => Promise<Driver>, files: Record<string, string>, driver?: Driver) {
  const db = driver ?? (await open());
  const output: string[] = [];
  const migrator = new Migrator({
    driver: db,
    files: migrationFiles(Object.entries(files).map(([name, text]) => ({ name, text }))),
    host: smallHost(),
    onEvent: (event) => {
      if (event.type === 'output') output.push(...event.lines);
    },
  });
  try {
    return { db, result: await migrator.up(), output, status: await migrator.status() };
  } finally {
    migrator.dispose();
  }
}

describe.each(ENGINES)('%s', (_label, engine, open) => {
  const drivers: Driver[] = [];
  afterAll(async () => {
    for (const d of drivers) await d.close();
  });
  async function run(files: Record<string, string>, driver?: Driver) {
    const outcome = await up(open, files, driver);
    drivers.push(outcome.db);
    return outcome;
  }

  test('item 1: a file that tampers with require("sql"), error values or their metatables changes nothing for the next file', async () => {
    const first = migration(`
      require("sql").NULL = "PWNED"
      require("migration").define = nil
      db:savepoint("s")
      local _, err = db:execute("SELEC 1")
      db:rollback_to("s")
      print(getmetatable(err))
      print(pcall(setmetatable, err, nil))
      local mt = getmetatable(err)
      print(pcall(function() mt.__tostring = function() return "PWNED" end end))
    `);
    const second = migration(`
      db:execute("CREATE TABLE t (v TEXT)")
      db:execute("INSERT INTO t (v) VALUES (?)", { require("sql").NULL })
      db:savepoint("s")
      local _, err = db:execute("SELEC 1")
      db:rollback_to("s")
      print(type(require("migration").define), tostring(err) ~= "PWNED", err:kind())
    `);
    const { db, result, output } = await run({ '0001_tamper.lua': first, '0002_victim.lua': second });
    expect(result.error).toBeNull();
    expect(output[0]).toBe('moonwalk error');
    expect(output[1]).toMatch(/^false\tcannot change a protected metatable/);
    expect(output[2]).toMatch(/^false\t.*attempt to index a string value/);
    expect(output[3]).toBe('function\ttrue\tsyntax');
    expect(await column(db, 'SELECT v FROM t')).toEqual([null]);
  });

  test('item 4: a TEMP table or another schema called _migrations never receives the runner’s records', async () => {
    const shadow =
      engine === 'sqlite'
        ? `db:execute("CREATE TEMP TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER, checksum TEXT)")`
        : `assert(db:execute("CREATE TEMP TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ, checksum TEXT)"))
           assert(db:execute("CREATE SCHEMA impostor"))
           assert(db:execute("CREATE TABLE impostor._migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ, checksum TEXT)"))
           assert(db:execute("SET search_path TO impostor"))`;
    const files = {
      '0001_shadow.lua': migration(shadow),
      '0002_next.lua': migration('assert(db:execute("CREATE TABLE next_one (x INT)"))'),
    };
    const { db, result } = await run(files);
    expect(result.error).toBeNull();
    expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const real = engine === 'sqlite' ? 'main._migrations' : 'public._migrations';
    expect(await column(db, `SELECT id FROM ${real} ORDER BY id`)).toEqual(['0001_shadow', '0002_next']);
    // The same connection, a second run: nothing is pending, nothing runs again.
    const again = await run(files, db);
    expect(again.result.error).toBeNull();
    expect(again.result.results).toEqual([]);
    expect(again.status.migrations.map((m) => m.status)).toEqual(['applied', 'applied']);
  });

  test('item 3: a table called _migrations that is not a ledger is refused by name and left as it was', async () => {
    const db = await open();
    drivers.push(db);
    await db.exec('CREATE TABLE _migrations (name TEXT, run_on TEXT)');
    await db.exec("INSERT INTO _migrations VALUES ('users', '2024-01-01')");
    const { result, status } = await run(
      { '0001_a.lua': migration('assert(db:execute("CREATE TABLE a (x INT)"))') },
      db,
    );
    expect(result.ok).toBe(false);
    expect(result.error?.phase).toBe('check');
    expect(result.error?.message).toMatch(/_migrations .*is not a migration ledger: it has the columns name, run_on/);
    expect(result.error?.message).toMatch(/Rename that table/);
    expect(status.ok).toBe(false);
    expect(status.error?.message).toMatch(/is not a migration ledger/);
    const columnsSql =
      engine === 'sqlite'
        ? "SELECT name FROM pragma_table_info('_migrations') ORDER BY cid"
        : "SELECT column_name FROM information_schema.columns WHERE table_name = '_migrations' ORDER BY ordinal_position";
    expect(await column(db, columnsSql)).toEqual(['name', 'run_on']);
    expect(await column(db, 'SELECT name FROM _migrations')).toEqual(['users']);
    expect(await tables(db)).toEqual([]);
  });

  test('item 16: a ledger row without an id is an error that says how to remove it, not a migration called null', async () => {
    const { db } = await run({ '0001_a.lua': migration('assert(db:execute("CREATE TABLE a (x INT)"))') });
    if (engine === 'postgres') {
      await db.exec('ALTER TABLE _migrations DROP CONSTRAINT _migrations_pkey');
      await db.exec('ALTER TABLE _migrations ALTER COLUMN id DROP NOT NULL');
    }
    // SQLite lets a TEXT PRIMARY KEY hold NULL
    await db.exec("INSERT INTO _migrations (id, description) VALUES (NULL, 'x')");
    const { status } = await run({ '0001_a.lua': migration('') }, db);
    expect(status.ok).toBe(false);
    expect(status.error?.message).toMatch(
      /has a row without an id.*DELETE FROM (public\.)?_migrations WHERE id IS NULL/,
    );
  });
});

describe.each(ENGINES.filter(([, engine]) => engine === 'sqlite'))(
  '%s: item 2, no file besides the database',
  (_l, _e, open) => {
    const cases: Array<[string, string]> = [
      ['ATTACH', `ATTACH DATABASE '${join(TMP, 'attached.db')}' AS y`],
      ['ATTACH (lower case, after a comment, with a parameter)', `/* hi */ attach ? as y`],
      [
        'ATTACH as the second statement of a script',
        `CREATE TABLE before_attach (x INT); ATTACH '${join(TMP, 'attached.db')}' AS y`,
      ],
      ['ATTACH of a URI', `ATTACH 'file:${join(TMP, 'attached.db')}?mode=rwc' AS y`],
      ['VACUUM INTO', `VACUUM INTO '${join(TMP, 'copy.db')}'`],
      ['VACUUM schema INTO', `VACUUM main INTO '${join(TMP, 'copy.db')}'`],
      ['load_extension()', `SELECT load_extension('${join(TMP, 'evil.so')}')`],
      ['"load_extension"() quoted', `SELECT "load_extension"('${join(TMP, 'evil.so')}')`],
    ];
    test.each(cases)('%s is refused, nothing is written', async (_name, sql) => {
      const before = readdirSync(TMP).filter((f) => !f.startsWith('db'));
      const body = `
      local ok, err = db:execute(${JSON.stringify(sql)}, ${sql.includes('attach ?') ? `{ ${JSON.stringify(join(TMP, 'attached.db'))} }` : '{}'})
      if err then error(err) end
    `;
      const prepared = `local s, err = db:prepare(${JSON.stringify(sql)}); if err then error(err) end`;
      for (const code of [body, prepared]) {
        const db = await open();
        try {
          const { result } = await up(open, { '0001_escape.lua': migration(code) }, db);
          expect(result.ok).toBe(false);
          expect(result.error?.message).toMatch(
            /is not allowed in a migration: it reaches a file other than the database/,
          );
          expect(await ledgerIds(db)).toEqual([]);
          expect(await tables(db)).toEqual([]);
        } finally {
          await db.close();
        }
      }
      expect(readdirSync(TMP).filter((f) => !f.startsWith('db'))).toEqual(before);
      expect(existsSync(join(TMP, 'attached.db'))).toBe(false);
    });

    test("neither SQLite build has the shell's file functions (readfile, writefile, edit) or a tokenizer by pointer", async () => {
      const db = await open();
      try {
        const outcome = await up(
          open,
          {
            '0001_probe.lua': migration(`
              for _, sql in ipairs({ "SELECT readfile('/etc/hostname')", "SELECT writefile('${join(TMP, 'written.txt')}', 'x')",
                  "SELECT edit('x')", "SELECT fts3_tokenizer('evil', X'0000000000000000')" }) do
                db:savepoint("probe")
                local rows, err = db:query(sql)
                db:rollback_to("probe")
                print(rows == nil and err:kind() or "ran")
              end`),
          },
          db,
        );
        expect(outcome.result.error).toBeNull();
        // No such function (kind "undefined"); the tokenizer by pointer is switched off in both builds.
        expect(outcome.output.slice(0, 3)).toEqual(['undefined', 'undefined', 'undefined']);
        expect(outcome.output[3]).not.toBe('ran');
        expect(existsSync(join(TMP, 'written.txt'))).toBe(false);
      } finally {
        await db.close();
      }
    });

    test('item 11: a NUL byte inside SQL text is an error, nothing after it is silently dropped', async () => {
      const db = await open();
      try {
        const { result } = await up(
          open,
          { '0001_nul.lua': migration('assert(db:execute("CREATE TABLE a (x INT);\\0 CREATE TABLE b (y INT)"))') },
          db,
        );
        expect(result.ok).toBe(false);
        expect(result.error?.message).toMatch(/NUL byte/);
        expect(await tables(db)).toEqual([]);
        expect(await ledgerIds(db)).toEqual([]);
      } finally {
        await db.close();
      }
    });
  },
);

describe('PGlite: item 2, no file besides the database', () => {
  let db: Driver;
  afterAll(async () => {
    await db?.close();
  });
  test.each([
    ['COPY TO a file', `COPY (SELECT 1) TO '/tmp/out.txt'`],
    ['COPY FROM a file', `COPY t FROM '/etc/passwd'`],
    ['COPY TO PROGRAM', `COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'`],
    ['pg_read_file', `SELECT pg_read_file('/etc/hostname')`],
    ['lo_export', `SELECT lo_export(1, '/tmp/x')`],
  ])('%s is refused', async (_name, sql) => {
    db ??= await openPglite();
    const { result } = await up(
      openPglite,
      { '0001_escape.lua': migration(`assert(db:execute(${JSON.stringify(sql)}))`) },
      db,
    );
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(/is not allowed in a migration: it reaches a file other than the database/);
    expect(await ledgerIds(db)).toEqual([]);
  });

  test('COPY FROM STDIN and a column called copy_to are not file access', async () => {
    db ??= await openPglite();
    const { result } = await up(
      openPglite,
      { '0001_ok.lua': migration('assert(db:execute("CREATE TABLE copy (copy_to TEXT, program TEXT)"))') },
      db,
    );
    expect(result.error).toBeNull();
  });
});

describe('sql.js: item 16, judged', () => {
  test('collectgarbage is there and harmless; NaN is refused as a parameter; deep recursion reads as Lua', async () => {
    const ok = await up(openSqlJs, {
      '0001_gc.lua': migration(
        'print(collectgarbage(), collectgarbage("count"), collectgarbage("step"), pcall(collectgarbage, "bogus"))',
      ),
    });
    expect(ok.result.error).toBeNull();
    expect(ok.output[0]).toMatch(/^0\t0\ttrue\tfalse\t.*invalid option 'bogus'/);
    await ok.db.close();

    const nan = await up(openSqlJs, {
      '0001_nan.lua': migration(
        'assert(db:execute("CREATE TABLE n (x REAL)")); assert(db:execute("INSERT INTO n VALUES (?)", { 0/0 }))',
      ),
    });
    expect(nan.result.error?.message).toMatch(/parameter 1 is NaN/);
    expect(await tables(nan.db)).toEqual([]);
    await nan.db.close();

    const deep = await up(openSqlJs, { '0001_deep.lua': migration('local function f() return 1 + f() end f()') });
    expect(deep.result.error?.message).not.toMatch(/JS/);
    await deep.db.close();
  });
});
