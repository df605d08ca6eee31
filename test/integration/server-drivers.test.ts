/**
 * The PostgreSQL and MySQL drivers against real servers (started by test/harness, or the run-wide ones from the
 * globalSetup when it is configured).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { openMysql } from '../../src/drivers/mysql/open.ts';
import { openPostgres } from '../../src/drivers/postgres/open.ts';
import { POSTGRES_LOCK_KEY } from '../../src/drivers/postgres/lock.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { freePort, startMariadb, startPostgres, type ManagedServer } from '../harness/servers.ts';

const TIMEOUT = { connectTimeoutMs: 5000 };
const SECRET = 'hunter2-very-secret';

let pgServer: TestServer;
let myServer: TestServer;
let pgUrl: string;
let myUrl: string;
const open: Driver[] = [];

async function pgDriver(url = pgUrl): Promise<Driver> {
  const d = await openPostgres(url, TIMEOUT);
  open.push(d);
  return d;
}
async function myDriver(url = myUrl): Promise<Driver> {
  const d = await openMysql(url, TIMEOUT);
  open.push(d);
  return d;
}

beforeAll(async () => {
  [pgServer, myServer] = await Promise.all([useServer('postgres'), useServer('mysql')]);
  [pgUrl, myUrl] = await Promise.all([scratchDatabase(pgServer, 'drivers'), scratchDatabase(myServer, 'drivers')]);
});

afterAll(async () => {
  await Promise.all(open.map((d) => d.close().catch(() => {})));
  await Promise.all([pgServer?.stop(), myServer?.stop()]);
});

/** A TCP server that accepts connections and never says a word: a server that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

async function expectReject(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.href;
}

type Open = (url: string, options: { connectTimeoutMs: number }) => Promise<Driver>;

/**
 * A server that is not there (nothing on the port) and one that accepts and never answers: both fail within the
 * timeout, naming host:port and database, never the password. Returns the first error for engine-specific checks.
 */
async function expectUnreachableFailsClearly(openDriver: Open, scheme: string): Promise<Error & { code?: string }> {
  const port = await freePort();
  const t0 = Date.now();
  const down = await expectReject(
    openDriver(`${scheme}://moonwalk:${SECRET}@127.0.0.1:${port}/appdb`, { connectTimeoutMs: 2000 }),
  );
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(down.message).toContain(`127.0.0.1:${port}`);
  expect(down.message).toContain('appdb');
  expect(down.message).not.toContain(SECRET);

  const silent = await silentServer();
  try {
    const t1 = Date.now();
    const hung = await expectReject(
      openDriver(`${scheme}://moonwalk:${SECRET}@127.0.0.1:${silent.port}/appdb`, { connectTimeoutMs: 700 }),
    );
    const took = Date.now() - t1;
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(4000);
    expect(hung.message).toContain(`127.0.0.1:${silent.port}`);
    expect(hung.message).toContain('appdb');
    expect(hung.message).not.toContain(SECRET);
  } finally {
    await silent.close();
  }
  return down;
}

/** Each engine's way to sleep in a statement, name its connection, and end another connection. */
const KILLING = {
  postgres: {
    driver: () => pgDriver(),
    sleep: 'SELECT pg_sleep(30)',
    connectionId: 'SELECT pg_backend_pid()',
    kill: (killer: Driver, id: number) => killer.query('SELECT pg_terminate_backend($1)', [id]),
    lost: /lost the connection to postgres:\/\/moonwalk:\*\*\*@.*terminating connection due to administrator command/,
  },
  mysql: {
    driver: () => myDriver(),
    sleep: 'SELECT SLEEP(30)',
    connectionId: 'SELECT CONNECTION_ID()',
    kill: (killer: Driver, id: number) => killer.exec(`KILL CONNECTION ${id}`),
    lost: /lost the connection to mysql:\/\/moonwalk:\*\*\*@/,
  },
} as const;

