/**
 * A migration's SQL cannot write to Moonwalk's own tables (src/core/sql/own-tables.ts): DELETE, UPDATE, INSERT, DROP,
 * ALTER, TRUNCATE, RENAME of the ledger (quoted, qualified, in any case) or of the `--lock table` lease table, a trigger
 * on the ledger or one that writes to it, and the calls that release the run lock. On every engine, the in-process
 * ones and the real PostgreSQL and MariaDB servers: the refusal names the file, the Lua line and the statement, and the
 * ledger is as before. Reads of the ledger through db:query stay allowed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver, Engine } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { scratchDatabase, useServer } from '../harness/global-servers.ts';
import { column } from '../helpers/db-inspect.ts';
import { migration, smallHost, UP_FIRST_LINE } from '../helpers/migration.ts';

const TMP = mkdtempSync(join(tmpdir(), 'moonwalk-ledger-guard-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

interface Target {
  label: string;
  engine: Engine;
  open: () => Promise<Driver>;
  /** The ledger as the test reads it (qualified where a migration could have moved the search path). */
  ledger: string;
}

let files = 0;
const TARGETS: Target[] = [
  { label: 'sql.js', engine: 'sqlite', open: () => openSqlJs(), ledger: 'main._migrations' },
  {
    label: 'better-sqlite3 file',
    engine: 'sqlite',
    open: async () => openSqliteFile(join(TMP, `db${++files}.sqlite`)),
    ledger: 'main._migrations',
  },
  { label: 'PGlite', engine: 'postgres', open: () => openPglite(), ledger: 'public._migrations' },
  {
    label: 'PostgreSQL server',
    engine: 'postgres',
    open: async () =>
      openDatabase(await scratchDatabase(await useServer('postgres'), 'ledger_guard'), { connectTimeoutMs: 5000 }),
    ledger: 'public._migrations',
  },
  {
    label: 'MariaDB server',
    engine: 'mysql',
    open: async () =>
      openDatabase(await scratchDatabase(await useServer('mysql'), 'ledger_guard'), { connectTimeoutMs: 5000 }),
    ledger: '_migrations',
  },
];

