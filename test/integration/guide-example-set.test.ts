/**
 * The guide's example set that the share-link benchmark measures (bench/guide-example-set.ts, built from the
 * migration guide in the shared folder) is eight real migrations: each applies with the real runner on sql.js, on a
 * database holding what the example presupposes (the guide's later patterns work on tables it created earlier).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { guideExampleSet, readGuide } from '../../bench/guide-example-set.ts';
import type { Driver } from '../../src/core/driver.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { columns, indexes, ledgerIds, resetDatabase, rows, tables } from '../helpers/db-inspect.ts';
import { runUp } from '../helpers/migration.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const files = guideExampleSet(readGuide(ROOT));

/** Per file: the tables it needs before it runs, and what it must leave. */
const CASES: Array<[name: string, before: string[], check: (driver: Driver) => Promise<void>]> = [
  ['0001_migration_template.lua', [], async (d) => expect(await columns(d, 'example')).toEqual(['id', 'name'])],
  ['0002_database_specific_code.lua', [], async (d) => expect(await columns(d, 'users')).toEqual(['id'])],
  [
    '0003_creating_tables.lua',
    [],
    async (d) => expect(await columns(d, 'products')).toEqual(['id', 'name', 'price', 'created_at']),
  ],
  [
    '0004_adding_columns.lua',
    ['CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL)'],
    async (d) => expect(await columns(d, 'products')).toEqual(['id', 'name', 'description']),
  ],
  [
    '0005_creating_indexes.lua',
    ['CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL)'],
    async (d) => expect(await indexes(d)).toEqual(['idx_products_name']),
  ],
  [
    '0006_seeding_data.lua',
    ['CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL)'],
    async (d) =>
      expect(await rows(d, 'SELECT name FROM roles ORDER BY id')).toEqual([
        { name: 'admin' },
        { name: 'user' },
        { name: 'guest' },
      ]),
  ],
  [
    '0007_using_prepared_statements.lua',
    ['CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)'],
    async (d) =>
      expect(await rows(d, 'SELECT name, email FROM users ORDER BY id')).toEqual([
        { name: 'Alice', email: 'alice@example.com' },
        { name: 'Bob', email: 'bob@example.com' },
        { name: 'Charlie', email: 'charlie@example.com' },
      ]),
  ],
  [
    '0008_complex_schema_changes.lua',
    ['CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL)'],
    async (d) => {
      expect(await tables(d)).toEqual(['users']);
      expect(await columns(d, 'users')).toEqual(['id', 'name', 'email', 'created_at']);
    },
  ],
];

describe("the guide's example set (bench/guide-example-set.ts)", () => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await openSqlJs();
  });
  afterAll(async () => {
    await driver?.close();
  });
  beforeEach(async () => {
    await resetDatabase(driver);
  });

  test('is the eight runnable examples of the guide, in its order', () => {
    expect(files.map((f) => f.name)).toEqual(CASES.map(([name]) => name));
    expect(files[0].text).toMatch(/^local function define_migration\(\)/);
    for (const file of files) expect(file.text).toMatch(/return require\("migration"\)\.define\(/);
  });

  test.each(CASES)('%s applies on sql.js', async (name, before, check) => {
    for (const sql of before) await driver.exec(sql);
    const file = files.find((f) => f.name === name)!;
    const { result } = await runUp(driver, [file]);
    expect(result.error).toBeNull();
    expect(result.results.map((r) => r.status)).toEqual(['applied']);
    expect(await ledgerIds(driver)).toEqual([name.replace(/\.lua$/, '')]);
    await check(driver);
  });
});