/** A connection ended by the server while a statement runs: a clear error at once, and on every later call. */
async function expectDroppedConnectionFailsClearly(engine: keyof typeof KILLING): Promise<void> {
  const { driver, sleep, connectionId, kill, lost } = KILLING[engine];
  const victim = await driver();
  const killer = await driver();
  const [[id]] = (await victim.query(connectionId, [])).rows as [[number]];
  const running = expectReject(Promise.resolve(victim.query(sleep, [])));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  await kill(killer, id);
  const err = await running;
  expect(Date.now() - t0).toBeLessThan(3000);
  expect(err.message).toMatch(lost);
  const next = await expectReject(Promise.resolve(victim.query('SELECT 1', [])));
  expect(next.message).toMatch(/lost the connection to/);
}

// ---------------------------------------------------------------------------------------------------------------------

describe('PostgreSQL driver', () => {
  it('connects, reports its engine, masks the password in target', async () => {
    const d = await pgDriver();
    expect(d.engine).toBe('postgres');
    expect(d.transactionalDdl).toBe(true);
    const u = new URL(pgUrl);
    expect(d.target).toBe(`postgres://moonwalk:***@127.0.0.1:${u.port}${u.pathname}`);
    expect(d.target).not.toContain('secret');
  });

  it('maps values out of the server', async () => {
    const d = await pgDriver();
    const r = await d.query(
      `SELECT NULL::int AS n, 1::int2 AS i2, 2::int4 AS i4, 42::int8 AS small8, 9007199254740993::int8 AS big8,
              (-9223372036854775808)::int8 AS min8, 1.5::float8 AS f8, 1.25::float4 AS f4, 'NaN'::float8 AS nan,
              12.50::numeric AS num, true AS t, false AS f, '\\xdeadbeef'::bytea AS b,
              '2024-01-02'::date AS d, '12:34:56'::time AS tm, '2024-01-02 03:04:05'::timestamp AS ts,
              '2024-01-02 03:04:05+00'::timestamptz AS tstz, '1 day 02:00:00'::interval AS iv,
              '{"a": 1}'::json AS js, '{"a":1}'::jsonb AS jsb, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u,
              ARRAY[1,2] AS arr, 'héllo'::text AS txt`,
      [],
    );
    expect(r.columns).toEqual([
      'n',
      'i2',
      'i4',
      'small8',
      'big8',
      'min8',
      'f8',
      'f4',
      'nan',
      'num',
      't',
      'f',
      'b',
      'd',
      'tm',
      'ts',
      'tstz',
      'iv',
      'js',
      'jsb',
      'u',
      'arr',
      'txt',
    ]);
    const [row] = r.rows;
    expect(row).toEqual([
      null,
      1,
      2,
      42,
      9007199254740993n,
      -9223372036854775808n,
      1.5,
      1.25,
      NaN,
      '12.50',
      true,
      false,
      new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      '2024-01-02',
      '12:34:56',
      '2024-01-02 03:04:05',
      '2024-01-02 03:04:05+00',
      '1 day 02:00:00',
      '{"a": 1}',
      '{"a": 1}',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      '{1,2}',
      'héllo',
    ]);
    expect(row[12]).toBeInstanceOf(Uint8Array);
  });

  it('sends parameters in ($n), keeps duplicate column names, runs several statements without parameters', async () => {
    const d = await pgDriver();
    const r = await d.query(
      'SELECT $1::int8 AS a, $2::bytea AS a, $3::bool, $4::text, $5::float8, $6::int4, $7::numeric',
      [2n ** 60n + 1n, new Uint8Array([0, 1, 255]), true, 'it\'s \\ "x" ?', 0.1, null, '123456789012345678901234.5'],
    );
    expect(r.columns.slice(0, 2)).toEqual(['a', 'a']);
    expect(r.rows[0]).toEqual([
      2n ** 60n + 1n,
      new Uint8Array([0, 1, 255]),
      true,
      'it\'s \\ "x" ?',
      0.1,
      null,
      '123456789012345678901234.5',
    ]);
    const multi = await d.query('SELECT 1 AS one; SELECT 2 AS two, 3 AS three', []);
    expect(multi).toEqual({ columns: ['two', 'three'], rows: [[2, 3]] });
  });

  it('execute reports rows affected and no last insert id; prepare checks at prepare time and runs many times', async () => {
    const d = await pgDriver();
    await d.exec('CREATE TABLE people (id serial PRIMARY KEY, name text UNIQUE NOT NULL)');
    expect(await d.execute("INSERT INTO people (name) VALUES ('ann'), ('bob')", [])).toEqual({
      rowsAffected: 2,
      lastInsertId: null,
    });
    expect(await d.execute('UPDATE people SET name = name || $1', ['!'])).toEqual({
      rowsAffected: 2,
      lastInsertId: null,
    });
    expect((await d.execute('CREATE INDEX people_name ON people (name)', [])).rowsAffected).toBe(0);

    const ins = await d.prepare('INSERT INTO people (name) VALUES ($1) RETURNING id');
    expect((await ins.query(['cat'])).rows).toEqual([[3]]);
    expect(await ins.execute(['dan'])).toEqual({ rowsAffected: 1, lastInsertId: null });
    await ins.close();
    await ins.close(); // twice is fine
    const sel = await d.prepare('SELECT name FROM people WHERE id > $1 ORDER BY id');
    expect((await sel.query([2])).rows).toEqual([['cat'], ['dan']]);
    expect((await sel.query([3])).rows).toEqual([['dan']]);
    await sel.close();
    // DDL prepares too (no parameters)
    const ddl = await d.prepare('CREATE TABLE prepared_ddl (a int)');
    await ddl.execute([]);
    await ddl.close();

    const missing = await expectReject(Promise.resolve(d.prepare('SELECT * FROM no_such_table WHERE a = $1')));
    expect(missing.code).toBe('42P01');
    expect(missing.message).toBe('relation "no_such_table" does not exist');
    const syntax = await expectReject(Promise.resolve(d.prepare('SELEC 1')));
    expect(syntax.code).toBe('42601');
    // the session is still fine
    expect((await d.query('SELECT count(*)::int FROM people', [])).rows).toEqual([[4]]);
  });

  it('rolls back DDL with the transaction; savepoints; a failed statement dooms the transaction', async () => {
    const d = await pgDriver();
    await d.begin();
    await d.exec('CREATE TABLE tx_ddl (a int)');
    await d.execute('INSERT INTO tx_ddl VALUES ($1)', [1]);
    await d.rollback();
    expect((await d.query("SELECT to_regclass('tx_ddl')::text", [])).rows).toEqual([[null]]);

    await d.exec('CREATE TABLE sp (a text PRIMARY KEY)');
    await d.begin();
    await d.execute('INSERT INTO sp VALUES ($1)', ['a']);
    await d.exec('SAVEPOINT s1');
    const dup = await expectReject(Promise.resolve(d.execute('INSERT INTO sp VALUES ($1)', ['a'])));
    expect(dup.code).toBe('23505');
    expect(dup.message).toBe('duplicate key value violates unique constraint "sp_pkey"');
    await d.exec('ROLLBACK TO SAVEPOINT s1');
    await d.execute('INSERT INTO sp VALUES ($1)', ['b']);
    await d.exec('RELEASE SAVEPOINT s1');
    await d.commit();
    expect((await d.query('SELECT a FROM sp ORDER BY a', [])).rows).toEqual([['a'], ['b']]);

    await d.begin();
    await expectReject(Promise.resolve(d.execute('INSERT INTO sp VALUES ($1)', ['a'])));
    const doomed = await expectReject(Promise.resolve(d.query('SELECT 1', [])));
    expect(doomed.code).toBe('25P02');
    await d.rollback();
    expect((await d.query('SELECT 1 AS ok', [])).rows).toEqual([[1]]);
  });

  it('?schema= sets search_path and creates nothing', async () => {
    const d = await pgDriver();
    await d.exec('CREATE SCHEMA other');
    const inOther = await pgDriver(pgUrl + '?schema=other');
    await inOther.exec('CREATE TABLE in_other (a int)');
    expect((await d.query("SELECT schemaname FROM pg_tables WHERE tablename = 'in_other'", [])).rows).toEqual([
      ['other'],
    ]);
    const nowhere = await pgDriver(pgUrl + '?schema=does_not_exist');
    const err = await expectReject(Promise.resolve(nowhere.exec('CREATE TABLE t (a int)')));
    expect(err.code).toBe('3F000');
    expect((await d.query("SELECT count(*)::int FROM pg_namespace WHERE nspname = 'does_not_exist'", [])).rows).toEqual(
      [[0]],
    );
  });

  it('takes credentials from PGPASSWORD and PGUSER; sslmode as libpq users expect', async () => {
    const u = new URL(pgUrl);
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGUSER: process.env.PGUSER };
    try {
      process.env.PGPASSWORD = decodeURIComponent(u.password);
      process.env.PGUSER = decodeURIComponent(u.username);
      const bare = `postgres://127.0.0.1:${u.port}${u.pathname}?sslmode=disable`;
      const d = await pgDriver(bare);
      expect((await d.query('SELECT current_user', [])).rows).toEqual([['moonwalk']]);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    // the test server has no TLS: prefer (the default) falls back, require refuses
    await pgDriver(pgUrl + '?sslmode=prefer');
    const req = await expectReject(openPostgres(pgUrl + '?sslmode=require', TIMEOUT));
    expect(req.message).toMatch(/could not connect to PostgreSQL at 127\.0\.0\.1:\d+ .*does not support SSL/);
    const bad = await expectReject(openPostgres(pgUrl + '?sslmode=sometimes', TIMEOUT));
    expect(bad.message).toMatch(/invalid sslmode "sometimes"/);
  });

  it('a server that is down or silent fails within the timeout, naming host:port and database, never the password', async () => {
    const down = await expectUnreachableFailsClearly(openPostgres, 'postgres');
    expect(down.name).toBe('ConnectionError');

    const wrongPassword = await expectReject(openPostgres(withPassword(pgUrl, SECRET), TIMEOUT));
    expect(wrongPassword.message).toMatch(/password authentication failed for user "moonwalk"/);
    expect(wrongPassword.message).not.toContain(SECRET);
    expect(wrongPassword.code).toBe('28P01');
  });

  it('lock: a second runner waits, times out with a clear message, and gets the lock once the first connection closes', async () => {
    const a = await pgDriver();
    const b = await pgDriver();
    const releaseA = await a.lock(1000);
    const t0 = Date.now();
    const timedOut = await expectReject(b.lock(400));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(timedOut.message).toMatch(
      /^another moonwalk run holds the lock on postgres:\/\/moonwalk:\*\*\*@127\.0\.0\.1:\d+\/\w+; waited 0\.\d s \(held by server process \d+, application "moonwalk", user "moonwalk", from 127\.0\.0\.1, connected since /,
    );
    expect(timedOut.code).toBe('LOCK_TIMEOUT');
    // lock_timeout was put back
    expect((await b.query("SELECT current_setting('lock_timeout')", [])).rows).toEqual([['0']]);
    // released explicitly → available
    await releaseA();
    const releaseB = await b.lock(1000);
    await releaseB();

    const again = await a.lock(1000);
    const waiting = b.lock(10_000);
    await new Promise((r) => setTimeout(r, 200));
    const t1 = Date.now();
    await a.close(); // the lock dies with the session
    const releaseB2 = await waiting;
    expect(Date.now() - t1).toBeLessThan(3000);
    await again(); // no-op on a closed driver
    const holders = await b.query(
      "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = ($1::bigint & 4294967295)",
      [POSTGRES_LOCK_KEY],
    );
    expect(holders.rows).toEqual([[1]]);
    await releaseB2();
  });

  it('a connection dropped mid-statement is a clear error, not a hang', () =>
    expectDroppedConnectionFailsClearly('postgres'));
});

// ---------------------------------------------------------------------------------------------------------------------

describe('MySQL driver (MariaDB)', () => {
  it('connects, reports its engine, masks the password in target', async () => {
    const d = await myDriver();
    expect(d.engine).toBe('mysql');
    expect(d.transactionalDdl).toBe(false);
    const u = new URL(myUrl);
    expect(d.target).toBe(`mysql://moonwalk:***@127.0.0.1:${u.port}${u.pathname}`);
  });

  it('maps values out of the server and in', async () => {
    const d = await myDriver();
    await d.exec(`CREATE TABLE vals (
      id INT AUTO_INCREMENT PRIMARY KEY, ti TINYINT, si SMALLINT, i INT, bi BIGINT, ubi BIGINT UNSIGNED, fl FLOAT, db DOUBLE,
      de DECIMAL(10,2), d DATE, dt DATETIME, ts TIMESTAMP NULL, tm TIME, y YEAR, c CHAR(3), vc VARCHAR(20), tx TEXT,
      bl BLOB, vb VARBINARY(10), bt BIT(12), js JSON, en ENUM('x','y'), bo BOOLEAN)`);
    const res = await d.execute(
      'INSERT INTO vals (ti, si, i, bi, ubi, fl, db, de, d, dt, ts, tm, y, c, vc, tx, bl, vb, bt, js, en, bo) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        -1,
        300,
        70000,
        2n ** 60n + 1n,
        18446744073709551615n,
        1.5,
        0.1,
        '12.50',
        '2024-01-02',
        '2024-01-02 03:04:05',
        '2024-01-02 03:04:05',
        '12:34:56',
        2024,
        'abc',
        'it\'s \\ "x" ?',
        'héllo',
        new Uint8Array([0, 1, 255]),
        new Uint8Array([0xde, 0xad]),
        0xabc,
        '{"a": 1}',
        'y',
        true,
      ],
    );
    expect(res).toEqual({ rowsAffected: 1, lastInsertId: 1 });
    const r = await d.query('SELECT * FROM vals', []);
    expect(r.columns).toEqual([
      'id',
      'ti',
      'si',
      'i',
      'bi',
      'ubi',
      'fl',
      'db',
      'de',
      'd',
      'dt',
      'ts',
      'tm',
      'y',
      'c',
      'vc',
      'tx',
      'bl',
      'vb',
      'bt',
      'js',
      'en',
      'bo',
    ]);
    expect(r.rows[0]).toEqual([
      1,
      -1,
      300,
      70000,
      2n ** 60n + 1n,
      18446744073709551615n,
      1.5,
      0.1,
      '12.50',
      '2024-01-02',
      '2024-01-02 03:04:05',
      '2024-01-02 03:04:05',
      '12:34:56',
      2024,
      'abc',
      'it\'s \\ "x" ?',
      'héllo',
      new Uint8Array([0, 1, 255]),
      new Uint8Array([0xde, 0xad]),
      0xabc,
      '{"a": 1}',
      'y',
      1,
    ]);
    expect(r.rows[0][17]).toBeInstanceOf(Uint8Array);
    const nulls = await d.query('SELECT NULL AS n, CAST(42 AS SIGNED) AS s, ? AS p, ? AS q', [null, false]);
    expect(nulls).toEqual({ columns: ['n', 's', 'p', 'q'], rows: [[null, 42, null, 0]] });
  });

  it('leaves ? alone inside strings, identifiers and comments; checks the parameter count', async () => {
    const d = await myDriver();
    const r = await d.query('SELECT \'what?\' AS `a?`, "why?" AS b, /* ? */ ? AS c -- ?\n, ? AS d # ?\n', ['x', 2]);
    expect(r).toEqual({ columns: ['a?', 'b', 'c', 'd'], rows: [['what?', 'why?', 'x', 2]] });
    await expect(Promise.resolve(d.query('SELECT ?, ?', [1]))).rejects.toThrow(/more \? placeholders/);
    await expect(Promise.resolve(d.query('SELECT ?', [1, 2]))).rejects.toThrow(/1 \? placeholder\(s\) but 2 parameter/);
  });

  it('execute, multi-statement, prepare', async () => {
    const d = await myDriver();
    await d.exec('CREATE TABLE people (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) UNIQUE NOT NULL)');
    expect(await d.execute("INSERT INTO people (name) VALUES ('ann'), ('bob')", [])).toEqual({
      rowsAffected: 2,
      lastInsertId: 1,
    });
    expect(
      await d.execute(
        "INSERT INTO people (name) VALUES ('cat'); UPDATE people SET name = CONCAT(name, '!') WHERE id < 3",
        [],
      ),
    ).toEqual({
      rowsAffected: 3,
      lastInsertId: 3,
    });
    const multi = await d.query('SELECT 1 AS one; SELECT 2 AS two, 3 AS three', []);
    expect(multi).toEqual({ columns: ['two', 'three'], rows: [[2, 3]] });

    const ins = await d.prepare('INSERT INTO people (name) VALUES (?)');
    expect(await ins.execute(['dan'])).toEqual({ rowsAffected: 1, lastInsertId: 4 });
    expect(await ins.execute(['eve'])).toEqual({ rowsAffected: 1, lastInsertId: 5 });
    await ins.close();
    const sel = await d.prepare('SELECT name FROM people WHERE id > ? ORDER BY id');
    expect((await sel.query([3])).rows).toEqual([['dan'], ['eve']]);
    await sel.close();

    const missing = await expectReject(Promise.resolve(d.prepare('SELECT * FROM no_such_table WHERE a = ?')));
    expect(missing.code).toBe('ER_NO_SUCH_TABLE');
    expect(missing.message).toMatch(/^Table '\w+\.no_such_table' doesn't exist$/);
    const syntax = await expectReject(Promise.resolve(d.prepare('SELEC 1')));
    expect(syntax.code).toBe('ER_PARSE_ERROR');
  });

  it('transactions and savepoints; DDL commits implicitly', async () => {
    const d = await myDriver();
    await d.exec('CREATE TABLE t (a VARCHAR(10) PRIMARY KEY)');
    await d.begin();
    await d.execute('INSERT INTO t VALUES (?)', ['a']);
    await d.exec('SAVEPOINT s1');
    const dup = await expectReject(Promise.resolve(d.execute('INSERT INTO t VALUES (?)', ['a'])));
    expect(dup.code).toBe('ER_DUP_ENTRY');
    expect(dup.message).toBe("Duplicate entry 'a' for key 'PRIMARY'");
    expect((dup as { errno?: number }).errno).toBe(1062);
    await d.exec('ROLLBACK TO SAVEPOINT s1');
    await d.execute('INSERT INTO t VALUES (?)', ['b']);
    await d.rollback();
    expect((await d.query('SELECT count(*) FROM t', [])).rows).toEqual([[0]]);

    // MySQL/MariaDB: CREATE TABLE commits the open transaction (and what came before it). begin() turns autocommit
    // off, so what follows runs in a new implicit transaction that the rollback still undoes.
    await d.begin();
    await d.execute('INSERT INTO t VALUES (?)', ['before_ddl']);
    await d.exec('CREATE TABLE implicit_commit (a INT)');
    await d.execute('INSERT INTO t VALUES (?)', ['after_ddl']);
    await d.rollback();
    expect((await d.query('SELECT a FROM t ORDER BY a', [])).rows).toEqual([['before_ddl']]);
    // commit() and rollback() turn autocommit back on: a statement outside begin() commits at once.
    expect((await d.query('SELECT @@autocommit', [])).rows).toEqual([[1]]);
    expect(
      (
        await d.query(
          "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'implicit_commit'",
          [],
        )
      ).rows,
    ).toEqual([[1]]);
  });

  it('a server that is down or silent fails within the timeout, naming host:port and database, never the password', async () => {
    const down = await expectUnreachableFailsClearly(openMysql, 'mysql');
    expect(down.code).toBe('ECONNREFUSED');

    const wrongPassword = await expectReject(openMysql(withPassword(myUrl, SECRET), TIMEOUT));
    expect(wrongPassword.message).toMatch(/Access denied for user 'moonwalk'/);
    expect(wrongPassword.message).not.toContain(SECRET);
    expect(wrongPassword.code).toBe('ER_ACCESS_DENIED_ERROR');

    // ssl-mode: the test server has no TLS; PREFERRED (the default) falls back, REQUIRED refuses
    await myDriver(myUrl + '?ssl-mode=PREFERRED');
    const req = await expectReject(openMysql(myUrl + '?ssl-mode=REQUIRED', TIMEOUT));
    expect(req.message).toMatch(/could not connect to MySQL at 127\.0\.0\.1:\d+ .*does not support secure connection/);
  });

  it('lock: a second runner waits, times out with a clear message, and gets the lock once the first connection closes', async () => {
    const a = await myDriver();
    const b = await myDriver();
    const releaseA = await a.lock(1000);
    const t0 = Date.now();
    const timedOut = await expectReject(b.lock(1000));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(timedOut.message).toMatch(
      /^another moonwalk run holds the lock on mysql:\/\/moonwalk:\*\*\*@127\.0\.0\.1:\d+\/\w+; waited 1\.\d s \(held by connection \d+\)$/,
    );
    expect(timedOut.code).toBe('LOCK_TIMEOUT');
    await releaseA();
    const releaseB = await b.lock(1000);
    await releaseB();

    // a run on another database of the same server is not blocked
    const other = await myDriver(await scratchDatabase(myServer, 'drivers_other'));
    const held = await a.lock(1000);
    const releaseOther = await other.lock(0);
    await releaseOther();

    const waiting = b.lock(10_000);
    await new Promise((r) => setTimeout(r, 200));
    const t1 = Date.now();
    await a.close();
    const releaseB2 = await waiting;
    expect(Date.now() - t1).toBeLessThan(3000);
    await held();
    await releaseB2();
  });

  it('a connection dropped mid-statement is a clear error, not a hang', () =>
    expectDroppedConnectionFailsClearly('mysql'));
});

// ---------------------------------------------------------------------------------------------------------------------

describe('a server that dies under a driver', () => {
  let pgOwn: ManagedServer;
  let myOwn: ManagedServer;
  beforeAll(async () => {
    [pgOwn, myOwn] = await Promise.all([startPostgres(), startMariadb()]);
  });
  afterAll(async () => {
    await Promise.all([pgOwn?.stop(), myOwn?.stop()]);
  });

  it('PostgreSQL killed: the running statement fails fast, later calls fail, a restart serves a new driver', async () => {
    const d = await pgDriver(pgOwn.url);
    const running = expectReject(Promise.resolve(d.query('SELECT pg_sleep(30)', [])));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await pgOwn.kill();
    const err = await running;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.name).toBe('ConnectionError');
    expect(err.message).toMatch(/lost the connection to postgres:\/\/moonwalk:\*\*\*@127\.0\.0\.1/);
    await expect(Promise.resolve(d.query('SELECT 1', []))).rejects.toThrow(/lost the connection/);
    await pgOwn.restart();
    const d2 = await pgDriver(pgOwn.url);
    expect((await d2.query('SELECT 1 AS ok', [])).rows).toEqual([[1]]);
  });

  it('MariaDB killed: the running statement fails fast, later calls fail', async () => {
    const d = await myDriver(myOwn.url);
    const running = expectReject(Promise.resolve(d.query('SELECT SLEEP(30)', [])));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await myOwn.kill();
    const err = await running;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.name).toBe('ConnectionError');
    expect(err.message).toMatch(/lost the connection to mysql:\/\/moonwalk:\*\*\*@127\.0\.0\.1/);
    await expect(Promise.resolve(d.query('SELECT 1', []))).rejects.toThrow(/lost the connection/);
  });
});
