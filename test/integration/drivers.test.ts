/**
 * The engine drivers against the real engines: sql.js, better-sqlite3 (a temp file), PGlite (memory and a temp
 * directory), and the file lock (in process and across processes, including a holder killed with SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import { acquireFileLock } from '../../src/drivers/node/file-lock.ts';
import { openPgliteDir } from '../../src/drivers/node/pglite-dir.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { sqliteStatementVerb, type SyncDriver } from '../../src/drivers/sqlite-common.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-drivers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `fn` expecting it to throw (synchronously or by rejecting); returns the error. */
async function failure(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

describe('sqliteStatementVerb', () => {
  test.each([
    ['insert into t values (1)', 'INSERT'],
    ['  -- c\n /* x */ REPLACE INTO t VALUES (1)', 'REPLACE'],
    ['WITH a(x) AS (SELECT 1), b AS (SELECT "insert" FROM a) DELETE FROM t WHERE x IN b', 'DELETE'],
    ['WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL SELECT n+1 FROM c) SELECT * FROM c', 'SELECT'],
    ['create table "update"(x)', 'CREATE'],
    ['', ''],
  ])('%s -> %s', (sql, verb) => {
    expect(sqliteStatementVerb(sql)).toBe(verb);
  });
});

// ------------------------------------------------------------------------------------------------------------
// SQLite: the same contract for sql.js and better-sqlite3

const sqliteDrivers: [string, () => Promise<SyncDriver>][] = [
  ['sql.js', () => openSqlJs()],
  ['better-sqlite3 file', async () => openSqliteFile(join(tmp, 'contract.db'))],
];

describe.each(sqliteDrivers)('SQLite contract: %s', (name, open) => {
  let db: SyncDriver;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db.close();
  });

  test('identity', () => {
    expect(db.engine).toBe('sqlite');
    expect(db.transactionalDdl).toBe(true);
    expect(db.target).toBe(name === 'sql.js' ? 'sqlite (in memory)' : `sqlite file ${join(tmp, 'contract.db')}`);
  });

  test('answers synchronously', () => {
    const r = db.query('SELECT 1 AS one', []);
    expect(r).not.toBeInstanceOf(Promise);
    expect(r).toEqual({ columns: ['one'], rows: [[1]] });
    expect(db.begin()).toBeUndefined();
    expect(db.rollback()).toBeUndefined();
  });

  test('query: columns in order with duplicates, values mapped', () => {
    const r = db.query(
      `SELECT NULL AS n, 42 AS i, 1.5 AS f, 'héllo' AS t, x'00ff10' AS b, 1 AS i,
              9007199254740991 AS safe, 9007199254740992 AS big, -9223372036854775808 AS min`,
      [],
    );
    expect(r.columns).toEqual(['n', 'i', 'f', 't', 'b', 'i', 'safe', 'big', 'min']);
    const row = r.rows[0];
    expect(row.slice(0, 4)).toEqual([null, 42, 1.5, 'héllo']);
    expect(row[4]).toBeInstanceOf(Uint8Array);
    expect(row[4]!.constructor).toBe(Uint8Array);
    expect([...(row[4] as Uint8Array)]).toEqual([0, 255, 16]);
    expect(row[5]).toBe(1);
    expect(row[6]).toBe(MAX_SAFE);
    expect(row[7]).toBe(9007199254740992n);
    expect(row[8]).toBe(-9223372036854775808n);
  });

  test('parameters: typed as documented', () => {
    const r = db.query('SELECT ?, ?, typeof(?), ?, typeof(?), ?, typeof(?), ?, typeof(?), ?, typeof(?), ?', [
      true,
      false,
      7,
      7,
      2.5,
      2.5,
      'txt',
      'txt',
      5n,
      5n,
      new Uint8Array([1, 2]),
      null,
    ]);
    expect(r.rows[0]).toEqual([1, 0, 'integer', 7, 'real', 2.5, 'text', 'txt', 'integer', 5, 'blob', null]);
    expect(db.query('SELECT ?', [new Uint8Array([1, 2])]).rows[0][0]).toEqual(new Uint8Array([1, 2]));
  });

  test('parameters: 64-bit integers are exact in an INTEGER column', () => {
    db.exec('CREATE TABLE ints (v INTEGER)');
    db.execute('INSERT INTO ints VALUES (?), (?), (?), (?)', [3000000000, 2n ** 62n, -(2n ** 63n), MAX_SAFE]);
    const r = db.query('SELECT v, typeof(v) FROM ints', []);
    expect(r.rows).toEqual([
      [3000000000, 'integer'],
      [2n ** 62n, 'integer'],
      [-(2n ** 63n), 'integer'],
      [MAX_SAFE, 'integer'],
    ]);
    db.exec('DROP TABLE ints');
  });

  test('execute: rowsAffected and lastInsertId, never stale', () => {
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, age INTEGER)');
    expect(db.execute("INSERT INTO people (name) VALUES ('a'), ('b'), ('c')", [])).toEqual({
      rowsAffected: 3,
      lastInsertId: 3,
    });
    expect(db.execute('INSERT INTO people (name, age) VALUES (?, ?)', ['d', 40])).toEqual({
      rowsAffected: 1,
      lastInsertId: 4,
    });
    // after DDL and SELECT the engine's change counter is stale: the driver says 0
    expect(db.execute('CREATE INDEX people_age ON people(age)', [])).toEqual({ rowsAffected: 0, lastInsertId: null });
    expect(db.execute('SELECT * FROM people', [])).toEqual({ rowsAffected: 0, lastInsertId: null });
    expect(db.execute('UPDATE people SET age = ? WHERE age IS NULL', [1])).toEqual({
      rowsAffected: 3,
      lastInsertId: null,
    });
    expect(db.execute('WITH x AS (SELECT 1) DELETE FROM people WHERE age = 1', [])).toEqual({
      rowsAffected: 3,
      lastInsertId: null,
    });
    expect(db.execute("INSERT INTO people (name) VALUES ('e') RETURNING id", [])).toEqual({
      rowsAffected: 1,
      lastInsertId: 5,
    });
    expect(db.query("INSERT INTO people (name) VALUES ('f') RETURNING id, name", [])).toEqual({
      columns: ['id', 'name'],
      rows: [[6, 'f']],
    });
    // a statement that returns nothing, through query
    expect(db.query('CREATE TABLE no_rows (x)', [])).toEqual({ columns: [], rows: [] });
    expect(db.query('  -- only a comment', [])).toEqual({ columns: [], rows: [] });
  });

  test('execute: a script without parameters runs every statement', () => {
    const r = db.execute('CREATE TABLE s1 (x); INSERT INTO s1 VALUES (1), (2); UPDATE s1 SET x = x + 1; -- done\n', []);
    expect(r.rowsAffected).toBe(4);
    expect(db.query('SELECT x FROM s1 ORDER BY x', []).rows).toEqual([[2], [3]]);
  });

  test('one statement only where parameters or rows are involved', async () => {
    const multi = 'The supplied SQL string contains more than one statement';
    expect((await failure(() => db.query('SELECT 1; SELECT 2', []))).message).toBe(multi);
    expect((await failure(() => db.execute('INSERT INTO s1 VALUES (?); DELETE FROM s1', [1]))).message).toBe(multi);
    expect((await failure(() => db.prepare('SELECT 1; SELECT 2'))).message).toBe(multi);
    expect(db.query('SELECT 1;  -- trailing', []).rows).toEqual([[1]]);
    expect(db.query('SELECT count(*) FROM s1', []).rows).toEqual([[2]]);
  });

  test('prepare: reuse, query, execute, close', () => {
    const ins = db.prepare('INSERT INTO people (name, age) VALUES (?, ?)');
    expect(ins.execute(['p1', 10])).toEqual({ rowsAffected: 1, lastInsertId: 7 });
    expect(ins.execute(['p2', null])).toEqual({ rowsAffected: 1, lastInsertId: 8 });
    ins.close();
    const sel = db.prepare('SELECT name, age FROM people WHERE id >= ? ORDER BY id');
    expect(sel.query([7])).toEqual({
      columns: ['name', 'age'],
      rows: [
        ['p1', 10],
        ['p2', null],
      ],
    });
    expect(sel.query([8]).rows).toEqual([['p2', null]]);
    const upd = db.prepare('UPDATE people SET age = 0');
    expect(upd.execute([]).rowsAffected).toBe(5); // d, e, f, p1, p2
    expect(upd.execute([]).lastInsertId).toBeNull();
    sel.close();
    upd.close();
  });

  test('errors carry the engine message and code', async () => {
    const unique = await failure(() => db.execute("INSERT INTO people (name) VALUES ('d')", []));
    expect(unique.message).toBe('UNIQUE constraint failed: people.name');
    expect(unique.code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    const notNull = await failure(() => db.execute('INSERT INTO people (name) VALUES (?)', [null]));
    expect(notNull.message).toBe('NOT NULL constraint failed: people.name');
    expect(notNull.code).toBe('SQLITE_CONSTRAINT_NOTNULL');
    const syntax = await failure(() => db.query('SELEC 1', []));
    expect(syntax.message).toBe('near "SELEC": syntax error');
    expect(syntax.code).toBe('SQLITE_ERROR');
    const prep = await failure(() => db.prepare('SELECT * FROM nowhere'));
    expect(prep.message).toBe('no such table: nowhere');
    expect(prep.code).toBe('SQLITE_ERROR');
    const closed = db.prepare('SELECT 1');
    closed.close();
    expect((await failure(() => closed.query([]))).code).toBe('SQLITE_MISUSE');
  });

  test('transactions: rollback undoes data and DDL; savepoints', () => {
    db.begin();
    db.execute('CREATE TABLE tx (x INTEGER)', []);
    db.execute('INSERT INTO tx VALUES (1)', []);
    db.exec('SAVEPOINT sp');
    db.execute('INSERT INTO tx VALUES (2)', []);
    db.exec('ROLLBACK TO SAVEPOINT sp');
    db.exec('RELEASE SAVEPOINT sp');
    expect(db.query('SELECT x FROM tx', []).rows).toEqual([[1]]);
    db.rollback();
    expect(db.query("SELECT count(*) FROM sqlite_master WHERE name = 'tx'", []).rows).toEqual([[0]]);

    db.begin();
    db.execute('CREATE TABLE tx (x INTEGER)', []);
    db.commit();
    expect(db.query("SELECT count(*) FROM sqlite_master WHERE name = 'tx'", []).rows).toEqual([[1]]);
  });
});

