/**
 * Runners at once, and runners killed (DESIGN §4): `node bin/moonwalk.js up --json` as child processes.
 *
 * - Four runners started together against the same PostgreSQL database, MariaDB database, SQLite file and PGlite
 *   directory apply every migration exactly once between them; those that find nothing left exit 0 and list nothing
 *   as applied.
 * - A runner killed with SIGKILL at random moments (PostgreSQL and a SQLite file, many times each) never leaves a
 *   half-migrated database: after each kill every migration table that exists has its ledger row and vice versa, and
 *   a fresh `up` then completes the run.
 *
 * The counts go to the test output (one summary line per part). MOONWALK_KILL_SEED=<n> replays the kill moments.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
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
  type CliOutcome,
} from '../helpers/cli-process.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-concurrency-'));
let pgServer: TestServer;
let myServer: TestServer;

beforeAll(async () => {
  ensureCliBuilt();
  [pgServer, myServer] = await Promise.all([useServer('postgres'), useServer('mysql')]);
});

afterAll(async () => {
  await Promise.all([pgServer?.stop(), myServer?.stop()]);
  fs.rmSync(TMP, { recursive: true, force: true });
});

type Applied = { id: string; status: string };

// ---------------------------------------------------------------------------------------------------------------------

describe('four runners at once apply every migration exactly once', () => {
  const COUNT = 12;
  const files: Record<string, string> = {};
  for (let i = 1; i <= COUNT; i++) {
    const id = `c_${String(i).padStart(3, '0')}`;
    files[`${id}.lua`] = migration(
      [
        `    assert(db:execute("CREATE TABLE ${id} (id INTEGER PRIMARY KEY, v VARCHAR(20))"))`,
        `    assert(db:execute("INSERT INTO ${id} (id, v) VALUES (?, ?)", {1, "${id}"}))`,
      ].join('\n'),
    );
  }
  const summary: string[] = [];
  afterAll(() => {
    console.log(`[concurrency] 4 runners at once, ${COUNT} migrations: ${summary.join('; ')}`);
  });

  const targets: Array<[string, () => Promise<string>]> = [
    ['postgres', () => scratchDatabase(pgServer, 'concurrent')],
    ['mysql', () => scratchDatabase(myServer, 'concurrent')],
    ['sqlite file', async () => `sqlite:${path.join(TMP, 'concurrent.db')}`],
    ['pglite directory', async () => `pglite:${path.join(TMP, 'concurrent-pglite')}`],
  ];

  test.each(targets)('%s', async (name, target) => {
    const url = await target();
    const dir = writeMigrations(path.join(TMP, `concurrent-${name.replace(/\W/g, '_')}`), files);
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => runCli(['up', '--json', '--db', url, '--dir', dir])),
    );
    const docs = outcomes.map((o) => {
      expect(o.code, o.stderr).toBe(0);
      return json<{ ok: boolean; results: Applied[] }>(o);
    });
    const applied = docs.map((d) => d.results.filter((r) => r.status === 'applied').map((r) => r.id));
    const all = applied.flat().sort();
    expect(all).toEqual(Object.keys(files).map((f) => f.replace('.lua', '')));
    for (const [i, doc] of docs.entries()) {
      expect(doc.ok).toBe(true);
      // A runner that found nothing left lists nothing as applied (nor anything else).
      if (applied[i].length === 0) expect(doc.results).toEqual([]);
    }
    const [ids, tableNames] = await inspectDatabase(url, async (d) => [await ledgerIds(d), await tables(d)]);
    expect(ids).toEqual(all);
    expect(tableNames).toEqual(all);
    summary.push(`${name}: applied per runner [${applied.map((a) => a.length).join(', ')}] = ${all.length}`);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so a failing series can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('runners killed with SIGKILL at random moments', () => {
  const COUNT = 20;
  const KILLS = 15;
  const SEED = Number(process.env.MOONWALK_KILL_SEED ?? Date.now() % 1_000_000);
  const ids = Array.from({ length: COUNT }, (_, i) => `k_${String(i + 1).padStart(3, '0')}`);
  const files: Record<string, string> = {};
  for (const id of ids) {
    // Work between the CREATE and the INSERT, so that kills often land inside a migration's transaction.
    files[`${id}.lua`] = migration(
      [
        `    assert(db:execute("CREATE TABLE ${id} (id INTEGER PRIMARY KEY, v VARCHAR(20))"))`,
        '    if db:db_type() == "postgres" then',
        '      assert(db:query("SELECT pg_sleep(0.02)"))',
        '    else',
        '      assert(db:query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000) SELECT count(*) FROM c"))',
        '    end',
        `    assert(db:execute("INSERT INTO ${id} (id, v) VALUES (?, ?)", {1, "${id}"}))`,
      ].join('\n'),
      { engines: ['sqlite', 'postgres'] },
    );
  }
  const summary: string[] = [];
  afterAll(() => {
    console.log(`[kills] seed ${SEED}, ${COUNT} migrations per run: ${summary.join('; ')}`);
  });

  /** Every migration table that exists has its ledger row, and every ledger row its table. */
  async function consistent(url: string): Promise<string[]> {
    const [ledger, existing] = await inspectDatabase(url, async (d) => [await ledgerIds(d), await tables(d)]);
    expect(existing, `tables vs ledger on ${url}`).toEqual(ledger);
    expect(new Set(ledger).size).toBe(ledger.length);
    for (const id of ledger) expect(ids).toContain(id);
    return ledger;
  }

  const series: Array<[string, (n: number) => Promise<string>]> = [
    ['postgres', () => scratchDatabase(pgServer, 'killed')],
    ['sqlite file', async (n) => `sqlite:${path.join(TMP, `killed-${n}.db`)}`],
  ];

  test.concurrent.each(series)(
    '%s: killed at random moments, each kill followed by a fresh up; the ledger always agrees with the schema',
    async (name, target) => {
      const rand = random(SEED + name.length);
      const dir = writeMigrations(path.join(TMP, `killed-${name.replace(/\W/g, '_')}`), files);
      const atKill: number[] = [];
      let finishedFirst = 0;
      for (let n = 1; n <= KILLS; n++) {
        const url = await target(n);
        // The moment: after a random number of migrations reported applied (the human output prints one line each as
        // it commits), plus a random part of the next one.
        const after = Math.floor(rand() * COUNT);
        const extraMs = Math.round(rand() * 40);
        const run = startCli(['up', '--db', url, '--dir', dir]);
        let reported = 0;
        let armed = false;
        const arm = () => {
          if (armed) return;
          armed = true;
          setTimeout(() => run.child.kill('SIGKILL'), extraMs);
        };
        if (after === 0) arm();
        run.child.stdout!.on('data', (chunk: string) => {
          reported += (String(chunk).match(/^\+ /gm) ?? []).length;
          if (reported >= after) arm();
        });
        const out: CliOutcome = await run.done;
        if (out.signal === null) {
          expect(out.code, out.stderr).toBe(0);
          finishedFirst++;
        }
        const applied = await consistent(url);
        // What was reported applied had committed.
        expect(applied.length).toBeGreaterThanOrEqual(reported);
        atKill.push(applied.length);

        const rest = await runCli(['up', '--json', '--db', url, '--dir', dir]);
        expect(rest.code, rest.stderr).toBe(0);
        expect(json<{ results: Applied[] }>(rest).results.filter((r) => r.status === 'applied')).toHaveLength(
          COUNT - applied.length,
        );
        expect(await consistent(url)).toEqual(ids);
      }
      const killed = KILLS - finishedFirst;
      const sorted = [...atKill].sort((a, b) => a - b);
      summary.push(
        `${name}: ${KILLS} runs, ${killed} killed mid-run (${finishedFirst} finished first), migrations committed ` +
          `before the kill min ${sorted[0]} / median ${sorted[Math.floor(sorted.length / 2)]} / max ${sorted[sorted.length - 1]} ` +
          `of ${COUNT}, ${KILLS} fresh ups completed, 0 inconsistencies`,
      );
      expect(killed).toBeGreaterThan(KILLS / 2);
    },
    120_000,
  );
});
