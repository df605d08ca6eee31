/**
 * `--targets FILE` on the real PostgreSQL server (DESIGN §5): 50 tenant schemas of one database and 10 databases,
 * one target made to fail, `--parallel` checked on the server (pg_stat_activity), the JSON document, a re-run that
 * picks up where each target stopped, `--fail-fast`, `status --targets`, and no password in any output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openPostgres } from '../../src/drivers/postgres/open.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { TEST_PASSWORD } from '../harness/servers.ts';
import { migration } from '../helpers/migration.ts';
import { ensureCliBuilt, json, runCli, writeMigrations } from '../helpers/cli-process.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-fleet-'));
let server: TestServer;
let tenantsUrl: string;
const databases: string[] = [];
const SCHEMAS = 50;
const DATABASES = 10;
const PARALLEL = 3;
const FAILING_SCHEMA = 'tenant_17';

const dir = writeMigrations(path.join(TMP, 'migrations'), {
  '0001_customers.lua': migration('    assert(db:execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))', {
    engines: ['postgres'],
  }),
  // The pause keeps each target's connection open long enough for the server to see how many are open at once.
  '0002_orders.lua': migration(
    [
      '    assert(db:query("SELECT pg_sleep(0.03)"))',
      '    assert(db:execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER)"))',
    ].join('\n'),
    { engines: ['postgres'] },
  ),
  '0003_index.lua': migration('    assert(db:execute("CREATE INDEX orders_customer ON orders (customer)"))', {
    engines: ['postgres'],
  }),
});

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = server.adminUrl ?? server.url): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'fleet-test' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function targetsFile(name: string, urls: string[]): string {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, ['# tenants and databases of the fleet test', ...urls, ''].join('\n'));
  return file;
}

const schemaUrls = () => Array.from({ length: SCHEMAS }, (_, i) => withSchema(tenantsUrl, `tenant_${i + 1}`));

beforeAll(async () => {
  ensureCliBuilt();
  server = await useServer('postgres');
  tenantsUrl = await scratchDatabase(server, 'fleet_tenants');
  for (let i = 0; i < DATABASES; i++) databases.push(await scratchDatabase(server, 'fleet_db'));
  await admin(async (c) => {
    for (let i = 1; i <= SCHEMAS; i++) await c.query(`CREATE SCHEMA tenant_${i}`);
    // The target made to fail: a table in the way of 0002.
    await c.query(`CREATE TABLE ${FAILING_SCHEMA}.orders (x TEXT)`);
  }, tenantsUrl);
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(TMP, { recursive: true, force: true });
});

/** Polls pg_stat_activity while `run` goes on; the most moonwalk connections to the fleet's databases seen at once. */
async function mostConnections(run: Promise<unknown>): Promise<number> {
  const names = [tenantsUrl, ...databases].map((u) => new URL(u).pathname.slice(1));
  return admin(async (c) => {
    let most = 0;
    let finished = false;
    void run.finally(() => (finished = true));
    while (!finished) {
      const res = await c.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'moonwalk' AND datname = ANY($1)",
        [names],
      );
      most = Math.max(most, res.rows[0].n as number);
      await new Promise((r) => setTimeout(r, 10));
    }
    return most;
  });
}