// ------------------------------------------------------------------------------------------------------------
// sql.js specifics

describe('sql.js', () => {
  test('export() gives a file image that opens again', async () => {
    const a = await openSqlJs();
    a.execute('CREATE TABLE k (v TEXT)', []);
    a.execute('INSERT INTO k VALUES (?)', ['kept']);
    const image = a.export();
    expect(new TextDecoder().decode(image.subarray(0, 15))).toBe('SQLite format 3');
    a.execute('INSERT INTO k VALUES (?)', ['after export']); // still usable
    await a.close();
    const b = await openSqlJs({ data: image });
    expect(b.query('SELECT v FROM k', []).rows).toEqual([['kept']]);
    await b.close();
  });

  test('lock() is a no-op: a second lock is granted while the first is held, and the database stays usable', async () => {
    const a = await openSqlJs();
    const release = await a.lock(0);
    const again = await a.lock(0);
    expect([typeof release, typeof again]).toEqual(['function', 'function']);
    await expect(release()).resolves.toBeUndefined();
    await expect(again()).resolves.toBeUndefined();
    expect(a.query('SELECT 1 AS one', []).rows).toEqual([[1]]);
    await a.close();
  });
});

// ------------------------------------------------------------------------------------------------------------
// better-sqlite3 specifics

describe('better-sqlite3 file', () => {
  test('changes land in the file, visible to another connection; ":memory:" works', async () => {
    const path = join(tmp, 'shared.db');
    const d = openSqliteFile(path);
    d.execute('CREATE TABLE app (v INTEGER)', []);
    d.execute('INSERT INTO app VALUES (?)', [7]);
    const other = new Database(path, { readonly: true });
    expect(other.prepare('SELECT v FROM app').pluck().get()).toBe(7);
    other.close();
    await d.close();

    const mem = openSqliteFile(':memory:');
    expect(mem.target).toBe('sqlite (in memory)');
    expect(mem.query('SELECT 2', []).rows).toEqual([[2]]);
    await (
      await mem.lock(0)
    )();
    await mem.close();
  });

  test('begin() takes the write lock at once (BEGIN IMMEDIATE)', async () => {
    const path = join(tmp, 'immediate.db');
    const d = openSqliteFile(path);
    d.exec('CREATE TABLE t (x)');
    d.begin();
    const other = new Database(path, { timeout: 0 });
    expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/database is locked/);
    other.close();
    d.rollback();
    await d.close();
  });

  test('an error in a statement primary-key code', async () => {
    const d = openSqliteFile(':memory:');
    d.exec('CREATE TABLE pk (id INTEGER PRIMARY KEY)');
    d.execute('INSERT INTO pk VALUES (1)', []);
    const e = await failure(() => d.execute('INSERT INTO pk VALUES (1)', []));
    expect(e.message).toBe('UNIQUE constraint failed: pk.id');
    expect(e.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    await d.close();
  });

  test('a missing directory is a clear error', async () => {
    const e = await failure(() => openSqliteFile(join(tmp, 'no', 'such', 'dir', 'x.db')));
    expect(e.message).toMatch(/directory does not exist/);
  });

  test('lock(): a second run waits, then gives up with a message; free again after release', async () => {
    const path = join(tmp, 'locked.db');
    const a = openSqliteFile(path);
    const b = openSqliteFile(path);
    const release = await a.lock(1000);
    expect(existsSync(`${path}.moonwalk-lock`)).toBe(true);
    const started = Date.now();
    const e = await failure(() => b.lock(300));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(e.message).toBe(
      `sqlite file ${path} is locked: another moonwalk run holds it (lock file ${path}.moonwalk-lock); ` +
        'gave up after waiting 0.3 s: let that run finish, or stop it, and run again',
    );
    expect(e.code).toBe('MOONWALK_LOCK_TIMEOUT');
    // the lock does not block ordinary work on the database itself
    a.execute('CREATE TABLE free (x)', []);
    b.execute('INSERT INTO free VALUES (1)', []);
    // a waiter gets it as soon as it is released
    const waiting = b.lock(5000);
    setTimeout(() => void release(), 100);
    const releaseB = await waiting;
    await releaseB();
    await releaseB(); // twice is harmless
    await a.close();
    await b.close();
  });
});

