/**
 * One file cannot change what the next one sees (issue 11): a migration's PRAGMAs (SQLite), SET, SET ROLE, custom
 * variables and TEMP tables (PostgreSQL), SET, @variables and USE (MariaDB) are gone when the next migration runs, in
 * its own transaction and inside a batch; on sql.js, a better-sqlite3 file, PGlite, and the real PostgreSQL and
 * MariaDB servers of the test run. A migration can still set them for itself: the guide's table rebuild with
 * `PRAGMA foreign_keys = OFF` outside a transaction works as SQLite documents it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver, Engine } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator, type UpOptions } from '../../src/core/migrator.ts';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { column, ledgerIds } from '../helpers/db-inspect.ts';
import { smallHost } from '../helpers/migration.ts';

const TMP = mkdtempSync(join(tmpdir(), 'moonwalk-session-'));
const opened: Driver[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close().catch(() => {})));
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(TMP, { recursive: true, force: true });
});

/** A migration with one block for `engine`: `options` as Lua table text (or none), the up body. */
function file(engine: Engine, up: string, options?: string): string {
  return [
    'return require("migration").define(function()',
    '  migration("session", function()',
    `    database("${engine}", function()`,
    options ? `      options${options}` : '',
    `      up(function(db)\n        local function one(sql)\n          local row = assert(db:query(sql))[1]\n          for _, v in pairs(row) do return v end\n          return "nil"\n        end\n${up}\n      end)`,
    '    end)',
    '  end)',
    'end)',
  ].join('\n');
}

/** Runs `up` over the files (in name order) on `driver`; answers the result and what the migrations printed. */
async function up(driver: Driver, files: Record<string, string>, options: UpOptions = {}) {
  const output: string[] = [];
  const migrator = new Migrator({
    driver,
    host: smallHost(),
    files: migrationFiles(Object.entries(files).map(([name, text]) => ({ name, text }))),
    onEvent: (event) => {
      if (event.type === 'output') output.push(...event.lines);
    },
  });
  try {
    return { result: await migrator.up(options), output };
  } finally {
    migrator.dispose();
  }
}

async function keep(driver: Promise<Driver>): Promise<Driver> {
  const d = await driver;
  opened.push(d);
  return d;
}

// ---------------------------------------------------------------------------------------------------------------------
// SQLite

let sqliteFiles = 0;
const SQLITE: Array<[string, () => Promise<Driver>]> = [
  ['sql.js', () => keep(openSqlJs())],
  ['better-sqlite3 file', () => keep(Promise.resolve(openSqliteFile(join(TMP, `db${++sqliteFiles}.sqlite`))))],
];

const SQLITE_PRAGMAS = [
  'foreign_keys',
  'recursive_triggers',
  'ignore_check_constraints',
  'legacy_alter_table',
  'journal_mode',
  'synchronous',
];
const SQLITE_PROBE = `
  print(${SQLITE_PRAGMAS.map((p) => `one("PRAGMA ${p}")`).join(', ')}, one("SELECT 'a' LIKE 'A'"), one("SELECT count(*) FROM temp.sqlite_master"), one("SELECT v FROM items"))
  assert(db:execute("INSERT INTO items VALUES ('second')"))
`;

