/**
 * The runner against real PostgreSQL and MariaDB servers (the run-wide ones of test/harness/global-servers.ts):
 * the guide's examples up and down on both, MySQL's partial application, `?schema=`, a server that is down, a
 * connection dropped mid-run, and `schema` / `lint`. The CLI runs as a child process (`node bin/moonwalk.js`).
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { readMigrationsDir } from '../../src/lib/migrations-dir.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { freePort } from '../harness/servers.ts';
import { migration } from '../helpers/migration.ts';
import {
  ensureCliBuilt,
  column,
  columns,
  indexes,
  json,
  ledgerIds,
  rows,
  runCli,
  startCli,
  tables,
  writeMigrations,
  type CliOutcome,
  type CliRun,
} from '../helpers/cli-process.ts';
import { GUIDE, GUIDE_IDS } from '../helpers/guide.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-servers-runner-'));

let pgServer: TestServer;
let myServer: TestServer;
const drivers: Driver[] = [];

async function open(url: string): Promise<Driver> {
  const driver = await openDatabase(url, { connectTimeoutMs: 5000 });
  drivers.push(driver);
  return driver;
}

beforeAll(async () => {
  ensureCliBuilt();
  [pgServer, myServer] = await Promise.all([useServer('postgres'), useServer('mysql')]);
});

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close().catch(() => {})));
  await Promise.all([pgServer?.stop(), myServer?.stop()]);
  fs.rmSync(TMP, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------------

describe.each(['postgres', 'mysql'] as const)("the guide's examples on a real %s server", (engine) => {
  let url: string;
  let driver: Driver;
  const host = new LuaHost();
  beforeAll(async () => {
    url = await scratchDatabase(engine === 'postgres' ? pgServer : myServer, `guide_${engine}`);
    driver = await open(url);
  });

  test('the main sequence: up applies every example, down --all undoes all of it', async () => {
    const files = await readMigrationsDir(GUIDE);
    expect(files.map((f) => f.id)).toEqual(GUIDE_IDS);
    const m = new Migrator({ driver, files, host });
    const up = await m.up();
    expect(up.error).toBeNull();
    if (engine === 'mysql') {
      expect(up.results.map((r) => r.status)).toEqual(Array(11).fill('applied'));
    } else {
      // The template's postgres block is empty: skipped, left pending.
      expect(up.results[0]).toMatchObject({ id: '0001_example_template', status: 'skipped' });
      expect(up.results.slice(1).map((r) => r.status)).toEqual(Array(10).fill('applied'));
    }
    expect(await tables(driver)).toEqual(
      engine === 'mysql' ? ['example', 'products', 'roles', 'users'] : ['products', 'roles', 'users'],
    );
    expect(await columns(driver, 'users')).toEqual(['id', 'name', 'age', 'created_at', 'email']);
    expect(await columns(driver, 'products')).toEqual(['id', 'name', 'price', 'created_at', 'description']);
    expect(await indexes(driver)).toEqual(['idx_products_name']);
    expect(await rows(driver, 'SELECT name FROM roles ORDER BY id')).toEqual([
      { name: 'admin' },
      { name: 'user' },
      { name: 'guest' },
    ]);
    expect(await rows(driver, 'SELECT id, name, email, age FROM users ORDER BY id')).toEqual([
      { id: 1, name: 'Alice', email: 'alice@example.com', age: null },
      { id: 2, name: 'Bob', email: 'bob@example.com', age: null },
      { id: 3, name: 'Charlie', email: 'charlie@example.com', age: null },
      { id: 4, name: 'John', email: null, age: null },
      { id: 5, name: 'John', email: 'john@example.com', age: 30 },
    ]);
    const [{ lo, hi }] = await rows(driver, 'SELECT min(created_at) AS lo, max(created_at) AS hi FROM users');
    const now = Math.floor(Date.now() / 1000);
    expect(Number(lo)).toBeGreaterThan(now - 600);
    expect(Number(hi)).toBeLessThanOrEqual(now + 5);
    const applied = engine === 'mysql' ? GUIDE_IDS : GUIDE_IDS.slice(1);
    expect(await ledgerIds(driver)).toEqual(applied);
    const status = await m.status();
    expect(status.engine).toBe(engine);
    expect(status.migrations.map((s) => s.status)).toEqual(
      engine === 'mysql' ? Array(11).fill('applied') : ['pending', ...Array(10).fill('applied')],
    );
    expect(status.migrations[1].applied_at).toMatch(/^\d{4}-\d\d-\d\d/);

    const again = await m.up();
    expect(again.ok).toBe(true);
    expect(again.results.filter((r) => r.status !== 'skipped')).toEqual([]);

    const down = await m.down({ all: true });
    expect(down.error).toBeNull();
    expect(down.results.map((r) => r.id)).toEqual([...applied].reverse());
    expect(down.results.every((r) => r.status === 'reverted')).toBe(true);
    expect(await tables(driver)).toEqual([]);
    expect(await indexes(driver)).toEqual([]);
    expect(await ledgerIds(driver)).toEqual([]);
    m.dispose();
  });

  test.each(['transaction-safety', 'error-handling', 'table-rebuild'])('%s: up, then down --all', async (folder) => {
    const files = await readMigrationsDir(path.join(GUIDE, folder));
    const m = new Migrator({ driver, files, host });
    const up = await m.up();
    expect(up.error).toBeNull();
    expect(up.results.every((r) => r.status === 'applied')).toBe(true);
    expect(await tables(driver)).toEqual(['users']);
    expect(await ledgerIds(driver)).toEqual(files.map((f) => f.id));
    if (folder === 'table-rebuild')
      expect(await columns(driver, 'users')).toEqual(['id', 'name', 'email', 'created_at']);
    if (folder === 'transaction-safety') expect(await indexes(driver)).toEqual(['idx_user_email']);
    const down = await m.down({ all: true });
    expect(down.error).toBeNull();
    expect(await tables(driver)).toEqual([]);
    expect(await ledgerIds(driver)).toEqual([]);
    m.dispose();
  });

  test("the CLI runs the guide's folder up and down --all (exit 0, JSON)", async () => {
    const up = await runCli(['up', '--json', '--db', url, '--dir', GUIDE]);
    expect(up.code, up.stderr).toBe(0);
    const doc = json(up);
    expect(doc.ok).toBe(true);
    expect(doc.results.filter((r: { status: string }) => r.status === 'applied')).toHaveLength(
      engine === 'mysql' ? 11 : 10,
    );
    const down = await runCli(['down', '--all', '--json', '--db', url, '--dir', GUIDE]);
    expect(down.code, down.stderr).toBe(0);
    expect(json(down).results).toHaveLength(engine === 'mysql' ? 11 : 10);
    expect(await tables(driver)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('MySQL (MariaDB): DDL commits implicitly, and the runner says so', () => {
  const lua = (up: string, extra: { after?: string; down?: string } = {}) => {
    const text = migration(up, { engines: ['mysql'], down: extra.down });
    if (!extra.after) return text;
    return text.replace(
      '      end)\n    end\n  end)',
      `        after(function(db)\n${extra.after}\n        end)\n      end)\n    end\n  end)`,
    );
  };
  const audit = lua('    assert(db:execute("CREATE TABLE audit (note VARCHAR(50))"))', {
    down: '    assert(db:execute("DROP TABLE audit"))',
  });

  test('a migration that creates a table then fails: the CREATE (and what came before) is reported committed, the rest is rolled back, nothing recorded', async () => {
    const url = await scratchDatabase(myServer, 'partial');
    const dir = writeMigrations(path.join(TMP, 'partial'), {
      '0001_audit.lua': audit,
      '0002_partial.lua': lua(
        [
          '    assert(db:execute("INSERT INTO audit (note) VALUES (?)", {"before"}))',
          '    assert(db:execute("CREATE TABLE partial_t (id INT)"))',
          '    assert(db:execute("INSERT INTO partial_t (id) VALUES (1)"))',
          '    assert(db:execute("INSERT INTO audit (note) VALUES (?)", {"after"}))',
          '    error("boom after the table")',
        ].join('\n'),
      ),
    });
    const up = await runCli(['up', '--json', '--db', url, '--dir', dir]);
    expect(up.code).toBe(1);
    const doc = json(up);
    expect(doc.ok).toBe(false);
    expect(doc.results.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      ['0001_audit', 'applied'],
      ['0002_partial', 'failed'],
    ]);
    expect(doc.error).toMatchObject({ migration: '0002_partial', phase: 'up' });
    // The JSON error has the contract's keys only: the committed statements are named in the message, in order.
    expect(doc.error.message).toMatch(
      new RegExp(
        '^boom after the table — partially applied: these statements committed ' +
          'before the failure and were not rolled back \\(mysql commits DDL implicitly[^)]*\\): ' +
          'INSERT INTO audit \\(note\\) VALUES \\(\\?\\); CREATE TABLE partial_t \\(id INT\\)\\. ' +
          '0002_partial is not recorded as applied \\(status shows it pending\\): undo them by hand',
      ),
    );
    expect(doc.error.message).not.toContain('INSERT INTO partial_t');

    const driver = await open(url);
    // What ran after the implicit commit was rolled back (autocommit is off inside a migration).
    expect(await tables(driver)).toEqual(['audit', 'partial_t']);
    expect(await column(driver, 'SELECT count(*) FROM partial_t')).toEqual([0]);
    expect(await column(driver, 'SELECT note FROM audit')).toEqual(['before']);
    expect(await ledgerIds(driver)).toEqual(['0001_audit']);
    const status = await runCli(['status', '--json', '--db', url, '--dir', dir]);
    expect(status.code).toBe(0);
    expect(json(status).migrations.map((m: { id: string; status: string }) => [m.id, m.status])).toEqual([
      ['0001_audit', 'applied'],
      ['0002_partial', 'pending'],
    ]);

    // The human form says the same on stderr.
    await driver.exec('DROP TABLE partial_t');
    await driver.exec('DELETE FROM audit');
    const human = await runCli(['up', '--db', url, '--dir', dir]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/0002_partial.*boom after the table — partially applied: these statements committed/s);
    expect(human.stderr).toContain('CREATE TABLE partial_t (id INT)');
  });

  test('a failure in `after` after DDL there: the ledger row that DDL committed is deleted again', async () => {
    const url = await scratchDatabase(myServer, 'partial_after');
    const dir = writeMigrations(path.join(TMP, 'partial-after'), {
      '0001_audit.lua': audit,
      '0002_after.lua': lua('    assert(db:execute("INSERT INTO audit (note) VALUES (\'up\')"))', {
        after: '    assert(db:execute("CREATE TABLE after_t (id INT)"))\n    error("after boom")',
      }),
    });
    const doc = json(await runCli(['up', '--json', '--db', url, '--dir', dir]));
    expect(doc.error).toMatchObject({ migration: '0002_after', phase: 'after' });
    expect(doc.error.message).toMatch(/^after hook failed: .*after boom — partially applied/);
    expect(doc.error.message).toContain(
      ": INSERT INTO audit (note) VALUES ('up'); CREATE TABLE after_t (id INT). 0002_after is not recorded",
    );
    const driver = await open(url);
    expect(await ledgerIds(driver)).toEqual(['0001_audit']);
    expect(await column(driver, 'SELECT note FROM audit')).toEqual(['up']);
  });

  test('a down that drops a table then fails: "partially reverted", the migration stays recorded as applied', async () => {
    const url = await scratchDatabase(myServer, 'partial_down');
    const dir = writeMigrations(path.join(TMP, 'partial-down'), {
      '0001_two_tables.lua': lua(
        '    assert(db:execute("CREATE TABLE a1 (id INT)"))\n    assert(db:execute("CREATE TABLE a2 (id INT)"))',
        {
          down: '    assert(db:execute("DROP TABLE a2"))\n    error("down boom")',
        },
      ),
    });
    expect((await runCli(['up', '--db', url, '--dir', dir])).code).toBe(0);
    const out = await runCli(['down', '--json', '--db', url, '--dir', dir]);
    expect(out.code).toBe(1);
    const doc = json(out);
    expect(doc.error).toMatchObject({ migration: '0001_two_tables', phase: 'down' });
    expect(doc.error.message).toContain('down boom — partially reverted: these statements committed');
    expect(doc.error.message).toContain(': DROP TABLE a2. 0001_two_tables is still recorded as applied');
    const driver = await open(url);
    expect(await tables(driver)).toEqual(['a1']);
    expect(await ledgerIds(driver)).toEqual(['0001_two_tables']);
  });

  test('a failure with no DDL run is rolled back whole: no partial report', async () => {
    const url = await scratchDatabase(myServer, 'whole');
    const dir = writeMigrations(path.join(TMP, 'whole'), {
      '0001_audit.lua': audit,
      '0002_dml.lua': lua(
        '    assert(db:execute("INSERT INTO audit (note) VALUES (\'x\')"))\n    assert(db:execute("INSERT INTO nope VALUES (1)"))',
      ),
    });
    const doc = json(await runCli(['up', '--json', '--db', url, '--dir', dir]));
    expect(doc.error).toMatchObject({ migration: '0002_dml', phase: 'up' });
    expect(doc.error.message).not.toMatch(/partially|Committed/);
    const driver = await open(url);
    expect(await column(driver, 'SELECT count(*) FROM audit')).toEqual([0]);
    expect(await ledgerIds(driver)).toEqual(['0001_audit']);
  });

  test('--single-transaction and --dry-run are refused (exit 2), nothing changes', async () => {
    const url = await scratchDatabase(myServer, 'refused');
    const dir = writeMigrations(path.join(TMP, 'refused'), { '0001_audit.lua': audit });
    for (const flag of ['--single-transaction', '--dry-run']) {
      const out = await runCli(['up', flag, '--json', '--db', url, '--dir', dir]);
      expect(out.code).toBe(2);
      expect(json(out).error.message).toMatch(new RegExp(`${flag} is refused on mysql`));
    }
    expect(await tables(await open(url))).toEqual([]);
  });

  test('a long-lived connection sees what another runner applied (autocommit is back on after each migration)', async () => {
    const url = await scratchDatabase(myServer, 'fresh');
    const dir = writeMigrations(path.join(TMP, 'fresh'), {
      '0001_audit.lua': audit,
      '0002_more.lua': lua('    assert(db:execute("INSERT INTO audit (note) VALUES (?)", {"more"}))'),
    });
    const files = await readMigrationsDir(dir);
    const driver = await open(url);
    const m = new Migrator({ driver, files });
    expect((await m.up({ step: 1 })).ok).toBe(true);
    expect((await m.status()).migrations.map((s) => s.status)).toEqual(['applied', 'pending']);
    expect((await runCli(['up', '--db', url, '--dir', dir])).code).toBe(0);
    expect((await m.status()).migrations.map((s) => s.status)).toEqual(['applied', 'applied']);
    expect(await column(driver, 'SELECT note FROM audit')).toEqual(['more']);
    m.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('PostgreSQL ?schema=', () => {
  test('the ledger and the tables land in that schema; status, schema and down use it', async () => {
    const url = await scratchDatabase(pgServer, 'schema_param');
    const admin = await open(url);
    await admin.exec('CREATE SCHEMA app');
    const inApp = `${url}?schema=app`;
    const up = await runCli(['up', '--json', '--db', inApp, '--dir', GUIDE]);
    expect(up.code, up.stderr).toBe(0);
    const where = await rows(
      admin,
      "SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('public', 'app') ORDER BY 1, 2",
    );
    expect(where).toEqual(['_migrations', 'products', 'roles', 'users'].map((t) => ({ s: 'app', t })));
    expect(await column(admin, 'SELECT count(*) FROM app._migrations')).toEqual([10]);

    const inPublic = json(await runCli(['status', '--json', '--db', url, '--dir', GUIDE]));
    expect(inPublic.migrations.every((m: { status: string }) => m.status === 'pending')).toBe(true);
    const inAppStatus = json(await runCli(['status', '--json', '--db', inApp, '--dir', GUIDE]));
    expect(inAppStatus.migrations.filter((m: { status: string }) => m.status === 'applied')).toHaveLength(10);

    const schema = await runCli(['schema', '--json', '--db', inApp, '--dir', GUIDE]);
    expect(schema.code, schema.stderr).toBe(0);
    const snapshot = json(schema);
    expect(snapshot.engine).toBe('postgres');
    expect(snapshot.tables.map((t: { name: string }) => t.name)).toEqual(['products', 'roles', 'users']);
    expect(snapshot.tables.find((t: { name: string }) => t.name === 'users').rows).toBe(5);

    const down = await runCli(['down', '--all', '--json', '--db', inApp, '--dir', GUIDE]);
    expect(down.code, down.stderr).toBe(0);
    expect(await column(admin, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'app'")).toEqual([
      '_migrations',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('a server that cannot be reached', () => {
  const PASSWORD = 'Sup3r-Secret-pw';

  /** Accepts connections and never answers: a hung server. */
  async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const srv = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return {
      port: (srv.address() as net.AddressInfo).port,
      close: () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          srv.close(() => r());
        }),
    };
  }

  test.each(['postgres', 'mysql'])(
    '%s: down or silent → exit 2 within --connect-timeout, host:port named, no password',
    async (scheme) => {
      const dir = writeMigrations(path.join(TMP, `unreachable-${scheme}`), {});
      const refused = await freePort();
      const silent = await silentServer();
      try {
        for (const [port, timeout] of [
          [refused, 2],
          [silent.port, 1],
        ] as const) {
          const url = `${scheme}://moonwalk:${PASSWORD}@127.0.0.1:${port}/app`;
          for (const args of [['status'], ['up', '--json']]) {
            const out = await runCli([...args, '--db', url, '--dir', dir, '--connect-timeout', String(timeout)]);
            const seen = JSON.stringify(out);
            expect(out.code, seen).toBe(2);
            // The connect timeout, plus the start of a Node process on a busy machine.
            expect(out.ms, seen).toBeLessThan(timeout * 1000 + 6000);
            expect(out.stderr, seen).toContain(`127.0.0.1:${port}`);
            expect(out.stderr + out.stdout).not.toContain(PASSWORD);
            if (args.includes('--json')) expect(json(out).error).toMatchObject({ phase: 'connect' });
          }
        }
      } finally {
        await silent.close();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------------

describe('a connection dropped mid-run', () => {
  const files = (sleep: string) => ({
    '0001_first.lua': migration('    assert(db:execute("CREATE TABLE first_t (id INT)"))', {
      engines: ['postgres', 'mysql'],
    }),
    '0002_sleeps.lua': migration(
      ['    assert(db:execute("CREATE TABLE dropped_t (id INT)"))', `    assert(db:query("${sleep}"))`].join('\n'),
      { engines: ['postgres', 'mysql'] },
    ),
  });

  /** Polls until `probe` finds something; fails at once, with its output, when the runner ended first. */
  async function waitFor<T>(
    what: string,
    run: CliRun,
    probe: () => Promise<T | null | undefined>,
    ms = 20_000,
  ): Promise<T> {
    const until = Date.now() + ms;
    let ended: CliOutcome | null = null;
    void run.done.then((out) => (ended = out));
    for (;;) {
      const found = await probe();
      if (found !== null && found !== undefined) return found;
      if (ended) throw new Error(`the runner ended before ${what} was seen: ${JSON.stringify(ended)}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('PostgreSQL: pg_terminate_backend while a migration sleeps → a clear error, exit 1, the migration not recorded', async () => {
    const url = await scratchDatabase(pgServer, 'dropped');
    const database = new URL(url).pathname.slice(1);
    const dir = writeMigrations(path.join(TMP, 'dropped-pg'), files('SELECT pg_sleep(30)'));
    const run = startCli(['up', '--json', '--db', url, '--dir', dir]);
    const admin = new pg.Client({ connectionString: pgServer.adminUrl ?? pgServer.url });
    await admin.connect();
    try {
      const pid = await waitFor('the sleeping backend', run, async () => {
        const r = await admin.query(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'",
          [database],
        );
        return r.rows[0]?.pid as number | undefined;
      });
      const t0 = Date.now();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const out = await run.done;
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(out.code, JSON.stringify(out)).toBe(1);
      const doc = json(out);
      expect(doc.results.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
        ['0001_first', 'applied'],
        ['0002_sleeps', 'failed'],
      ]);
      expect(doc.error).toMatchObject({ migration: '0002_sleeps', phase: 'up', sql: 'SELECT pg_sleep(30)' });
      // The server's FATAL message, or the socket closing first.
      expect(doc.error.message).toMatch(
        /lost the connection to postgres:\/\/moonwalk:\*\*\*@127\.0\.0\.1:\d+\/\S+: (terminating connection|Connection terminated)/,
      );
      expect(out.stdout + out.stderr).not.toMatch(/secret/);
    } finally {
      run.child.kill('SIGKILL');
      await admin.end();
    }
    const driver = await open(url);
    expect(await ledgerIds(driver)).toEqual(['0001_first']);
    expect(await tables(driver)).toEqual(['first_t']);
    const status = json(await runCli(['status', '--json', '--db', url, '--dir', dir]));
    expect(status.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'pending']);
  });

  test('MariaDB: KILL while a migration sleeps → a clear error naming the committed CREATE, the migration not recorded', async () => {
    const url = await scratchDatabase(myServer, 'dropped');
    const database = new URL(url).pathname.slice(1);
    const dir = writeMigrations(path.join(TMP, 'dropped-my'), files('SELECT SLEEP(30)'));
    const run = startCli(['up', '--json', '--db', url, '--dir', dir]);
    const admin = await mysql.createConnection({ uri: myServer.adminUrl ?? myServer.url });
    try {
      const id = await waitFor('the sleeping connection', run, async () => {
        const [r] = await admin.query(
          "SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'SELECT SLEEP(30)%'",
          [database],
        );
        return (r as Array<{ id: number }>)[0]?.id;
      });
      await admin.query(`KILL ${Number(id)}`);
      const out = await run.done;
      expect(out.code, JSON.stringify(out)).toBe(1);
      const doc = json(out);
      expect(doc.error).toMatchObject({ migration: '0002_sleeps', phase: 'up' });
      expect(doc.error.message).toMatch(/lost the connection to mysql:\/\/moonwalk:\*\*\*@127\.0\.0\.1/);
      expect(doc.error.message).toContain('partially applied: these statements committed');
      expect(doc.error.message).toContain(
        '(mysql commits DDL implicitly, together with everything before it in the transaction): CREATE TABLE dropped_t (id INT). 0002_sleeps is not recorded',
      );
      expect(out.stdout + out.stderr).not.toMatch(/secret/);
    } finally {
      run.child.kill('SIGKILL');
      await admin.end();
    }
    const driver = await open(url);
    expect(await ledgerIds(driver)).toEqual(['0001_first']);
    expect(await tables(driver)).toEqual(['dropped_t', 'first_t']);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('schema and lint', () => {
  test('schema against PostgreSQL and MariaDB: the applied guide, ledger left out', async () => {
    const pgUrl = await scratchDatabase(pgServer, 'schema_cmd');
    expect((await runCli(['up', '--db', pgUrl, '--dir', GUIDE])).code).toBe(0);
    const pgOut = await runCli(['schema', '--json', '--db', pgUrl, '--dir', GUIDE]);
    expect(pgOut.code, pgOut.stderr).toBe(0);
    const snap = json(pgOut);
    expect(snap.tables.map((t: { name: string }) => t.name)).toEqual(['products', 'roles', 'users']);
    expect(snap.tables.find((t: { name: string }) => t.name === 'roles').rows).toBe(3);
    const human = await runCli(['schema', '--db', pgUrl, '--dir', GUIDE]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('users');
    expect(human.stdout).not.toContain('secret');

    const myUrl = await scratchDatabase(myServer, 'schema_cmd');
    expect((await runCli(['up', '--db', myUrl, '--dir', GUIDE])).code).toBe(0);
    const myOut = await runCli(['schema', '--json', '--db', myUrl, '--dir', GUIDE]);
    expect(myOut.code, myOut.stderr).toBe(0);
    expect(json(myOut).tables.map((t: { name: string }) => t.name)).toEqual(['example', 'products', 'roles', 'users']);
  });

  test("lint finds no errors in the guide's files, mysql blocks included", async () => {
    for (const folder of ['', 'transaction-safety', 'error-handling', 'table-rebuild']) {
      const out = await runCli(['lint', '--json', '--dir', path.join(GUIDE, folder)]);
      const doc = json(out);
      expect(
        doc.findings.filter((f: { severity: string }) => f.severity === 'error'),
        folder,
      ).toEqual([]);
      expect(out.code).toBe(0);
    }
  });
});

describe.each(['postgres', 'mysql'] as const)('verify --db against a real %s server', (engine) => {
  test('a clean migration is reversible and ends applied; a down that forgets an index is not (exit 1)', async () => {
    const server = engine === 'postgres' ? pgServer : myServer;
    const url = await scratchDatabase(server, 'verify_cmd');
    const dir = writeMigrations(path.join(TMP, `verify-${engine}`), {
      '0001_widgets.lua': migration(
        '          local _, err = db:execute("CREATE TABLE widgets (id INT PRIMARY KEY, name VARCHAR(50))") if err then error(err) end',
        { down: '          db:execute("DROP TABLE widgets")' },
      ),
      '0002_widgets_name.lua': migration(
        '          local _, err = db:execute("CREATE INDEX idx_widgets_name ON widgets (name)") if err then error(err) end',
        { down: '          -- forgets to drop idx_widgets_name' },
      ),
    });
    const out = await runCli(['verify', '--json', '--db', url, '--dir', dir]);
    expect(out.code, out.stderr).toBe(1);
    const doc = json(out);
    expect(doc.ok).toBe(false);
    const byId = Object.fromEntries(doc.migrations.map((m: { id: string }) => [m.id, m]));
    expect(byId['0001_widgets'].reversible).toBe(true);
    expect(byId['0002_widgets_name'].reversible).toBe(false);
    expect(JSON.stringify(byId['0002_widgets_name'].differences)).toContain('idx_widgets_name');
    expect(out.stdout + out.stderr).not.toContain('secret');
    // The second up of 0002 fails (its index was never dropped), so only the clean migration ends applied.
    expect(byId['0002_widgets_name'].up_again).toBe(false);
    const status = json(await runCli(['status', '--json', '--db', url, '--dir', dir]));
    expect(status.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'pending']);
  });
});
