/**
 * Loading SQL dumps (src/core/sql/dump.ts, src/core/dump-load.ts) made by the real tools: `pg_dump` (plain format,
 * COPY blocks) of a database on the harness's PostgreSQL 15 server loaded into PGlite, and `sqlite3 .dump` (Debian's
 * CLI) of a better-sqlite3 file loaded into sql.js. A failing statement is named by number and line and the load
 * leaves nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { loadSqlDump } from '../../src/core/dump-load.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { scratchDatabase, useServer } from '../harness/global-servers.ts';
import { findPostgresBin } from '../harness/servers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-dump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NASTY = "O'Brien\twith a tab\nand a newline \\ backslash";

async function rows(db: Driver, sql: string): Promise<unknown[][]> {
  return (await db.query(sql, [])).rows;
}

describe('pg_dump (PostgreSQL 15) into PGlite', () => {
  let dump = '';
  let pglite: Driver;

  beforeAll(async () => {
    const server = await useServer('postgres');
    const url = await scratchDatabase(server, 'dump');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      CREATE TABLE users (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email text UNIQUE,
                          avatar bytea, tags text[], profile jsonb);
      CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id), total numeric(10,2),
                           placed_at timestamptz DEFAULT now());
      CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
      CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql AS $$ SELECT upper(t) || '; done' $$;
    `);
    await client.query(
      `INSERT INTO users (name, email, avatar, tags, profile) VALUES
         ('Ada', 'ada@example.com', '\\x00ff10', '{a,"b c"}', '{"k": "v\\tw"}'),
         ($1, NULL, NULL, NULL, NULL),
         ('Grace', 'grace@example.com', NULL, '{}', 'null')`,
      [NASTY],
    );
    await client.query(
      `INSERT INTO orders (user_id, total) SELECT 1 + (g % 3), g * 10.5 FROM generate_series(1, 1200) g`,
    );
    await client.end();
    dump = execFileSync(join(findPostgresBin(), 'pg_dump'), ['--dbname', url], { encoding: 'utf8' });
    pglite = await openPglite();
  }, 120_000);
  afterAll(() => pglite?.close());

  test('the dump has what the loader must handle', () => {
    expect(dump).toMatch(/^COPY public\.users .* FROM stdin;$/m);
    expect(dump).toMatch(/^SELECT pg_catalog\.set_config\('search_path', '', false\);$/m);
    expect(dump).toMatch(/^SET /m);
    expect(dump).toMatch(/OWNER TO/);
  });

  test('loads: rows, types, escapes, identity, sequences; settings end with the load', async () => {
    const searchPath = await rows(pglite, 'SHOW search_path');
    const result = await loadSqlDump(pglite, dump);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.notes.join(' ')).toMatch(/ownership and privilege/);
    expect(await rows(pglite, 'SELECT count(*)::int FROM public.orders')).toEqual([[1200]]);
    expect(
      await rows(pglite, "SELECT name, encode(avatar, 'hex'), tags[2], profile->>'k' FROM users WHERE id = 1"),
    ).toEqual([['Ada', '00ff10', 'b c', 'v\tw']]);
    expect(await rows(pglite, 'SELECT name, email FROM users WHERE id = 2')).toEqual([[NASTY, null]]);
    expect(await rows(pglite, 'SELECT shout(name) FROM users WHERE id = 3')).toEqual([['GRACE; done']]);
    expect(await rows(pglite, 'SELECT count(*)::int FROM big_orders')).toEqual([[1191]]);
    // the identity column's sequence was set by the dump: the next user gets id 4
    expect(await rows(pglite, "INSERT INTO users (name) VALUES ('New') RETURNING id")).toEqual([[4]]);
    // search_path was '' during the load; afterwards it is what it was before
    expect(await rows(pglite, 'SHOW search_path')).toEqual(searchPath);
  });

  test('a psql meta-command is skipped with a note; a failing statement is named and nothing is half-loaded', async () => {
    const db = await openPglite();
    try {
      const broken = dump.replace(
        /^CREATE VIEW public\.big_orders/m,
        '\\connect other\nCREATE VIEW public.big_orders_x AS SELECT nope FROM public.orders;\nCREATE VIEW public.big_orders',
      );
      const lines = broken.split('\n');
      const line = lines.findIndex((l) => l.startsWith('CREATE VIEW public.big_orders_x')) + 1;
      const result = await loadSqlDump(db, broken);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.line).toBe(line);
      expect(result.error.message).toMatch(/nope/);
      // its number counts every statement before it, SET lines included, and not the meta-command
      const before = broken.slice(0, broken.indexOf('CREATE VIEW public.big_orders_x'));
      expect(result.error.statement).toBeGreaterThan((before.match(/^SET /gm) ?? []).length);
      expect(await rows(db, "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'")).toEqual([[0]]);
      expect(await rows(db, 'SHOW search_path')).not.toEqual([['']]);

      const fine = await loadSqlDump(db, `\\connect app\n${dump}`);
      expect(fine).toMatchObject({ ok: true });
      if (fine.ok) expect(fine.notes.join(' ')).toMatch(/skipped \d+ psql meta-commands? \(.*\\connect/);
    } finally {
      await db.close();
    }
  });

  test('a COPY block cut short is refused by statement and line, before anything runs', async () => {
    const db = await openPglite();
    try {
      const cut = dump.slice(0, dump.indexOf('\\.\n', dump.indexOf('COPY public.orders')));
      const result = await loadSqlDump(db, cut);
      expect(result).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/does not end with a line \\\./) },
      });
      if (result.ok) return;
      expect(result.error.line).toBe(cut.slice(0, cut.indexOf('COPY public.orders')).split('\n').length);
      expect(await rows(db, "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'")).toEqual([[0]]);
    } finally {
      await db.close();
    }
  });
});

describe('sqlite3 .dump into sql.js', () => {
  let dump = '';
  beforeAll(() => {
    const file = join(tmp, 'app.sqlite');
    const db = new Database(file);
    db.exec(`
      CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), total REAL);
      CREATE INDEX orders_user ON orders(user_id);
      CREATE TABLE audit (msg TEXT);
      CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN INSERT INTO audit VALUES ('order; ' || NEW.id); END;
    `);
    db.prepare('INSERT INTO users (name, email) VALUES (?, ?)').run(NASTY, 'x@example.com');
    db.prepare('INSERT INTO users (name, email) VALUES (?, ?)').run('Ada', null);
    db.exec('INSERT INTO orders (user_id, total) VALUES (1, 9.5), (2, 20)');
    db.close();
    dump = execFileSync('sqlite3', [file, '.dump'], { encoding: 'utf8' });
  });

  test('loads, its own BEGIN/COMMIT replaced by the loader transaction', async () => {
    expect(dump).toMatch(/^BEGIN TRANSACTION;$/m);
    const db = await openSqlJs();
    try {
      const result = await loadSqlDump(db, dump);
      expect(result).toMatchObject({ ok: true, notes: [expect.stringMatching(/BEGIN\/COMMIT/)] });
      expect(await rows(db, 'SELECT id, name, email FROM users ORDER BY id')).toEqual([
        [1, NASTY, 'x@example.com'],
        [2, 'Ada', null],
      ]);
      expect(await rows(db, 'SELECT msg FROM audit ORDER BY msg')).toEqual([['order; 1'], ['order; 2']]);
      expect(await rows(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'")).toEqual([['orders_audit']]);
    } finally {
      await db.close();
    }
  });

  test('a failing statement is named by number and line; nothing of the dump stays', async () => {
    const db = await openSqlJs();
    try {
      const broken = dump.replace('CREATE TABLE audit', 'CREATE TABLE orders (x);\nCREATE TABLE audit');
      const result = await loadSqlDump(db, broken);
      const line = broken.split('\n').findIndex((l) => l === 'CREATE TABLE orders (x);') + 1;
      // PRAGMA, BEGIN, users, 2 inserts, orders, 2 inserts, index?: count the statements before it in the text
      const number = broken.slice(0, broken.indexOf('CREATE TABLE orders (x)')).split(';\n').length;
      expect(result).toMatchObject({
        ok: false,
        error: { line, statement: number, message: expect.stringMatching(/already exists/) },
      });
      expect(await rows(db, 'SELECT count(*) FROM sqlite_schema')).toEqual([[0]]);
    } finally {
      await db.close();
    }
  });
});
