/**
 * `options{ transaction = false }` and the timeouts of `options{}` (DESIGN §1, §5) on PGlite and on a real PostgreSQL
 * server: CREATE INDEX CONCURRENTLY applies and reverts, a failure after two committed statements is reported with
 * both and not recorded, batches refuse such a migration before running anything, verify handles it, and
 * lock_timeout / statement_timeout are in force during the migration only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { verifyMigrations } from '../../src/core/verify.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { smallHost } from '../helpers/migration.ts';

/** A migration with one postgres block: `options` (Lua table text or none), the up and down bodies. */
function pgMigration(options: string | null, up: string, down?: string): string {
  return [
    'return require("migration").define(function()',
    '  migration("test", function()',
    '    database("postgres", function()',
    options ? `      options${options}` : '',
    `      up(function(db)\n${up}\n      end)`,
    down !== undefined ? `      down(function(db)\n${down}\n      end)` : '',
    '    end)',
    '  end)',
    'end)',
  ].join('\n');
}

const CREATE_ITEMS = pgMigration(
  null,
  `assert(db:execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)"))
   assert(db:execute("INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g"))`,
  'assert(db:execute("DROP TABLE items"))',
);
const CONCURRENT_INDEX = pgMigration(
  '{ transaction = false }',
  'assert(db:execute("CREATE INDEX CONCURRENTLY items_name ON items (name)"))',
  'assert(db:execute("DROP INDEX CONCURRENTLY items_name"))',
);
const TWO_THEN_FAIL = pgMigration(
  '{ transaction = false }',
  `assert(db:execute("CREATE TABLE first_one (id int)"))
   assert(db:execute("CREATE TABLE second_one (id int)"))
   assert(db:execute("CREATE TABLE first_one (id int)"))`,
);

function migrator(driver: Driver, files: Record<string, string>): Migrator {
  return new Migrator({
    driver,
    host: smallHost(),
    allowDrift: true, // the tests share one database, each with files of its own
    files: migrationFiles(Object.entries(files).map(([name, text]) => ({ name: `${name}.lua`, text }))),
  });
}

async function one(driver: Driver, sql: string): Promise<unknown> {
  return (await driver.query(sql, [])).rows[0]?.[0] ?? null;
}

const servers: TestServer[] = [];
const opened: Driver[] = [];

const ENGINES: Array<[string, () => Promise<Driver>]> = [
  ['PGlite', () => openPglite()],
  [
    'PostgreSQL server',
    async () => {
      const server = await useServer('postgres');
      servers.push(server);
      return openDatabase(await scratchDatabase(server, 'outside_tx'), { connectTimeoutMs: 5000 });
    },
  ],
];

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close().catch(() => {})));
  await Promise.all(servers.map((s) => s.stop()));
});

