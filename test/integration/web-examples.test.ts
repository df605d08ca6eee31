/**
 * The playground's Examples gallery (src/web/gallery.ts) through the real core, on the engines the page runs: every
 * set applies and reverts cleanly on sql.js, and on PGlite where its files have a postgres block — `verify` (up, down,
 * compare schema and data, up again, per migration), then `down --all` back to an empty database, then `up` again.
 *
 * And "Download database" (src/web/db-export.ts) on the same databases: the SQLite file opens with every table, row
 * and ledger entry; the PostgreSQL dump restores into an empty PGlite to the same schema and data, and the runner
 * sees every migration applied there.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { diffSnapshots, takeSnapshot } from '../../src/core/schema/index.ts';
import { verifyMigrations } from '../../src/core/verify.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { exportDatabase } from '../../src/web/db-export.ts';
import { postgresDump } from '../../src/core/sql/postgres-dump.ts';
import { EXAMPLE_SETS, type ExampleSet } from '../../src/web/gallery.ts';
import { isValidName } from '../../src/web/files.ts';
import { ledgerIds, resetDatabase, rows } from '../helpers/db-inspect.ts';

const host = new LuaHost();

function hasBlock(set: ExampleSet, engine: 'sqlite' | 'postgres'): boolean {
  return set.files.some((f) => f.text.includes(`database("${engine}"`));
}

describe('the gallery', () => {
  test('covers every pattern of the guide, with valid, numbered file names', () => {
    const patterns = new Set(EXAMPLE_SETS.flatMap((s) => s.patterns));
    for (const wanted of [
      'create table',
      'add column',
      'index',
      'seed data',
      'prepared statement',
      'sqlite table rebuild',
      'engine-specific',
      'if err then error(err) end',
      'savepoint recovery',
      'after',
    ]) {
      expect(patterns, wanted).toContain(wanted);
    }
    const all = EXAMPLE_SETS.flatMap((s) => s.files.map((f) => f.text)).join('\n');
    for (const call of [
      'db:query(',
      'db:execute(',
      'db:prepare(',
      'db:savepoint(',
      'db:rollback_to(',
      'db:release(',
      'db:db_type()',
      'stmt:execute(',
      'stmt:close()',
      'after(',
      'if err then error(err) end',
      'return nil, err',
      'err:kind()',
      'DROP TABLE members',
      'RENAME TO members',
    ]) {
      expect(all.replace(/ierr:kind\(\)/g, 'err:kind()'), call).toContain(call);
    }
    expect(new Set(EXAMPLE_SETS.map((s) => s.id)).size).toBe(EXAMPLE_SETS.length);
    for (const set of EXAMPLE_SETS) {
      expect(set.files.length, set.id).toBeGreaterThan(0);
      for (const f of set.files) {
        expect(isValidName(f.name), f.name).toBe(true);
        expect(f.name, f.name).toMatch(/^\d{4}_/);
        expect(f.text, f.name).toContain('database("sqlite"');
      }
    }
  });
});

const ENGINES: Array<['sqlite' | 'postgres', () => Promise<Driver>]> = [
  ['sqlite', () => openSqlJs()],
  ['postgres', () => openPglite()],
];

describe.each(ENGINES)('every example on %s', (engine, open) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await open();
  }, 60_000);
  afterAll(async () => {
    await driver?.close();
  });

  const sets = EXAMPLE_SETS.filter((s) => hasBlock(s, engine));
  test('runs every set that has a block for the engine (on SQLite: all of them)', () => {
    expect(sets.length).toBe(
      engine === 'sqlite' ? EXAMPLE_SETS.length : EXAMPLE_SETS.filter((s) => hasBlock(s, 'postgres')).length,
    );
    expect(sets.length).toBeGreaterThan(0);
  });

  test.each(sets.map((s) => [s.id, s] as const))('%s: verify, down --all, up, down --all', async (_id, set) => {
    await resetDatabase(driver);
    const files = migrationFiles(set.files);
    const empty = await takeSnapshot(driver, { fingerprint: true });

    const verified = await verifyMigrations({ driver, files, host });
    expect(verified.error).toBeNull();
    for (const m of verified.migrations) {
      expect(m, `${m.id}: ${m.error ?? ''} ${JSON.stringify(m.differences)}`).toMatchObject({
        reversible: true,
        up_again: true,
      });
      expect(m.skipped, m.id).toBeUndefined();
    }
    expect(verified.migrations.map((m) => m.id)).toEqual(files.map((f) => f.id));
    expect(verified.ok).toBe(true);

    const migrator = new Migrator({ driver, files, host });
    try {
      const down = await migrator.down({ all: true });
      expect(down.error).toBeNull();
      expect(down.results.map((r) => r.status)).toEqual(files.map(() => 'reverted'));
      expect(diffSnapshots(empty, await takeSnapshot(driver, { fingerprint: true }))).toEqual([]);
      expect(await ledgerIds(driver)).toEqual([]);

      const up = await migrator.up();
      expect(up.error).toBeNull();
      expect(up.results.map((r) => r.status)).toEqual(files.map(() => 'applied'));
      const again = await migrator.down({ all: true });
      expect(again.ok).toBe(true);
      expect(diffSnapshots(empty, await takeSnapshot(driver, { fingerprint: true }))).toEqual([]);
    } finally {
      migrator.dispose();
    }
  });

  test.each(sets.map((s) => [s.id, s] as const))(
    '%s: "Download database" holds the schema, the data and the ledger',
    async (_id, set) => {
      await resetDatabase(driver);
      const files = migrationFiles(set.files);
      const migrator = new Migrator({ driver, files, host });
      try {
        expect((await migrator.up()).ok).toBe(true);
      } finally {
        migrator.dispose();
      }
      const original = await takeSnapshot(driver, { fingerprint: true });
      const exported = await exportDatabase(driver);
      const copy = engine === 'sqlite' ? await openSqlJs({ data: exported.data }) : await openPglite();
      try {
        if (engine === 'sqlite') {
          expect(exported.fileName).toBe('moonwalk.sqlite');
          expect(new TextDecoder().decode(exported.data.subarray(0, 15))).toBe('SQLite format 3');
        } else {
          expect(exported.fileName).toBe('moonwalk-postgres.sql');
          await copy.exec(new TextDecoder().decode(exported.data));
        }
        expect(diffSnapshots(original, await takeSnapshot(copy, { fingerprint: true }))).toEqual([]);
        expect(await ledgerIds(copy)).toEqual(files.map((f) => f.id));
        const status = new Migrator({ driver: copy, files, host });
        try {
          const result = await status.status();
          expect(result.migrations.map((m) => m.status)).toEqual(files.map(() => 'applied'));
          // The restored database goes on like the original: down --all works there too.
          expect((await status.down({ all: true })).ok).toBe(true);
        } finally {
          status.dispose();
        }
      } finally {
        await copy.close();
      }
      // The original still works after the export (sql.js reopens its database to export it).
      const result = await driver.execute(
        `CREATE TABLE after_export (id ${engine === 'sqlite' ? 'INTEGER' : 'SERIAL'} PRIMARY KEY, v TEXT)`,
        [],
      );
      expect(result).toEqual({ rowsAffected: 0, lastInsertId: null });
      const insert = await driver.execute(`INSERT INTO after_export (v) VALUES (${engine === 'sqlite' ? '?' : '$1'})`, [
        'x',
      ]);
      // PostgreSQL reports no last insert id (RETURNING is its way).
      expect(insert).toEqual({ rowsAffected: 1, lastInsertId: engine === 'sqlite' ? 1 : null });
      expect(await rows(driver, 'SELECT v FROM after_export')).toEqual([{ v: 'x' }]);
    },
  );
});

describe('the PostgreSQL dump', () => {
  test('restores serial and identity positions, enums, views, triggers, functions, foreign keys and awkward values', async () => {
    const source = await openPglite();
    const copy = await openPglite();
    try {
      await source.exec(`
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE SCHEMA extra;
        CREATE TABLE "user" (id SERIAL PRIMARY KEY, "Name" TEXT NOT NULL, mood mood DEFAULT 'ok', tags TEXT[], data JSONB,
          blob BYTEA, price NUMERIC(10, 2), at TIMESTAMPTZ DEFAULT now(), upper_name TEXT GENERATED ALWAYS AS (upper("Name")) STORED);
        CREATE TABLE extra.notes (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          user_id INTEGER REFERENCES "user" (id) ON DELETE CASCADE, body TEXT CHECK (length(body) > 0), UNIQUE (user_id, body));
        CREATE TABLE loose (a INT, b TEXT);
        CREATE SEQUENCE tickets START 100 INCREMENT 5;
        CREATE INDEX idx_user_lower ON "user" (lower("Name")) WHERE mood <> 'sad';
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := trim(NEW.body); RETURN NEW; END $$;
        CREATE TRIGGER notes_touch BEFORE INSERT ON extra.notes FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE VIEW happy_users AS SELECT id, "Name" FROM "user" WHERE mood = 'happy';
        CREATE VIEW happy_count AS SELECT count(*) AS n FROM happy_users;
        INSERT INTO "user" ("Name", mood, tags, data, blob, price) VALUES
          ('O''Brien', 'happy', ARRAY['a', 'b,c'], '{"k": [1, 2]}', '\\x00ff', 12.50),
          ('line
break', 'sad', NULL, NULL, NULL, NULL);
        DELETE FROM "user" WHERE "Name" = 'nobody';
        INSERT INTO extra.notes (user_id, body) VALUES (1, '  hi  '), (2, 'x');
        INSERT INTO loose VALUES (1, NULL), (NULL, 'two');
        SELECT nextval('tickets'); SELECT nextval('tickets');
      `);
      const dump = await postgresDump(source);
      await copy.exec(dump);
      const before = await takeSnapshot(source, { fingerprint: true });
      expect(diffSnapshots(before, await takeSnapshot(copy, { fingerprint: true }))).toEqual([]);
      expect(await rows(copy, 'SELECT n FROM happy_count')).toEqual([{ n: 1 }]);
      expect(
        await rows(
          copy,
          `SELECT "Name", upper_name, tags::text AS tags, data::text AS data, encode(blob, 'hex') AS blob, price FROM "user" ORDER BY id`,
        ),
      ).toEqual(
        await rows(
          source,
          `SELECT "Name", upper_name, tags::text AS tags, data::text AS data, encode(blob, 'hex') AS blob, price FROM "user" ORDER BY id`,
        ),
      );
      // Sequences carry on where they were.
      for (const sql of [
        'INSERT INTO "user" ("Name") VALUES (\'next\') RETURNING id',
        "INSERT INTO extra.notes (user_id, body) VALUES (1, ' y ') RETURNING id, body",
        "SELECT nextval('tickets') AS id",
      ]) {
        expect(await rows(copy, sql), sql).toEqual(await rows(source, sql));
      }
    } finally {
      await source.close();
      await copy.close();
    }
  }, 60_000);
});