const EVERY: Engine[] = ['sqlite', 'postgres', 'mysql'];
/** [label, statement, engines]: each is refused before it reaches the engine. */
const HOSTILE: Array<[string, string, Engine[]]> = [
  ['DELETE', 'DELETE FROM _migrations', EVERY],
  ['delete, lower case, quoted', 'delete from "_MIGRATIONS"', ['sqlite', 'postgres']],
  ['DELETE, backquoted and qualified', 'DELETE FROM `ledger_db`.`_migrations`', ['mysql']],
  ['DELETE, schema-qualified', 'DELETE FROM main."_migrations"', ['sqlite']],
  ['DELETE, schema-qualified', 'DELETE FROM public._migrations', ['postgres']],
  ['UPDATE', "UPDATE _migrations SET checksum = 'x'", EVERY],
  ['INSERT', "INSERT INTO _migrations (id, description) VALUES ('9999_fake', 'x')", EVERY],
  ['DROP', 'DROP TABLE _migrations', EVERY],
  ['ALTER', 'ALTER TABLE _migrations ADD COLUMN extra INT', EVERY],
  ['rename', 'ALTER TABLE _migrations RENAME TO old_ledger', EVERY],
  ['RENAME TABLE', 'RENAME TABLE _migrations TO old_ledger', ['mysql']],
  ['TRUNCATE', 'TRUNCATE TABLE _migrations', ['postgres', 'mysql']],
  ['the lock table', 'DROP TABLE IF EXISTS _migrations_lock', EVERY],
  [
    'a trigger that writes to it',
    'CREATE TRIGGER wipe AFTER INSERT ON t BEGIN DELETE FROM _migrations; END',
    ['sqlite'],
  ],
  [
    'a trigger that writes to it',
    'CREATE TRIGGER wipe AFTER INSERT ON t FOR EACH ROW DELETE FROM _migrations',
    ['mysql'],
  ],
  ['a DO block', 'DO $$ BEGIN DELETE FROM _migrations; END $$', ['postgres']],
  ['the advisory lock', 'SELECT pg_advisory_unlock_all()', ['postgres']],
  ['GET_LOCK', 'SELECT RELEASE_ALL_LOCKS()', ['mysql']],
  // Indirectly (src/core/sql/ledger-bypass.ts): {db} is the ledger's schema or database on that connection, {role}
  // the role it connects as.
  ['the schema, the reset idiom', 'DROP SCHEMA {db} CASCADE; CREATE SCHEMA {db}', ['postgres']],
  ['the schema renamed', 'ALTER SCHEMA {db} RENAME TO old_public', ['postgres']],
  ["the role's objects", 'DROP OWNED BY CURRENT_USER', ['postgres']],
  ["the role's objects, by its name", 'DROP OWNED BY "{role}" CASCADE', ['postgres']],
  ['the own connection', 'SELECT pg_terminate_backend(pg_backend_pid())', ['postgres']],
  ['the session user', 'SET SESSION AUTHORIZATION ledger_guard_other', ['postgres']],
  ['the lease owner', "SET application_name = 'someone else'", ['postgres']],
  ['every setting', 'RESET ALL', ['postgres']],
  ['the database', 'DROP DATABASE {db}', ['mysql']],
  ['the database as a schema', 'DROP SCHEMA IF EXISTS `{db}`', ['mysql']],
  ['autocommit', 'SET autocommit = 0', ['mysql']],
  ["the COMMIT's completion", 'SET @@session.completion_type = 2', ['mysql']],
  ['the own connection', 'KILL CONNECTION_ID()', ['mysql']],
  ['a procedure that commits', 'CREATE PROCEDURE sneaky() BEGIN IF 1 THEN COMMIT; END IF; END', ['mysql']],
  ['the schema table', 'PRAGMA writable_schema = ON', ['sqlite']],
  // SQLite's other ways round the ledger are refused as file access (src/core/sql/file-access.ts); DETACH main is
  // refused by SQLite itself.
  ['another ledger attached', "ATTACH DATABASE 'other.sqlite' AS other", ['sqlite']],
  ['a copy over the file', "VACUUM INTO 'ledger.sqlite'", ['sqlite']],
];

/**
 * [label, Lua body, engines]: statements that look like the ones above but leave the ledger and the lock alone, so
 * they run; the runner records the migration where its ledger was (the search_path, role and database it changed are
 * put back). lint's safety rules recommend SET lock_timeout.
 */
const HARMLESS: Array<[string, string, Engine[]]> = [
  [
    'another schema dropped with CASCADE',
    'CREATE SCHEMA scratch_area; CREATE TABLE scratch_area.x (i INT); DROP SCHEMA scratch_area CASCADE',
    ['postgres'],
  ],
  ['the timeouts', "SET lock_timeout = '2s'; SET LOCAL statement_timeout = '1min'; RESET lock_timeout", ['postgres']],
  [
    'search_path moved away',
    "SET search_path TO pg_catalog; SELECT set_config('search_path', 'pg_temp', false)",
    ['postgres'],
  ],
  ['another database used', 'USE information_schema', ['mysql']],
  ['a session variable', "SET sql_mode = 'ANSI_QUOTES'", ['mysql']],
  ['the PRAGMAs of a table rebuild', 'PRAGMA foreign_keys = OFF; PRAGMA writable_schema', ['sqlite']],
];