// ------------------------------------------------------------------------------------------------------------
// The lock across processes: it dies with its holder.

describe('file lock across processes', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  test('a lock held by a process killed with SIGKILL is free again', async () => {
    // run the real file-lock.ts in the child: transpile it to CommonJS (better-sqlite3 resolves through NODE_PATH)
    const source = readFileSync(resolve('src/drivers/node/file-lock.ts'), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const modulePath = join(tmp, 'file-lock.cjs');
    writeFileSync(modulePath, js);
    const lockPath = join(tmp, 'child.db.moonwalk-lock');
    const script = `
      const { acquireFileLock } = require(process.env.LOCK_MODULE);
      acquireFileLock(process.env.LOCK_PATH, 5000, 'child').then(() => {
        process.stdout.write('locked\\n');
        setInterval(() => {}, 60000);
      }, (e) => { console.error(e); process.exit(3); });`;
    child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, LOCK_MODULE: modulePath, LOCK_PATH: lockPath, NODE_PATH: resolve('node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const proc = child;
    await new Promise<void>((ok, fail) => {
      proc.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('locked')) ok();
      });
      proc.on('exit', (code) => fail(new Error(`child exited with ${code}`)));
    });

    const e = await failure(() => acquireFileLock(lockPath, 200, 'sqlite file child.db'));
    expect(e.message).toMatch(
      /^sqlite file child\.db is locked: another moonwalk run holds it .* waiting 0\.2 s: let that run finish/,
    );
    expect(e.message).toContain(`held by process ${proc.pid} (`);

    const exited = new Promise((ok) => proc.on('exit', ok));
    proc.kill('SIGKILL');
    await exited;
    const release = await acquireFileLock(lockPath, 2000, 'sqlite file child.db');
    await release();
  });
});

