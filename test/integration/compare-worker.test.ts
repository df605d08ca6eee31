/**
 * The worker's Compare engines (src/web/worker/compare.ts) in Node, on the engines the page uses (sql.js and PGlite):
 * both sides run and are compared; a side whose engine cannot start, or whose run fails, is reported as such; every
 * database it opened is closed again.
 */
import { describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { compareEngines } from '../../src/web/worker/compare.ts';
import type { EngineId } from '../../src/web/worker/protocol.ts';
import { lua } from '../helpers/lua-files.ts';

const host = new LuaHost();

/** Opens real databases and keeps them, to check afterwards that each was closed. */
function opener(openPostgres: () => Promise<Driver> = () => openPglite()) {
  const opened: Driver[] = [];
  return {
    opened,
    open: async (engine: EngineId) => {
      const driver = engine === 'sqlite' ? await openSqlJs() : await openPostgres();
      opened.push(driver);
      return driver;
    },
  };
}

async function isClosed(driver: Driver): Promise<boolean> {
  try {
    await driver.query('SELECT 1', []);
    return false;
  } catch {
    return true;
  }
}

const users = lua(`assert(db:execute(db:db_type() == "sqlite"
  and "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER)"
  or "CREATE TABLE users (id SERIAL PRIMARY KEY, name varchar(40) NOT NULL, born date)"))`);

describe('compareEngines (worker)', () => {
  test('runs the files on both engines, shows each schema, compares them, closes both databases', async () => {
    const { opened, open } = opener();
    const report = await compareEngines(migrationFiles([{ name: '0001_users.lua', text: users }]), { host, open });
    expect(report.compared).toBe(true);
    expect(report.sides.map((s) => [s.engine, s.error, s.run?.ok, s.run?.results.map((r) => r.status)])).toEqual([
      ['sqlite', null, true, ['applied']],
      ['postgres', null, true, ['applied']],
    ]);
    expect(report.sides.map((s) => s.schema?.tables.map((t) => t.columns.map((c) => `${c.name} ${c.type}`)))).toEqual([
      [['id INTEGER', 'name TEXT', 'born INTEGER']],
      [['id integer', 'name character varying(40)', 'born date']],
    ]);
    expect(report.findings.map((f) => [f.kind, f.path.join('.'), ...f.values])).toEqual([
      ['column_type', 'users.born', 'INTEGER', 'date'],
    ]);
    expect(opened).toHaveLength(2);
    for (const driver of opened) expect(await isClosed(driver), driver.engine).toBe(true);
  }, 60_000);

  test('an engine that cannot start: its side says why, the other side still runs, nothing is compared', async () => {
    // A real PGlite given a data directory that is not one: it fails to start, as a broken download would.
    const { opened, open } = opener(() => openPglite({ loadDataDir: new Blob(['not a tar archive']) }));
    const report = await compareEngines(migrationFiles([{ name: '0001_users.lua', text: users }]), { host, open });
    expect(report.compared).toBe(false);
    expect(report.findings).toEqual([]);
    const [sqlite, postgres] = report.sides;
    expect(sqlite.run?.ok).toBe(true);
    expect(sqlite.schema?.tables.map((t) => t.name)).toEqual(['users']);
    expect(postgres.run).toBeNull();
    expect(postgres.schema).toBeNull();
    expect(postgres.error).toMatch(/^PostgreSQL could not be loaded: /);
    for (const driver of opened) expect(await isClosed(driver)).toBe(true);
  }, 60_000);

  test('a run that fails on one engine: its error, and the schema it reached compared with the other', async () => {
    const files = migrationFiles([
      { name: '0001_users.lua', text: users },
      {
        name: '0002_bad.lua',
        text: lua(
          'assert(db:execute(db:db_type() == "sqlite" and "CREATE TABLE posts (id INTEGER)" or "CREATE TABLE posts (id nosuchtype)"))',
        ),
      },
    ]);
    const report = await compareEngines(files, { host, ...opener() });
    const [sqlite, postgres] = report.sides;
    expect(sqlite.run?.ok).toBe(true);
    expect(postgres.run?.ok).toBe(false);
    expect(postgres.run?.error).toMatchObject({ migration: '0002_bad', phase: 'up' });
    expect(postgres.run?.error?.message).toMatch(/nosuchtype/);
    expect(report.compared).toBe(true);
    expect(report.findings.map((f) => [f.kind, f.path.join('.')])).toEqual([
      ['table_only', 'posts'],
      ['column_type', 'users.born'],
    ]);
  }, 60_000);
});