describe.each(ENGINES)('options{} on %s', (_name, open) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await open();
    opened.push(driver);
  });

  test('CREATE INDEX CONCURRENTLY applies and reverts outside a transaction', async () => {
    const files = { '0001_items': CREATE_ITEMS, '0002_index': CONCURRENT_INDEX };
    const up = await migrator(driver, files).up();
    expect(up.error).toBeNull();
    expect(up.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await one(driver, "SELECT count(*)::int FROM pg_indexes WHERE indexname = 'items_name'")).toBe(1);
    expect(await one(driver, "SELECT count(*)::int FROM _migrations WHERE id = '0002_index'")).toBe(1);

    const down = await migrator(driver, files).down();
    expect(down.error).toBeNull();
    expect(down.results).toMatchObject([{ id: '0002_index', status: 'reverted' }]);
    expect(await one(driver, "SELECT count(*)::int FROM pg_indexes WHERE indexname = 'items_name'")).toBe(0);
    expect(await one(driver, "SELECT count(*)::int FROM _migrations WHERE id = '0002_index'")).toBe(0);
    await migrator(driver, files).down();
  });

  test('a failure after two committed statements names both, keeps them, and is not recorded', async () => {
    const result = await migrator(driver, { '0010_partial': TWO_THEN_FAIL }).up();
    expect(result.ok).toBe(false);
    expect(result.results).toMatchObject([{ id: '0010_partial', status: 'failed' }]);
    expect(result.error).toMatchObject({ migration: '0010_partial', phase: 'up', line: 8 });
    expect(result.error!.committed).toEqual(['CREATE TABLE first_one (id int)', 'CREATE TABLE second_one (id int)']);
    expect(result.error!.message).toMatch(/already exists/);
    expect(result.error!.message).toMatch(/partially applied.*outside a transaction.*first_one.*second_one/);
    expect(result.error!.message).toMatch(/not recorded as applied/);
    expect(await one(driver, "SELECT count(*)::int FROM _migrations WHERE id = '0010_partial'")).toBe(0);
    expect(await one(driver, "SELECT to_regclass('second_one')::text")).toBe('second_one');
    await driver.exec('DROP TABLE first_one; DROP TABLE second_one');
  });

  test('--dry-run and --single-transaction refuse a pending transaction = false migration before running anything', async () => {
    const files = { '0020_items': CREATE_ITEMS, '0021_index': CONCURRENT_INDEX };
    for (const options of [{ dryRun: true }, { singleTransaction: true }]) {
      const result = await migrator(driver, files).up(options);
      expect(result.ok).toBe(false);
      expect(result.error).toMatchObject({ migration: '0021_index', phase: 'check' });
      expect(result.error!.message).toMatch(/must run outside a transaction/);
      expect(result.results).toEqual([]);
      expect(await one(driver, "SELECT to_regclass('items')::text")).toBeNull();
    }
  });

  test('lock_timeout and statement_timeout hold during the migration only, inside or outside a transaction', async () => {
    const show = `print(db:query("SHOW lock_timeout")[1].lock_timeout, db:query("SHOW statement_timeout")[1].statement_timeout)`;
    for (const [id, options] of [
      ['0030_inside', '{ lock_timeout = "5s", statement_timeout = "1min" }'],
      ['0031_outside', '{ transaction = false, lock_timeout = "5s", statement_timeout = "1min" }'],
    ]) {
      const printed: string[] = [];
      const runner = new Migrator({
        driver,
        host: smallHost(),
        files: migrationFiles([{ name: `${id}.lua`, text: pgMigration(options, show) }]),
        allowDrift: true,
        onEvent: (event) => {
          if (event.type === 'output') printed.push(...event.lines);
        },
      });
      expect((await runner.up()).error).toBeNull();
      expect(printed).toEqual(['5s\t1min']);
      expect(await one(driver, 'SHOW lock_timeout')).toBe('0');
      expect(await one(driver, 'SHOW statement_timeout')).toBe('0');
    }
  });

  test('verify runs a transaction = false migration up, down and up again', async () => {
    const result = await verifyMigrations({
      driver,
      host: smallHost(),
      allowDrift: true,
      files: migrationFiles([
        { name: '0050_items.lua', text: CREATE_ITEMS },
        { name: '0051_index.lua', text: CONCURRENT_INDEX },
      ]),
    });
    expect(result.error).toBeNull();
    expect(result.migrations).toMatchObject([
      { id: '0050_items', reversible: true, up_again: true },
      { id: '0051_index', reversible: true, up_again: true },
    ]);
  });
});

// PGlite is PostgreSQL in single-user mode: it takes the settings (the test above) but has no timer to cancel a
// statement, and no other session to wait for. The server enforces them.
describe('options{} timeouts on a PostgreSQL server', () => {
  test('a statement over statement_timeout fails the migration with the engine message', async () => {
    const driver = await ENGINES[1][1]();
    opened.push(driver);
    const result = await migrator(driver, {
      '0040_slow': pgMigration('{ statement_timeout = "50ms" }', 'assert(db:execute("SELECT pg_sleep(2)"))'),
    }).up();
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ migration: '0040_slow', phase: 'up' });
    expect(result.error!.message).toMatch(/statement timeout/);
    expect(await one(driver, "SELECT to_regclass('_migrations')::text")).toBe('_migrations');
    expect(await one(driver, "SELECT count(*)::int FROM _migrations WHERE id = '0040_slow'")).toBe(0);
  });
});