describe.each(SQLITE)('%s: PRAGMAs and TEMP objects', (_label, open) => {
  const tamper = (transaction: boolean) =>
    file(
      'sqlite',
      `assert(db:execute("CREATE TABLE items (v TEXT)"))
       assert(db:execute("INSERT INTO items VALUES ('real')"))
       assert(db:execute("CREATE TEMP TABLE items (v TEXT)"))
       assert(db:execute("INSERT INTO temp.items VALUES ('impostor')"))
       assert(db:execute("CREATE TEMP TRIGGER grab AFTER INSERT ON main.items BEGIN DELETE FROM main.items; END"))
       local pragmas = { "foreign_keys = OFF", "recursive_triggers = ON", "ignore_check_constraints = ON",
         "legacy_alter_table = ON", "case_sensitive_like = ON" }
       ${transaction ? '' : 'table.insert(pragmas, "journal_mode = OFF"); table.insert(pragmas, "synchronous = OFF")'}
       for _, pragma in ipairs(pragmas) do
         assert(db:execute("PRAGMA " .. pragma))
       end`,
      transaction ? undefined : '{ transaction = false }',
    );

  test.each([
    ['each in its own transaction', true, {}],
    ['outside a transaction', false, {}],
    ['in one transaction (--single-transaction)', true, { singleTransaction: true }],
  ] as const)('a migration %s changes nothing the next one sees', async (_how, transaction, options) => {
    const db = await open();
    const before: string[] = [];
    for (const pragma of SQLITE_PRAGMAS) before.push(String((await db.query(`PRAGMA ${pragma}`, [])).rows[0][0]));
    const { result, output } = await up(
      db,
      { '0001_tamper.lua': tamper(transaction), '0002_probe.lua': file('sqlite', SQLITE_PROBE) },
      options,
    );
    expect(result.error).toBeNull();
    // The PRAGMAs as the driver opened the connection; LIKE is case-insensitive again; the temp table and trigger
    // are gone, so the probe reads the real table and its insert stays.
    expect(output).toEqual([[...before, '1', '0', 'real'].join('\t')]);
    expect(await column(db, 'SELECT v FROM main.items ORDER BY v')).toEqual(['real', 'second']);
    expect(await ledgerIds(db)).toEqual(['0001_tamper', '0002_probe']);
  });

  test("the guide's table rebuild with PRAGMA foreign_keys = OFF outside a transaction works, and the next file has them on again", async () => {
    const db = await open();
    await db.exec('PRAGMA foreign_keys = ON');
    const { result, output } = await up(db, {
      '0001_tables.lua': file(
        'sqlite',
        `assert(db:execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"))
         assert(db:execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id))"))
         assert(db:execute("INSERT INTO users VALUES (1, 'ann')"))
         assert(db:execute("INSERT INTO posts VALUES (1, 1)"))`,
      ),
      '0002_rebuild.lua': file(
        'sqlite',
        `assert(db:execute("PRAGMA foreign_keys = OFF"))
         assert(db:execute("CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)"))
         assert(db:execute("INSERT INTO users_new (id, name) SELECT id, name FROM users"))
         assert(db:execute("DROP TABLE users"))
         assert(db:execute("ALTER TABLE users_new RENAME TO users"))
         assert(#assert(db:query("PRAGMA foreign_key_check")) == 0)
         print("rebuilt with foreign_keys", one("PRAGMA foreign_keys"))`,
        '{ transaction = false }',
      ),
      '0003_next.lua': file(
        'sqlite',
        `print("next sees foreign_keys", one("PRAGMA foreign_keys"))
         db:savepoint("orphan")
         local ok, err = db:execute("INSERT INTO posts VALUES (2, 99)")
         db:rollback_to("orphan")
         print(ok == nil and err:kind())`,
      ),
    });
    expect(result.error).toBeNull();
    expect(output).toEqual(['rebuilt with foreign_keys\t0', 'next sees foreign_keys\t1', 'constraint']);
    expect(await column(db, 'SELECT count(*) FROM posts')).toEqual([1]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL: PGlite and the server

const PG_TAMPER = (role: string | null) =>
  file(
    'postgres',
    `assert(db:execute("CREATE TABLE items (v text)"))
     assert(db:execute("INSERT INTO items VALUES ('real')"))
     assert(db:execute("CREATE TEMP TABLE items (v text)"))
     assert(db:execute("INSERT INTO pg_temp.items VALUES ('impostor')"))
     assert(db:execute("CREATE SCHEMA elsewhere"))
     assert(db:execute("SET search_path TO elsewhere"))
     assert(db:execute("SET statement_timeout = '1ms'"))
     assert(db:execute("SET myapp.tenant = 'evil'"))
     assert(db:execute("SET datestyle = 'SQL, DMY'"))
     ${role ? `assert(db:execute("SET ROLE ${role}"))` : ''}`,
  );

const PG_PROBE = `
  print(one("SELECT current_schema()"), one("SHOW statement_timeout"), one("SELECT current_setting('myapp.tenant', true)"),
    one("SHOW datestyle"), one("SELECT current_user = session_user"), one("SELECT v FROM items"))
  assert(db:execute("CREATE TABLE made_by_probe (x int)"))
`;

describe('PostgreSQL session state', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await useServer('postgres');
    servers.push(server);
  });

  /** An engine, a fresh database on it, a role the connection may SET ROLE to, and the schema it works in. */
  async function target(kind: 'PGlite' | 'server', schema?: string) {
    if (kind === 'PGlite') {
      const db = await keep(openPglite());
      await db.exec('CREATE ROLE other_role');
      return { db, role: 'other_role', schema: 'public' };
    }
    const url = new URL(await scratchDatabase(server, 'session'));
    if (schema) url.searchParams.set('schema', schema);
    const role = `other_${process.pid}_${Math.floor(performance.now())}`;
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role}`);
      await admin.query(`GRANT ${role} TO ${decodeURIComponent(url.username)}`);
      if (schema) {
        const inDb = new URL(server.adminUrl!);
        inDb.pathname = url.pathname;
        const c = new pg.Client({ connectionString: inDb.toString() });
        await c.connect();
        await c.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${decodeURIComponent(url.username)}`);
        await c.end();
      }
    } finally {
      await admin.end();
    }
    return {
      db: await keep(openDatabase(url.toString(), { connectTimeoutMs: 5000 })),
      role,
      schema: schema ?? 'public',
    };
  }

  test.each([
    ['PGlite', 'each in its own transaction', {}],
    ['PGlite', 'in one transaction (--single-transaction)', { singleTransaction: true }],
    ['server', 'each in its own transaction', {}],
    ['server', 'in one transaction (--single-transaction)', { singleTransaction: true }],
  ] as const)(
    '%s: SET, SET ROLE, custom variables and a TEMP table of a migration %s are gone for the next',
    async (kind, _how, options) => {
      const { db, role } = await target(kind);
      const { result, output } = await up(
        db,
        { '0001_tamper.lua': PG_TAMPER(role), '0002_probe.lua': file('postgres', PG_PROBE) },
        options,
      );
      expect(result.error).toBeNull();
      expect(output).toEqual(['public\t0\t\tISO, MDY\ttrue\treal']);
      expect(
        await column(db, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'made_by_probe'"),
      ).toEqual(['public']);
      expect(await column(db, 'SELECT id FROM public._migrations ORDER BY id')).toEqual(['0001_tamper', '0002_probe']);
    },
  );

  test("server: the connection's own search_path (?schema=) comes back after a migration changed it", async () => {
    const schema = `tenant_${process.pid}`;
    const { db } = await target('server', schema);
    const { result, output } = await up(db, {
      '0001_tamper.lua': file('postgres', 'assert(db:execute("SET search_path TO public"))'),
      '0002_probe.lua': file('postgres', 'print(one("SELECT current_schema()"))'),
    });
    expect(result.error).toBeNull();
    expect(output).toEqual([schema]);
    expect(await column(db, `SELECT id FROM ${schema}._migrations ORDER BY id`)).toEqual(['0001_tamper', '0002_probe']);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// MariaDB

describe('MariaDB session state', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await useServer('mysql');
    servers.push(server);
  });

  test('SET sql_mode, foreign_key_checks, time_zone, @variables, USE and a TEMPORARY table of a migration are gone for the next', async () => {
    const url = await scratchDatabase(server, 'session');
    const other = new URL(await scratchDatabase(server, 'session_other')).pathname.slice(1);
    const db = await keep(openDatabase(url, { connectTimeoutMs: 5000 }));
    const before = await column(db, 'SELECT @@SESSION.sql_mode');
    const { result, output } = await up(db, {
      '0001_tamper.lua': file(
        'mysql',
        `assert(db:execute("CREATE TABLE items (v TEXT)"))
         assert(db:execute("INSERT INTO items VALUES ('real')"))
         assert(db:execute("CREATE TEMPORARY TABLE IF NOT EXISTS \`items\` (v TEXT)"))
         assert(db:execute("INSERT INTO items VALUES ('impostor')"))
         assert(db:execute("SET sql_mode = 'ANSI', foreign_key_checks = 0, time_zone = '+05:00', @tenant = 'evil'"))
         assert(db:execute("USE ${other}"))`,
      ),
      '0002_probe.lua': file(
        'mysql',
        `print(one("SELECT @@SESSION.sql_mode"), one("SELECT @@SESSION.foreign_key_checks"), one("SELECT @@SESSION.time_zone"),
           one("SELECT coalesce(@tenant, 'unset')"), one("SELECT DATABASE()"), one("SELECT group_concat(v) FROM items"))
         assert(db:execute("CREATE TABLE made_by_probe (x int)"))`,
      ),
    });
    expect(result.error).toBeNull();
    const database = new URL(url).pathname.slice(1);
    expect(output).toEqual([`${String(before[0])}\t1\tSYSTEM\tunset\t${database}\treal`]);
    expect(
      await column(db, 'SELECT table_schema FROM information_schema.tables WHERE table_name = ?', ['made_by_probe']),
    ).toEqual([database]);
    expect(await column(db, 'SELECT id FROM _migrations ORDER BY id')).toEqual(['0001_tamper', '0002_probe']);
  });
});
