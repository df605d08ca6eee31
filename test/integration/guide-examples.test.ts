/**
 * Every Lua example of the migration guide (test/fixtures/guide/) applied and reverted by the runner on the real
 * engines, sql.js and PGlite, with the schema and data checked after up and after down.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { Migrator } from '../../src/core/migrator.ts';
import type { MigrationFile } from '../../src/core/migration-files.ts';
import { readMigrationsDir } from '../../src/lib/migrations-dir.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { columns, indexes, ledgerIds, resetDatabase, rows, tables } from '../helpers/db-inspect.ts';
import { GUIDE, GUIDE_IDS } from '../helpers/guide.ts';

const ENGINES: Array<[string, () => Promise<Driver>]> = [
  ['sqlite (sql.js)', () => openSqlJs()],
  ['postgres (PGlite)', () => openPglite()],
];

describe.each(ENGINES)("the guide's examples on %s", (_name, open) => {
  let driver: Driver;
  const host = new LuaHost();
  beforeAll(async () => {
    driver = await open();
  });
  afterAll(async () => {
    await driver?.close();
  });
  beforeEach(async () => {
    await resetDatabase(driver);
  });

  function migrator(files: MigrationFile[]): Migrator {
    return new Migrator({ driver, files, host });
  }

  test('the main sequence: up applies every example, down --all undoes all of it', async () => {
    const files = await readMigrationsDir(GUIDE);
    expect(files.map((f) => f.id)).toEqual(GUIDE_IDS);
    const sqlite = driver.engine === 'sqlite';
    const m = migrator(files);

    const up = await m.up();
    expect(up.error).toBeNull();
    expect(up.ok).toBe(true);
    const template = up.results[0];
    if (sqlite) {
      expect(up.results.map((r) => r.status)).toEqual(Array(11).fill('applied'));
    } else {
      // The template's postgres block is empty: a placeholder, skipped and left pending.
      expect(template).toMatchObject({ id: '0001_example_template', status: 'skipped' });
      expect(template.reason).toMatch(/block is empty/);
      expect(up.results.slice(1).map((r) => r.status)).toEqual(Array(10).fill('applied'));
    }

    expect(await tables(driver)).toEqual(
      sqlite ? ['example', 'products', 'roles', 'users'] : ['products', 'roles', 'users'],
    );
    if (sqlite) expect(await columns(driver, 'example')).toEqual(['id', 'name']);
    expect(await columns(driver, 'users')).toEqual(['id', 'name', 'age', 'created_at', 'email']);
    expect(await columns(driver, 'products')).toEqual(['id', 'name', 'price', 'created_at', 'description']);
    expect(await indexes(driver)).toEqual(['idx_products_name']);
    expect(await rows(driver, 'SELECT name FROM roles ORDER BY id')).toEqual([
      { name: 'admin' },
      { name: 'user' },
      { name: 'guest' },
    ]);
    const users = await rows(driver, 'SELECT id, name, email, age FROM users ORDER BY id');
    expect(users).toEqual([
      { id: 1, name: 'Alice', email: 'alice@example.com', age: null },
      { id: 2, name: 'Bob', email: 'bob@example.com', age: null },
      { id: 3, name: 'Charlie', email: 'charlie@example.com', age: null },
      { id: 4, name: 'John', email: null, age: null },
      { id: 5, name: 'John', email: 'john@example.com', age: 30 },
    ]);
    // The defaults filled created_at with the time of the insert.
    const createdAt = await rows(driver, 'SELECT min(created_at) AS lo, max(created_at) AS hi FROM users');
    const now = Math.floor(Date.now() / 1000);
    expect(Number(createdAt[0].lo)).toBeGreaterThan(now - 600);
    expect(Number(createdAt[0].hi)).toBeLessThanOrEqual(now + 5);

    const applied = files.map((f) => f.id).slice(sqlite ? 0 : 1);
    expect(await ledgerIds(driver)).toEqual(applied);
    const status = await m.status();
    expect(status.migrations.map((s) => s.status)).toEqual(
      sqlite ? Array(11).fill('applied') : ['pending', ...Array(10).fill('applied')],
    );
    expect(status.migrations[1].description).toBe('Create users table with authentication fields');

    // Nothing left to do: a second up changes nothing (the runner, not the SQL, makes it idempotent).
    const again = await m.up();
    expect(again.ok).toBe(true);
    expect(again.results.filter((r) => r.status !== 'skipped')).toEqual([]);

    const down = await m.down({ all: true });
    expect(down.error).toBeNull();
    expect(down.results.map((r) => r.id)).toEqual([...applied].reverse());
    expect(down.results.every((r) => r.status === 'reverted' && r.direction === 'down')).toBe(true);
    expect(await tables(driver)).toEqual([]);
    expect(await indexes(driver)).toEqual([]);
    expect(await ledgerIds(driver)).toEqual([]);

    // Up after down works again (the guide's "Testing Migrations").
    const reapplied = await m.up();
    expect(reapplied.ok).toBe(true);
    expect(await rows(driver, 'SELECT count(*) AS n FROM users')).toEqual([{ n: 5 }]);
    expect((await m.down({ all: true })).ok).toBe(true);
    expect(await tables(driver)).toEqual([]);
    m.dispose();
  });

  test('"Transaction Safety": the table and its index commit together, and go together', async () => {
    const m = migrator(await readMigrationsDir(`${GUIDE}transaction-safety`));
    const up = await m.up();
    expect(up.error).toBeNull();
    expect(up.results.map((r) => r.status)).toEqual(['applied']);
    expect(await columns(driver, 'users')).toEqual(['id', 'name', 'email']);
    expect(await indexes(driver)).toEqual(['idx_user_email']);
    const down = await m.down({ all: true });
    expect(down.ok).toBe(true);
    expect(await tables(driver)).toEqual([]);
    expect(await indexes(driver)).toEqual([]);
    expect(await ledgerIds(driver)).toEqual([]);

    // When the index cannot be made, the table is not left behind either.
    await driver.exec('CREATE TABLE other (email TEXT)');
    await driver.exec('CREATE INDEX idx_user_email ON other(email)');
    const failed = await m.up();
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatchObject({ migration: '0001_create_users_with_email_index', phase: 'up' });
    // The line of error(err) in the engine's own block.
    expect(failed.error?.line).toBe(driver.engine === 'sqlite' ? 13 : 31);
    expect(failed.error?.sql).toBe('CREATE INDEX idx_user_email ON users(email)');
    expect(failed.error?.message).toMatch(/already exists/);
    expect(await tables(driver)).toEqual(['other']);
    expect(await ledgerIds(driver)).toEqual([]);
    m.dispose();
  });

  test('"Error Handling": the engine\'s error is raised, named and rolled back', async () => {
    const m = migrator(await readMigrationsDir(`${GUIDE}error-handling`));
    const up = await m.up();
    expect(up.error).toBeNull();
    expect(await columns(driver, 'users')).toEqual(['id', 'username']);
    await driver.execute(
      driver.engine === 'sqlite'
        ? 'INSERT INTO users (id, username) VALUES (?, ?)'
        : 'INSERT INTO users (id, username) VALUES ($1, $2)',
      [1, 'ada'],
    );
    await expect(
      Promise.resolve().then(() =>
        driver.execute(
          driver.engine === 'sqlite'
            ? 'INSERT INTO users (id, username) VALUES (?, ?)'
            : 'INSERT INTO users (id, username) VALUES ($1, $2)',
          [2, 'ada'],
        ),
      ),
    ).rejects.toThrow(/unique|UNIQUE/);
    expect((await m.down()).ok).toBe(true);
    expect(await tables(driver)).toEqual([]);

    // A users table already there: error(err) stops the migration with the statement, the line and the message.
    await driver.exec('CREATE TABLE users (id INTEGER)');
    const failed = await m.up();
    expect(failed.ok).toBe(false);
    expect(failed.results.map((r) => r.status)).toEqual(['failed']);
    expect(failed.error).toMatchObject({ migration: '0001_create_users', phase: 'up', line: 15 });
    expect(failed.error?.sql).toMatch(/CREATE TABLE users/);
    expect(failed.error?.message).toMatch(/already exists/);
    expect(await columns(driver, 'users')).toEqual(['id']);
    expect(await ledgerIds(driver)).toEqual([]);
    m.dispose();
  });

  test('"Complex Schema Changes": the table rebuild adds email, and its down takes it out again', async () => {
    const m = migrator(await readMigrationsDir(`${GUIDE}table-rebuild`));
    expect((await m.up({ step: 1 })).ok).toBe(true);
    expect(await columns(driver, 'users')).toEqual(['id', 'name', 'created_at']);

    const up = await m.up();
    expect(up.error).toBeNull();
    expect(up.results.map((r) => [r.id, r.status])).toEqual([['0002_add_email_by_rebuilding_users', 'applied']]);
    expect(await tables(driver)).toEqual(['users']);
    expect(await columns(driver, 'users')).toEqual(['id', 'name', 'email', 'created_at']);

    const down = await m.down();
    expect(down.ok).toBe(true);
    expect(await tables(driver)).toEqual(['users']);
    expect(await columns(driver, 'users')).toEqual(['id', 'name', 'created_at']);
    expect(await ledgerIds(driver)).toEqual(['0001_create_users']);

    // With a row in users the copy leaves the NOT NULL email empty: the whole rebuild rolls back.
    await driver.execute(
      driver.engine === 'sqlite' ? 'INSERT INTO users VALUES (?, ?, ?)' : 'INSERT INTO users VALUES ($1, $2, $3)',
      [1, 'Ada', 0],
    );
    const failed = await m.up();
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatchObject({ migration: '0002_add_email_by_rebuilding_users', phase: 'up', line: 44 });
    expect(failed.error?.sql).toMatch(/INSERT INTO users_new/);
    expect(failed.error?.message).toMatch(/null/i);
    expect(await tables(driver)).toEqual(['users']);
    expect(await rows(driver, 'SELECT id, name FROM users')).toEqual([{ id: 1, name: 'Ada' }]);
    expect(await ledgerIds(driver)).toEqual(['0001_create_users']);

    await driver.exec('DELETE FROM users');
    expect((await m.down({ all: true })).ok).toBe(true);
    expect(await tables(driver)).toEqual([]);
    m.dispose();
  });
});
