/**
 * A database the runner can no longer talk to (issue 11's neighbour): a driver its owner closed, or a connection the
 * server ended. Every runner method (status, up, down, redo, verify) answers a connection failure (code `engine`,
 * phase `connect`, the target named) instead of an `internal` fault; the command exits 2 with it, as for a database
 * that cannot be reached (DESIGN §5). On sql.js, better-sqlite3, PGlite and the real PostgreSQL and MariaDB servers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver, SqlValue } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { verifyMigrations } from '../../src/core/verify.ts';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { POSTGRES_LOCK_KEY } from '../../src/drivers/postgres/lock.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { scratchDatabase, useServer } from '../harness/global-servers.ts';
import { ensureCliBuilt, json, startCli, writeMigrations } from '../helpers/cli-process.ts';
import { column } from '../helpers/db-inspect.ts';
import { migration, smallHost } from '../helpers/migration.ts';

const TMP = mkdtempSync(join(tmpdir(), 'moonwalk-closed-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const FILES = migrationFiles([
  {
    name: '0001_t.lua',
    text: migration('assert(db:execute("CREATE TABLE t (x INT)"))', { down: 'assert(db:execute("DROP TABLE t"))' }),
  },
]);

const serverUrl = async (engine: 'postgres' | 'mysql') => scratchDatabase(await useServer(engine), 'closed');
const OPENERS: Array<[string, () => Promise<Driver>]> = [
  ['sql.js', () => openSqlJs()],
  ['better-sqlite3 file', async () => openSqliteFile(join(TMP, 'closed.sqlite'))],
  ['PGlite', () => openPglite()],
  ['PostgreSQL server', async () => openDatabase(await serverUrl('postgres'), { connectTimeoutMs: 5000 })],
  ['MariaDB server', async () => openDatabase(await serverUrl('mysql'), { connectTimeoutMs: 5000 })],
];

describe.each(OPENERS)('%s closed by its owner', (_label, open) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await open();
    // Something applied, so that down and redo have work to try.
    const migrator = new Migrator({ driver, files: FILES, host: smallHost() });
    expect((await migrator.up()).error).toBeNull();
    migrator.dispose();
    await driver.close();
  });

  test('status, up, down, redo and verify answer a connection failure naming the database', async () => {
    const migrator = new Migrator({ driver, files: FILES, host: smallHost() });
    const closed = {
      code: 'engine',
      migration: null,
      phase: 'connect',
      message: expect.stringMatching(new RegExp(`the connection to ${escape(driver.target)} is closed`)),
    };
    expect((await migrator.status()).error).toEqual(closed);
    for (const result of [await migrator.up(), await migrator.down(), await migrator.redo()]) {
      expect(result).toEqual({ ok: false, results: [], error: closed });
    }
    expect((await migrator.up({ dryRun: true })).error).toMatchObject({
      phase: driver.transactionalDdl ? 'connect' : 'check',
    });
    const verified = await verifyMigrations({ driver, files: FILES, host: smallHost() });
    expect(verified).toEqual({ ok: false, migrations: [], error: closed });
    migrator.dispose();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a connection the server ends', () => {
  test('PostgreSQL: a session terminated by the server is a connection failure for the runner', async () => {
    const server = await useServer('postgres');
    const url = await scratchDatabase(server, 'terminated');
    const driver = await openDatabase(url, { connectTimeoutMs: 5000 });
    const admin = await openDatabase(server.adminUrl!, { connectTimeoutMs: 5000 });
    try {
      const [pid] = await column(driver, 'SELECT pg_backend_pid()');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const migrator = new Migrator({ driver, files: FILES, host: smallHost() });
      const result = await migrator.up();
      expect(result.results).toEqual([]);
      expect(result.error).toMatchObject({ code: 'engine', migration: null, phase: 'connect' });
      expect(result.error?.message).toMatch(
        /lost the connection to .*terminating connection due to administrator command/,
      );
      migrator.dispose();
    } finally {
      await driver.close();
      await admin.close();
    }
  });

  test('moonwalk up waiting for the run lock when the server ends its session: exit 2, phase connect', async () => {
    ensureCliBuilt();
    const server = await useServer('postgres');
    const url = await scratchDatabase(server, 'terminated_cli');
    const holder = await openDatabase(url, { connectTimeoutMs: 5000 });
    const admin = await openDatabase(server.adminUrl!, { connectTimeoutMs: 5000 });
    const dir = writeMigrations(join(TMP, 'cli'), { '0001_t.lua': FILES[0].source });
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [POSTGRES_LOCK_KEY.toString()]);
      const run = startCli(['up', '--db', url, '--dir', dir, '--json', '--lock-timeout', '60']);
      // The runner's session waits on the advisory lock: the server ends it.
      let waiting: SqlValue[] = [];
      for (let i = 0; i < 600 && waiting.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        waiting = await column(
          admin,
          "SELECT pid FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = $1",
          [new URL(url).pathname.slice(1)],
        );
      }
      expect(waiting.length).toBe(1);
      await admin.query('SELECT pg_terminate_backend($1)', [waiting[0]]);
      const outcome = await run.done;
      expect(outcome.code).toBe(2);
      expect(json(outcome)).toMatchObject({
        ok: false,
        results: [],
        error: { migration: null, phase: 'connect', message: expect.stringMatching(/lost the connection to /) },
      });
      expect(outcome.stderr).not.toMatch(/TypeError|undefined|\[object Object\]|ERR_/);
      expect(
        await column(holder, "SELECT count(*)::int FROM information_schema.tables WHERE table_name = 't'"),
      ).toEqual([0]);
    } finally {
      await holder.close();
      await admin.close();
    }
  });
});