describe('up --targets', () => {
  test('60 targets, one failing: every other applies everything, at most --parallel connections; a re-run finishes', async () => {
    const urls = [...schemaUrls(), ...databases];
    const file = targetsFile('fleet.txt', urls);
    const run = runCli(['up', '--targets', file, '--parallel', String(PARALLEL), '--dir', dir, '--json']);
    const most = await mostConnections(run);
    const outcome = await run;
    expect(outcome.code, outcome.stderr).toBe(1);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(PARALLEL);

    const doc = json(outcome);
    expect(Object.keys(doc).sort()).toEqual(['ok', 'targets']);
    expect(doc.ok).toBe(false);
    expect(doc.targets).toHaveLength(urls.length);
    for (const [i, t] of (doc.targets as any[]).entries()) {
      expect(Object.keys(t).sort()).toEqual(['error', 'ok', 'results', 'target']);
      expect(t.target).not.toContain(TEST_PASSWORD);
      expect(t.target).toContain(':***@');
      const failing = urls[i].endsWith(`schema=${FAILING_SCHEMA}`);
      if (failing) {
        expect(t.ok).toBe(false);
        expect(t.error).toMatchObject({ migration: '0002_orders', phase: 'up' });
        expect(t.results.map((r: any) => [r.id, r.status])).toEqual([
          ['0001_customers', 'applied'],
          ['0002_orders', 'failed'],
        ]);
      } else {
        expect(t, t.target).toMatchObject({ ok: true, error: null });
        expect(t.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'applied']);
      }
    }
    // Progress on stderr as targets finish (--json keeps stdout for the document), the last line counting all.
    expect(outcome.stderr).toMatch(new RegExp(`\\[${urls.length}/${urls.length}, 1 failed\\]`));
    expect(outcome.stdout + outcome.stderr).not.toContain(TEST_PASSWORD);

    // Each tenant's tables are in its own schema, with its own ledger.
    const perSchema = await admin(
      async (c) =>
        (
          await c.query(
            "SELECT table_schema, count(*)::int AS n FROM information_schema.tables WHERE table_schema LIKE 'tenant_%' AND table_name = '_migrations' GROUP BY 1",
          )
        ).rows.length,
      tenantsUrl,
    );
    expect(perSchema).toBe(SCHEMAS);

    // Fixed, and run again (human output): the failed target picks up at 0002, the others have nothing to do.
    await admin((c) => c.query(`DROP TABLE ${FAILING_SCHEMA}.orders`), tenantsUrl);
    const again = await runCli(['up', '--targets', file, '--dir', dir]);
    expect(again.code, again.stderr).toBe(0);
    const lines = again.stdout.split('\n');
    const failedBefore = lines.filter(
      (l) => l.includes(`schema=${FAILING_SCHEMA} `) || l.endsWith(`schema=${FAILING_SCHEMA}`),
    );
    expect(failedBefore.some((l) => /^ok\s.*2 applied/.test(l))).toBe(true);
    expect(lines.filter((l) => /^ok\s.*up to date/.test(l))).toHaveLength(urls.length - 1);
    // The table at the end, then the count.
    expect(again.stdout).toMatch(/^target\s+result\s+migrations\s+time$/m);
    expect(again.stdout).toContain(`${urls.length} targets: ${urls.length} ok.`);
    expect(again.stdout + again.stderr).not.toContain(TEST_PASSWORD);
  });

  test('--fail-fast: no target starts after the first failure', async () => {
    const broken = withSchema(tenantsUrl, 'fleet_ff_broken');
    await admin(async (c) => {
      await c.query('CREATE SCHEMA fleet_ff_broken');
      await c.query('CREATE TABLE fleet_ff_broken.customers (x TEXT)');
      for (let i = 1; i <= 3; i++) await c.query(`CREATE SCHEMA fleet_ff_${i}`);
    }, tenantsUrl);
    const rest = [1, 2, 3].map((i) => withSchema(tenantsUrl, `fleet_ff_${i}`));
    const file = targetsFile('fail-fast.txt', [broken, ...rest]);
    const outcome = await runCli(['up', '--targets', file, '--parallel', '1', '--fail-fast', '--dir', dir, '--json']);
    expect(outcome.code, outcome.stderr).toBe(1);
    const doc = json(outcome);
    expect(doc.targets.map((t: any) => t.ok)).toEqual([false, false, false, false]);
    expect(doc.targets[0].error).toMatchObject({ migration: '0001_customers' });
    for (const t of doc.targets.slice(1)) {
      expect(t.results).toEqual([]);
      expect(t.error.message).toMatch(/not started.*--fail-fast/);
    }
    const human = await runCli(['up', '--targets', file, '--parallel', '1', '--fail-fast', '--dir', dir]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^target\s+result\s+migrations\s+time$/m);
    expect(human.stdout).toContain('4 targets: 0 ok, 1 failed, 3 not started (--fail-fast).');
    const ledgers = await admin(
      async (c) =>
        (
          await c.query(
            "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('fleet_ff_1', 'fleet_ff_2', 'fleet_ff_3') AND table_name = '_migrations'",
          )
        ).rows[0].n,
      tenantsUrl,
    );
    expect(ledgers).toBe(0);
  });

  test('status --targets --json: one entry per target; a target that cannot be reached fails alone', async () => {
    const unreachable = new URL(databases[0]);
    unreachable.pathname = '/fleet_no_such_database';
    const file = targetsFile('status.txt', [databases[0], unreachable.toString()]);
    const outcome = await runCli(['status', '--targets', file, '--dir', dir, '--json']);
    expect(outcome.code).toBe(1);
    const doc = json(outcome);
    expect(doc.ok).toBe(false);
    expect(doc.targets[0]).toMatchObject({ ok: true, engine: 'postgres', error: null });
    expect(doc.targets[0].migrations.map((m: any) => m.status)).toEqual(['applied', 'applied', 'applied']);
    expect(doc.targets[1]).toMatchObject({ ok: false, error: { phase: 'connect' } });
    expect(doc.targets[1].error.message).toContain('fleet_no_such_database');
    expect(outcome.stdout + outcome.stderr).not.toContain(TEST_PASSWORD);
  });

  test('the run lock is per target: one schema locked does not keep out a runner of another schema', async () => {
    const open = (schema: string) => openPostgres(withSchema(tenantsUrl, schema), { connectTimeoutMs: 5000 });
    const [a, b, again] = await Promise.all([open('tenant_1'), open('tenant_2'), open('tenant_1')]);
    try {
      const release = await a.lock(0);
      await (
        await b.lock(0)
      )();
      await expect(again.lock(0)).rejects.toThrow(/another moonwalk run holds the lock/);
      await release();
    } finally {
      await Promise.all([a.close(), b.close(), again.close()]);
    }
  });

  test('down --targets reverts on each target', async () => {
    const urls = [await scratchDatabase(server, 'fleet_down'), await scratchDatabase(server, 'fleet_down')];
    const reversible = writeMigrations(path.join(TMP, 'reversible'), {
      '0001_notes.lua': migration('    assert(db:execute("CREATE TABLE notes (id INTEGER)"))', {
        engines: ['postgres'],
        down: '    assert(db:execute("DROP TABLE notes"))',
      }),
    });
    const file = targetsFile('down.txt', urls);
    const up = await runCli(['up', '--targets', file, '--dir', reversible, '--json']);
    expect(up.code, up.stderr).toBe(0);
    const down = await runCli(['down', '--targets', file, '--dir', reversible, '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(json(down).targets.map((t: any) => t.results.map((r: any) => `${r.id} ${r.status}`))).toEqual([
      ['0001_notes reverted'],
      ['0001_notes reverted'],
    ]);
  });

  test('a bad targets file is refused before anything runs, naming the file and line', async () => {
    const file = targetsFile('bad.txt', [databases[0], 'not a url']);
    const outcome = await runCli(['up', '--targets', file, '--dir', dir]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`${file}:3:`);
    const both = await runCli(['up', '--targets', file, '--db', databases[0], '--dir', dir]);
    expect(both.code).toBe(2);
  });
});
