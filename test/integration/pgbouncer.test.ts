/**
 * Through a real PgBouncer in transaction pooling mode (DESIGN §4): why the advisory lock is not enough there, and
 * the lock table that is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LEASE_MS } from '../../src/drivers/postgres/lease-lock.ts';
import { openPostgres } from '../../src/drivers/postgres/open.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { startPgBouncer, type ManagedServer } from '../harness/servers.ts';
import { migration } from '../helpers/migration.ts';
import {
  ensureCliBuilt,
  inspectDatabase,
  json,
  ledgerIds,
  runCli,
  startCli,
  tables,
  writeMigrations,
} from '../helpers/cli-process.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-pgbouncer-'));

let server: TestServer;
/** Pool of one server connection: every client of a database shares it, as a busy pool ends up doing. */
let bouncer: ManagedServer;
/** Two server connections shared by four runners. */
let sharedPool: ManagedServer;

beforeAll(async () => {
  ensureCliBuilt();
  server = await useServer('postgres');
  [bouncer, sharedPool] = await Promise.all([
    startPgBouncer(server, { poolSize: 1 }),
    startPgBouncer(server, { poolSize: 2 }),
  ]);
});

afterAll(async () => {
  await Promise.all([bouncer?.stop(), sharedPool?.stop()]);
  await server?.stop();
  fs.rmSync(TMP, { recursive: true, force: true });
});

/** `url` (a database on the test server) reached through a pooler instead. */
function pooled(url: string, through: ManagedServer = bouncer): string {
  const u = new URL(url);
  u.port = String(through.port);
  return u.toString();
}

/** Migrations that each create a table and fill it, with a pause in between (so runners overlap and kills land inside). */
function slowMigrations(name: string, count: number, pause: number): string {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const id = `${name}_${String(i).padStart(3, '0')}`;
    files[`${id}.lua`] = migration(
      [
        `    assert(db:execute("CREATE TABLE ${id} (id INTEGER PRIMARY KEY, v TEXT)"))`,
        `    assert(db:query("SELECT pg_sleep(${pause})"))`,
        `    assert(db:execute("INSERT INTO ${id} (id, v) VALUES (?, ?)", {1, "${id}"}))`,
      ].join('\n'),
      { engines: ['postgres'] },
    );
  }
  return writeMigrations(path.join(TMP, name), files);
}

describe('the advisory lock behind transaction pooling', () => {
  test('does not keep a second runner out: both "hold" it at once', async () => {
    const direct = await scratchDatabase(server, 'bouncer_advisory');
    const url = pooled(direct);
    const drivers: Driver[] = [];
    try {
      // Straight to the server, the lock excludes: the second runner is refused.
      const [a, b] = [
        await openPostgres(direct, { connectTimeoutMs: 5000 }),
        await openPostgres(direct, { connectTimeoutMs: 5000 }),
      ];
      drivers.push(a, b);
      const releaseDirect = await a.lock(0);
      await expect(b.lock(0)).rejects.toThrow(/another moonwalk run holds the lock/);
      await releaseDirect();

      // Asked for: through a pooler Moonwalk would choose the lock table by itself.
      const first = await openPostgres(url, { connectTimeoutMs: 5000, lock: 'advisory' });
      const second = await openPostgres(url, { connectTimeoutMs: 5000, lock: 'advisory' });
      drivers.push(first, second);
      await first.lock(0);
      // Straight to the server, the second runner would be refused (pg_try_advisory_lock is false). Through the
      // pooler its statement runs on the server connection whose session took the lock for the first runner, where
      // the lock is reentrant: granted.
      const release = await second.lock(0);
      expect(typeof release).toBe('function');
    } finally {
      await Promise.all(drivers.map((d) => d.close()));
    }
  });
});

