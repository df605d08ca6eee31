/**
 * `--retries N` on the real PostgreSQL server (DESIGN §5): two runners forced into a serialization conflict on a
 * migration that touches data. Runner A reads a counter under REPEATABLE READ and pauses; runner B (another tenant
 * schema of the same database, so another run lock) updates the counter and commits meanwhile; A's update then fails
 * with SQLSTATE 40001. With --retries, A runs its migration again from the start of its transaction and counts both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { migration } from '../helpers/migration.ts';
import { ensureCliBuilt, json, runCli, startCli, writeMigrations } from '../helpers/cli-process.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-retries-'));
let server: TestServer;

const slowReader = writeMigrations(path.join(TMP, 'a'), {
  '0001_bump.lua': migration(
    [
      '    assert(db:execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))',
      '    local seen = assert(db:query("SELECT n FROM public.counter WHERE id = 1"))',
      '    assert(db:query("SELECT pg_sleep(1.5)"))',
      '    assert(db:execute("UPDATE public.counter SET n = n + 1 WHERE id = 1"))',
    ].join('\n'),
    { engines: ['postgres'] },
  ),
});
const quickWriter = writeMigrations(path.join(TMP, 'b'), {
  '0001_bump.lua': migration('    assert(db:execute("UPDATE public.counter SET n = n + 1 WHERE id = 1"))', {
    engines: ['postgres'],
  }),
});

beforeAll(async () => {
  ensureCliBuilt();
  server = await useServer('postgres');
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(TMP, { recursive: true, force: true });
});

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: 'retries-test' });
  await c.connect();
  return c;
}

/** Runs A, and B once A is inside its pause (seen on the server); answers A's outcome and the counter. */
async function conflict(extra: string[]) {
  const url = await scratchDatabase(server, 'retries');
  const c = await client(url);
  try {
    await c.query('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await c.query('INSERT INTO counter VALUES (1, 0)');
    await c.query('CREATE SCHEMA ra');
    await c.query('CREATE SCHEMA rb');
    const a = startCli(['up', '--json', '--db', withSchema(url, 'ra'), '--dir', slowReader, ...extra]);
    const database = new URL(url).pathname.slice(1);
    for (let i = 0; ; i++) {
      const res = await c.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
        [database],
      );
      if (res.rows[0].n > 0) break;
      if (i > 500) throw new Error('runner A never reached its pause');
      await new Promise((r) => setTimeout(r, 10));
    }
    const b = await runCli(['up', '--json', '--db', withSchema(url, 'rb'), '--dir', quickWriter]);
    expect(b.code, b.stderr).toBe(0);
    const outcome = await a.done;
    const counter = (await c.query('SELECT n FROM counter WHERE id = 1')).rows[0].n as number;
    return { outcome, counter };
  } finally {
    await c.end();
  }
}

describe('--retries', () => {
  test('without it, the serialization failure fails the migration', async () => {
    const { outcome, counter } = await conflict([]);
    expect(outcome.code).toBe(1);
    const doc = json(outcome);
    expect(doc.error).toMatchObject({ migration: '0001_bump', phase: 'up' });
    expect(doc.error.message).toMatch(/could not serialize access/);
    expect(doc.results[0]).not.toHaveProperty('attempts');
    expect(counter).toBe(1); // B's increment only
  });

  test('with --retries 3, the migration runs again from the start of its transaction and goes through', async () => {
    const { outcome, counter } = await conflict(['--retries', '3']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const doc = json(outcome);
    expect(doc.results).toMatchObject([{ id: '0001_bump', status: 'applied', attempts: 2 }]);
    expect(counter).toBe(2); // both increments, each once
  });
});