// ------------------------------------------------------------------------------------------------------------
// PGlite in memory (one instance for the whole block: initdb takes seconds)

describe('PGlite in memory', () => {
  let pg: Driver;
  beforeAll(async () => {
    pg = await openPglite();
  });
  afterAll(async () => {
    await pg.close();
  });

  test('identity', () => {
    expect(pg.engine).toBe('postgres');
    expect(pg.transactionalDdl).toBe(true);
    expect(pg.target).toBe('pglite (in memory)');
  });

  test('values map deliberately', async () => {
    const r = await pg.query(
      `SELECT NULL AS n, 42 AS i, true AS b, false AS f, 1.5::float8 AS d, 1.25::numeric(10,3) AS num,
              9007199254740991::int8 AS safe, 9223372036854775807::int8 AS big, 'x'::text AS t,
              '\\x00ff'::bytea AS bin, '2024-01-02'::date AS day, '2024-01-02 03:04:05'::timestamp AS ts,
              '2024-01-02 03:04:05+02'::timestamptz AS tstz, '12:30'::time AS tm, '1 day 2 hours'::interval AS iv,
              '{"a": [1, 2]}'::json AS j, '{"a": 1}'::jsonb AS jb, ARRAY[1, 2] AS arr, ARRAY['a b', 'c'] AS tarr,
              1 AS i`,
      [],
    );
    expect(r.columns).toEqual([
      'n',
      'i',
      'b',
      'f',
      'd',
      'num',
      'safe',
      'big',
      't',
      'bin',
      'day',
      'ts',
      'tstz',
      'tm',
      'iv',
      'j',
      'jb',
      'arr',
      'tarr',
      'i',
    ]);
    expect(r.rows[0]).toEqual([
      null,
      42,
      true,
      false,
      1.5,
      '1.250',
      MAX_SAFE,
      9223372036854775807n,
      'x',
      new Uint8Array([0, 255]),
      '2024-01-02',
      '2024-01-02 03:04:05',
      '2024-01-02 01:04:05+00',
      '12:30:00',
      '1 day 02:00:00',
      '{"a": [1, 2]}',
      '{"a": 1}',
      '{1,2}',
      '{"a b",c}',
      1,
    ]);
  });

  test('untyped parameters work in ordinary statements', async () => {
    await pg.exec(`CREATE TABLE typed (i int, t text, b bool, n numeric, big int8, f float8, j jsonb,
                                       ts timestamptz, bin bytea)`);
    const ins = 'INSERT INTO typed (i, t, b, n, big, f, j, ts, bin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
    expect(
      await pg.execute(ins, [
        1,
        'one',
        true,
        0.1,
        2n ** 62n,
        2.5,
        '{"k": 1}',
        '2024-05-06 07:08:09+00',
        new Uint8Array([9]),
      ]),
    ).toEqual({ rowsAffected: 1, lastInsertId: null });
    await pg.execute(ins, [2, 2, false, 12345678901234567890n, 3, 3, '[1]', null, 'raw']);
    const r = await pg.query('SELECT i, t, b, n, big, f, j, ts, bin FROM typed ORDER BY i', []);
    expect(r.rows).toEqual([
      [1, 'one', true, '0.1', 2n ** 62n, 2.5, '{"k": 1}', '2024-05-06 07:08:09+00', new Uint8Array([9])],
      [2, '2', false, '12345678901234567890', 3, 3, '[1]', null, new TextEncoder().encode('raw')],
    ]);
    expect((await pg.query('SELECT i FROM typed WHERE b = $1 AND t = $2', [true, 'one'])).rows).toEqual([[1]]);
    expect((await pg.query('SELECT $1::int + $2 AS s', [40, 2])).rows).toEqual([[42]]);
    expect((await pg.query('SELECT $1 AS b', [new Uint8Array([1, 2])])).rows).toEqual([[new Uint8Array([1, 2])]]);
    // a number is not silently turned into a date
    const e = await failure(() => pg.execute('INSERT INTO typed (ts) VALUES ($1)', [1700000000000]));
    expect(e.code).toBe('22008');
  });

  test('execute: rowsAffected; a script without parameters', async () => {
    await pg.exec('CREATE TABLE rows (id serial PRIMARY KEY, v int)');
    expect(await pg.execute('INSERT INTO rows (v) VALUES (1), (2), (3)', [])).toEqual({
      rowsAffected: 3,
      lastInsertId: null,
    });
    expect(await pg.execute('UPDATE rows SET v = v + $1', [10])).toEqual({ rowsAffected: 3, lastInsertId: null });
    expect(await pg.execute('SELECT * FROM rows', [])).toEqual({ rowsAffected: 0, lastInsertId: null });
    expect(await pg.execute('CREATE INDEX rows_v ON rows (v)', [])).toEqual({ rowsAffected: 0, lastInsertId: null });
    expect(await pg.execute('DELETE FROM rows WHERE v = 11; INSERT INTO rows (v) VALUES (4)', [])).toEqual({
      rowsAffected: 2,
      lastInsertId: null,
    });
    expect(await pg.query('INSERT INTO rows (v) VALUES ($1) RETURNING id', [5])).toEqual({
      columns: ['id'],
      rows: [[5]],
    });
    expect(await pg.query('CREATE TABLE empty_result (x int)', [])).toEqual({ columns: [], rows: [] });
  });

  test('prepare: fails early, then runs many times', async () => {
    const bad = await failure(() => pg.prepare('INSERT INTO nowhere VALUES ($1)'));
    expect(bad.message).toBe('relation "nowhere" does not exist');
    expect(bad.code).toBe('42P01');
    const ins = await pg.prepare('INSERT INTO rows (v) VALUES ($1)');
    expect(await ins.execute([100])).toEqual({ rowsAffected: 1, lastInsertId: null });
    expect(await ins.execute([101])).toEqual({ rowsAffected: 1, lastInsertId: null });
    await ins.close();
    const sel = await pg.prepare('SELECT v FROM rows WHERE v >= $1 ORDER BY v');
    expect((await sel.query([100])).rows).toEqual([[100], [101]]);
    await sel.close();
  });

  test('errors carry the engine message and SQLSTATE', async () => {
    const dup = await failure(() => pg.execute('INSERT INTO rows (id, v) VALUES (2, 0)', []));
    expect(dup.message).toBe('duplicate key value violates unique constraint "rows_pkey"');
    expect(dup.code).toBe('23505');
    const syntax = await failure(() => pg.query('SELEC 1', []));
    expect(syntax.message).toBe('syntax error at or near "SELEC"');
    expect(syntax.code).toBe('42601');
    const multi = await failure(() => pg.query('SELECT 1; SELECT 2', []));
    expect(multi.code).toBe('42601');
    const bad = await failure(() => pg.execute('INSERT INTO typed (i) VALUES ($1)', [1.5]));
    expect(bad.message).toBe('invalid input syntax for type integer: "1.5"');
    expect(bad.code).toBe('22P02');
  });

  test('transactions: DDL rolls back; savepoints; a doomed transaction does not commit', async () => {
    await pg.begin();
    await pg.execute('CREATE TABLE tx (x int)', []);
    await pg.execute('INSERT INTO tx VALUES ($1)', [1]);
    await pg.exec('SAVEPOINT sp');
    await failure(() => pg.execute('INSERT INTO tx VALUES ($1)', ['not a number']));
    await pg.exec('ROLLBACK TO SAVEPOINT sp');
    await pg.execute('INSERT INTO tx VALUES ($1)', [2]);
    expect((await pg.query('SELECT x FROM tx ORDER BY x', [])).rows).toEqual([[1], [2]]);
    await pg.rollback();
    expect((await pg.query("SELECT to_regclass('tx') IS NULL", [])).rows).toEqual([[true]]);

    await pg.begin();
    await pg.execute('CREATE TABLE doomed (x int)', []);
    const e = await failure(() => pg.query('SELECT 1/0', []));
    expect(e.code).toBe('22012');
    const aborted = await failure(() => pg.query('SELECT 1', []));
    expect(aborted.code).toBe('25P02');
    const commit = await failure(() => pg.commit());
    expect(commit.code).toBe('25P02');
    expect((await pg.query("SELECT to_regclass('doomed') IS NULL", [])).rows).toEqual([[true]]);

    await pg.begin();
    await pg.execute('CREATE TABLE kept (x int)', []);
    await pg.commit();
    expect((await pg.query("SELECT to_regclass('kept') IS NULL", [])).rows).toEqual([[false]]);
  });

  test('lock() resolves at once, a second time while the first is held too (one connection: nothing to wait for)', async () => {
    const release = await pg.lock(0);
    const again = await pg.lock(0);
    expect([typeof release, typeof again]).toEqual(['function', 'function']);
    await expect(release()).resolves.toBeUndefined();
    await expect(again()).resolves.toBeUndefined();
    expect((await pg.query('SELECT 1 AS one', [])).rows).toEqual([[1]]);
  });
});