describe('the lock table through PgBouncer (transaction pooling)', () => {
  test('is chosen by itself there, and status says so', async () => {
    const direct = await scratchDatabase(server, 'bouncer_status');
    const dir = slowMigrations('st', 1, 0);
    const through = await runCli(['status', '--db', pooled(direct, sharedPool), '--dir', dir]);
    expect(through.code, through.stderr).toBe(0);
    expect(through.stdout).toMatch(
      /run lock: lock table \(connected to port \d+, but the server listens on \d+: a pooler/,
    );
    const straight = await runCli(['status', '--db', direct, '--dir', dir, '--json']);
    expect(json(straight).lock).toBe('advisory');
  });

  test('four runners at once apply each migration exactly once', async () => {
    const direct = await scratchDatabase(server, 'bouncer_four');
    const url = pooled(direct, sharedPool);
    const dir = slowMigrations('four', 8, 0.02);
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => runCli(['up', '--json', '--db', url, '--dir', dir])),
    );
    const applied = outcomes.flatMap((o) => {
      expect(o.code, o.stderr).toBe(0);
      return (json(o).results as { id: string; status: string }[])
        .filter((r) => r.status === 'applied')
        .map((r) => r.id);
    });
    const expected = Array.from({ length: 8 }, (_, i) => `four_${String(i + 1).padStart(3, '0')}`);
    expect(applied.sort()).toEqual(expected);
    const [ids, names, lease] = await inspectDatabase(direct, async (d) => [
      await ledgerIds(d),
      await tables(d),
      (await d.query('SELECT count(*)::int FROM _migrations_lock', [])).rows[0][0],
    ]);
    expect(ids).toEqual(expected);
    expect(names).toEqual([...expected, '_migrations_lock'].sort());
    expect(lease).toBe(0); // released at the end of each run
  });

  test('an expired lease is not taken while its owner is inside a migration (a migration longer than the lease)', async () => {
    const direct = await scratchDatabase(server, 'bouncer_long');
    const url = pooled(direct, sharedPool);
    const [owner, waiter] = [
      await openPostgres(url, { connectTimeoutMs: 5000 }),
      await openPostgres(url, { connectTimeoutMs: 5000 }),
    ];
    try {
      const release = await owner.lock(0);
      await owner.begin();
      await owner.exec('CREATE TABLE long_running (id INTEGER)');
      // As if the migration had run past its lease: the row says expired, the owner's transaction is still open.
      await inspectDatabase(direct, async (d) => {
        await d.exec("UPDATE _migrations_lock SET expires_at = clock_timestamp() - interval '1 second'");
      });
      await expect(waiter.lock(500)).rejects.toThrow(/its lease ran out, but its migration is still running/);
      await owner.commit();
      // The transaction over, the owner neither renewed nor released: the expired lease is free to take.
      const taken = await waiter.lock(2000);
      await taken();
      await release(); // a no-op: the lease is not the owner's any more
    } finally {
      await Promise.all([owner.close(), waiter.close()]);
    }
  });

  test(
    'a runner killed with SIGKILL mid-run keeps the next out until its lease runs out, then the next finishes the run',
    async () => {
      const direct = await scratchDatabase(server, 'bouncer_killed');
      const url = pooled(direct, sharedPool);
      const dir = slowMigrations('killed', 6, 0.3);
      const first = startCli(['up', '--db', url, '--dir', dir], {
        onStdout: (out, child) => {
          if (/^\+ killed_002/m.test(out)) child.kill('SIGKILL');
        },
      });
      const killed = await first.done;
      expect(killed.signal).toBe('SIGKILL');
      const [appliedBefore, lease] = await inspectDatabase(direct, async (d) => [
        await ledgerIds(d),
        (await d.query('SELECT owner FROM _migrations_lock', [])).rows,
      ]);
      expect(appliedBefore).toEqual(['killed_001', 'killed_002']);
      expect(lease).toHaveLength(1); // the dead runner's lease is still there

      // Not yet: the lease has most of its time left.
      const early = await runCli(['up', '--json', '--db', url, '--dir', dir, '--lock-timeout', '1']);
      expect(early.code).toBe(1);
      expect(json(early).error).toMatchObject({ phase: 'lock' });
      expect(json(early).error.message).toMatch(/held by "moonwalk [^"]+" since [^;]+; its lease runs out in \d+ s/);

      // Waiting long enough (the default --lock-timeout, 60 s, is more than the lease): it gets in and finishes.
      const next = await runCli(['up', '--json', '--db', url, '--dir', dir]);
      expect(next.code, next.stderr).toBe(0);
      expect(json(next).results.map((r: { id: string }) => r.id)).toEqual([
        'killed_003',
        'killed_004',
        'killed_005',
        'killed_006',
      ]);
      expect(await inspectDatabase(direct, (d) => ledgerIds(d))).toHaveLength(6);
    },
    LEASE_MS + 60_000,
  );
});

describe('tenant schemas through PgBouncer', () => {
  test('each target keeps its tables, ledger and lease in its own schema; none leaks into another', async () => {
    const direct = await scratchDatabase(server, 'bouncer_tenants');
    await inspectDatabase(direct, async (d) => {
      for (const t of ['t1', 't2', 't3']) await d.exec(`CREATE SCHEMA ${t}`);
    });
    const urls = ['t1', 't2', 't3'].map((t) => {
      const u = new URL(pooled(direct, sharedPool));
      u.searchParams.set('schema', t);
      return u.toString();
    });
    const file = path.join(TMP, 'tenants.txt');
    fs.writeFileSync(file, urls.join('\n') + '\n');
    const dir = slowMigrations('tenant', 3, 0.01);
    const outcome = await runCli(['up', '--targets', file, '--parallel', '3', '--dir', dir, '--json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(json(outcome).targets.map((t: { ok: boolean }) => t.ok)).toEqual([true, true, true]);
    const bySchema = await inspectDatabase(
      direct,
      async (d) =>
        (
          await d.query(
            "SELECT table_schema, string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables " +
              "WHERE table_schema IN ('public', 't1', 't2', 't3') GROUP BY 1 ORDER BY 1",
            [],
          )
        ).rows,
    );
    const expected = '_migrations,_migrations_lock,tenant_001,tenant_002,tenant_003';
    expect(bySchema).toEqual([
      ['t1', expected],
      ['t2', expected],
      ['t3', expected],
    ]);
  });
});