describe.each(TARGETS)('$label', ({ engine, open, ledger }) => {
  let db: Driver;
  let before: Awaited<ReturnType<typeof ledgerRows>>;
  /** The ledger's schema (PostgreSQL) or database (MySQL). */
  let home: string;
  let role: string;
  beforeAll(async () => {
    db = await open();
    await db.exec('CREATE TABLE t (x INT)');
    const first = await run({ '0001_first.lua': migration('assert(db:execute("INSERT INTO t (x) VALUES (1)"))') });
    expect(first.error).toBeNull();
    before = await ledgerRows();
    const where = { sqlite: "SELECT 'main'", postgres: 'SELECT current_schema()', mysql: 'SELECT DATABASE()' };
    home = String((await column(db, where[engine]))[0]);
    role = engine === 'postgres' ? String((await column(db, 'SELECT session_user'))[0]) : '';
  });
  afterAll(() => db.close());

  /** The ledger's rows (id and checksum) and its columns: what a hostile statement could have changed. */
  async function ledgerRows() {
    const pair = engine === 'mysql' ? "CONCAT(id, ':', checksum)" : "id || ':' || checksum";
    return {
      rows: await column(db, `SELECT ${pair} FROM ${ledger} ORDER BY id`),
      columns: await column(db, `SELECT * FROM ${ledger} WHERE 1 = 0`).then(
        async () => (await db.query(`SELECT * FROM ${ledger} WHERE 1 = 0`, [])).columns,
      ),
    };
  }

  async function run(texts: Record<string, string>) {
    const migrator = new Migrator({
      driver: db,
      host: smallHost(),
      files: migrationFiles(
        Object.entries({
          '0001_first.lua': migration('assert(db:execute("INSERT INTO t (x) VALUES (1)"))'),
          ...texts,
        }).map(([name, text]) => ({ name, text })),
      ),
    });
    try {
      return await migrator.up();
    } finally {
      migrator.dispose();
    }
  }

  const cases = HOSTILE.filter(([, , engines]) => engines.includes(engine));
  test.each(cases)('%s is refused with the file, line and statement; the ledger is as before', async (_l, text) => {
    const sql = text.replaceAll('{db}', home).replaceAll('{role}', role);
    const result = await run({ '0002_hostile.lua': migration(`assert(db:execute(${JSON.stringify(sql)}))`) });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      migration: '0002_hostile',
      phase: 'up',
      file: '0002_hostile.lua',
      line: UP_FIRST_LINE,
      sql,
    });
    expect(result.error?.message).toMatch(/is not allowed in a migration: .*see docs\/security\.md\)$/);
    expect(await ledgerRows()).toEqual(before);
  });

  test('reading the ledger with db:query stays allowed', async () => {
    const result = await run({
      '0003_reader.lua': migration(`
        local rows = assert(db:query("SELECT count(*) AS n FROM _migrations"))
        assert(db:execute("INSERT INTO t (x) VALUES (?)", { tonumber(rows[1].n) }))`),
    });
    expect(result.error).toBeNull();
    expect((await column(db, 'SELECT x FROM t ORDER BY x')).map(Number)).toEqual([1, 1]);
    expect(await column(db, `SELECT id FROM ${ledger} ORDER BY id`)).toEqual(['0001_first', '0003_reader']);
  });

  const harmless = HARMLESS.filter(([, , engines]) => engines.includes(engine));
  test.each(harmless)('%s runs, and the runner records it in its own ledger', async (_l, sql) => {
    await db.exec(`DELETE FROM ${ledger} WHERE id <> '0001_first'`); // only the files run() is given
    const statements = sql.split('; ').map((s) => `assert(db:execute(${JSON.stringify(s)}))`);
    const result = await run({ '0004_harmless.lua': migration(statements.join('\n')) });
    expect(result.error).toBeNull();
    expect(await column(db, `SELECT id FROM ${ledger} ORDER BY id`)).toEqual(['0001_first', '0004_harmless']);
  });
});

test('PGlite: DROP OWNED BY the role that owns a ledger made before the run is refused, and the ledger stays', async () => {
  const db = await openPglite();
  try {
    await db.exec(
      'CREATE ROLE ledger_keeper; ' +
        'CREATE TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum TEXT); ' +
        'ALTER TABLE _migrations OWNER TO ledger_keeper',
    );
    const migrator = new Migrator({
      driver: db,
      host: smallHost(),
      files: migrationFiles([
        { name: '0001_first.lua', text: migration('assert(db:execute("CREATE TABLE t (x INT)"))') },
        { name: '0002_owned.lua', text: migration('assert(db:execute("DROP OWNED BY ledger_keeper CASCADE"))') },
      ]),
    });
    const result = await migrator.up().finally(() => migrator.dispose());
    expect(result.error).toMatchObject({ migration: '0002_owned', line: UP_FIRST_LINE });
    expect(result.error?.message).toMatch(
      /^DROP OWNED BY ledger_keeper is not allowed in a migration: .*ledger included/,
    );
    expect(await column(db, 'SELECT id FROM public._migrations')).toEqual(['0001_first']);
  } finally {
    await db.close();
  }
});
