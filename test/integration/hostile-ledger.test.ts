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
];

describe.each(TARGETS)('$label', ({ engine, open, ledger }) => {
  let db: Driver;
  let before: Awaited<ReturnType<typeof ledgerRows>>;
  beforeAll(async () => {
    db = await open();
    await db.exec('CREATE TABLE t (x INT)');
    const first = await run({ '0001_first.lua': migration('assert(db:execute("INSERT INTO t (x) VALUES (1)"))') });
    expect(first.error).toBeNull();
    before = await ledgerRows();
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
  test.each(cases)('%s is refused with the file, line and statement; the ledger is as before', async (_l, sql) => {
    const result = await run({ '0002_hostile.lua': migration(`assert(db:execute(${JSON.stringify(sql)}))`) });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      migration: '0002_hostile',
      phase: 'up',
      file: '0002_hostile.lua',
      line: UP_FIRST_LINE,
      sql,
    });
    expect(result.error?.message).toMatch(
      /is not allowed in a migration: it (is Moonwalk's (ledger|run lock table)|would release the run lock)/,
    );
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
});