// ------------------------------------------------------------------------------------------------------------
// PGlite in a directory: locked before it is opened, held until closed

describe('PGlite directory', () => {
  const dir = join(tmp, 'pgdata');
  let pg: Driver | undefined;
  afterAll(async () => {
    await pg?.close();
  });

  test('open, lock file, second opener waits then gives up, reopen keeps the data', async () => {
    pg = await openPgliteDir(dir);
    expect(pg.target).toBe(`pglite directory ${dir}`);
    expect(existsSync(`${dir}.moonwalk-lock`)).toBe(true);
    await (
      await pg.lock(0)
    )();
    await pg.execute('CREATE TABLE persisted (v text)', []);
    await pg.execute('INSERT INTO persisted VALUES ($1)', ['still here']);

    const e = await failure(() => openPgliteDir(`${dir}/`, { lockTimeoutMs: 300 }));
    expect(e.message).toBe(
      `pglite directory ${dir}/ is locked: another moonwalk run holds it (lock file ${dir}.moonwalk-lock); ` +
        'gave up after waiting 0.3 s: let that run finish, or stop it, and run again',
    );

    await pg.close();
    await pg.close(); // twice is harmless
    pg = await openPgliteDir(dir, { lockTimeoutMs: 1000 });
    expect((await pg.query('SELECT v FROM persisted', [])).rows).toEqual([['still here']]);
    await pg.close();
    pg = undefined;
  });
});
