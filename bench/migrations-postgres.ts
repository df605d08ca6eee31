/**
 * Applying 1,000 small migrations (one CREATE TABLE each) to a real PostgreSQL server, Moonwalk against the raw `pg`
 * driver doing the same work. The server is a throw-away one started by the test harness (`startPostgres()` from
 * test/harness/servers.ts: Debian's postgresql package, fsync off, on 127.0.0.1), or the one MOONWALK_BENCH_POSTGRES_URL
 * names (with MOONWALK_BENCH_POSTGRES_ADMIN_URL for creating databases, when that user cannot).
 *
 * Contenders, each on a fresh database per run, over one TCP connection to 127.0.0.1:
 * - Moonwalk `up()`: one transaction per migration (timed: connect with `openPostgres`, `migrationFiles` over the
 *   1,000 texts held in memory — sha256 each —, a fresh `Migrator` with its Lua host, `up()`: advisory lock, ledger
 *   created and read, then per migration BEGIN, the Lua `up` running its `db:execute(CREATE TABLE …)`, the ledger
 *   row INSERT, COMMIT; closing is not timed);
 * - raw `pg`: connect, create and read the same `_migrations` table, then per migration `BEGIN`, `CREATE TABLE …`,
 *   `INSERT INTO _migrations … VALUES ($1, $2, now(), $3)` (checksums with node:crypto), `COMMIT` — the peer of the
 *   1.5× target.
 *
 * Rounds: a 100-migration warm-up round, then 3 measured rounds (`rounds` / `minRounds` / `budgetMs` allow more); each round
 * runs both, in alternating order. Reported: the median of each contender, their ratio, and the median of the
 * per-round ratios as a cross-check.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Migrator } from '../src/core/migrator.ts';
import { migrationFiles } from '../src/core/migration-files.ts';
import { openPostgres } from '../src/drivers/postgres/open.ts';
import { startPostgres } from '../test/harness/servers.ts';
import {
  Samples,
  formatMs,
  formatRatio,
  median,
  spreadOf,
  tableMigrations,
  type BenchRow,
  type SuiteReport,
  type TableMigration,
  type TargetCheck,
} from './util.ts';

export interface PostgresBenchOptions {
  /** Migrations per run (default 1,000). */
  migrations?: number;
  /** Measured rounds: at least `minRounds` (default 3), up to `rounds` (default 3) while under `budgetMs` (90 s). */
  rounds?: number;
  minRounds?: number;
  budgetMs?: number;
  progress?: (line: string) => void;
}

const SUITE = 'postgres';

const makeMigrations = (count: number): TableMigration[] => tableMigrations(count, 'postgres', 'id SERIAL PRIMARY KEY');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const LEDGER_CREATE =
  'CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum TEXT)';
const LEDGER_INSERT = 'INSERT INTO _migrations (id, description, applied_at, checksum) VALUES ($1, $2, now(), $3)';

interface Ran {
  count: number;
  cleanup: () => Promise<void>;
}

async function moonwalkUp(url: string, texts: Array<{ name: string; text: string }>): Promise<Ran> {
  const driver = await openPostgres(url, { connectTimeoutMs: 10_000 });
  const migrator = new Migrator({ driver, files: migrationFiles(texts) });
  const cleanup = async () => {
    migrator.dispose();
    await driver.close();
  };
  const result = await migrator.up();
  if (!result.ok) {
    await cleanup();
    throw new Error(`Moonwalk up failed: ${result.error?.message}`);
  }
  return { count: result.results.filter((r) => r.status === 'applied').length, cleanup };
}

async function rawUp(url: string, migrations: TableMigration[]): Promise<Ran> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const cleanup = async () => {
    await client.end();
  };
  try {
    await client.query(LEDGER_CREATE);
    const ledger = new Map(
      (await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM _migrations')).rows.map((r) => [
        r.id,
        r.checksum,
      ]),
    );
    let count = 0;
    for (const m of migrations) {
      const checksum = sha256(m.lua);
      const recorded = ledger.get(m.id);
      if (recorded !== undefined) {
        if (recorded !== checksum) throw new Error(`raw: ${m.id} changed after it was applied`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.up);
        await client.query(LEDGER_INSERT, [m.id, m.description, checksum]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
      count++;
    }
    return { count, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

type Contender = 'moonwalk' | 'raw';

/** A server to run against: the harness's own, or an external one. */
async function server(): Promise<{ url: string; adminUrl: string; stop: () => Promise<void> }> {
  const external = process.env.MOONWALK_BENCH_POSTGRES_URL;
  if (external) {
    return { url: external, adminUrl: process.env.MOONWALK_BENCH_POSTGRES_ADMIN_URL ?? external, stop: async () => {} };
  }
  const s = await startPostgres();
  return { url: s.url, adminUrl: s.adminUrl ?? s.url, stop: () => s.stop() };
}

/**
 * Moonwalk's per-migration transactions against raw `pg` on a real PostgreSQL server, 1,000 migrations by default.
 * Answers the suite's table (see bench/util.ts); target: Moonwalk within 1.5× raw time.
 */
export async function benchPostgresMigrations(options: PostgresBenchOptions = {}): Promise<SuiteReport> {
  const count = options.migrations ?? 1000;
  const maxRounds = options.rounds ?? 3;
  const minRounds = Math.min(options.minRounds ?? 3, maxRounds);
  const budgetMs = options.budgetMs ?? 90_000;
  const progress = options.progress ?? (() => {});

  progress(`${SUITE}: starting a PostgreSQL server`);
  const srv = await server();
  const admin = new pg.Client({ connectionString: srv.adminUrl });
  await admin.connect();
  const owner = decodeURIComponent(new URL(srv.url).username) || 'postgres';
  let serial = 0;
  /** A fresh, empty database; the URL of the ordinary user on it. */
  const freshDatabase = async (): Promise<string> => {
    const name = `bench_${process.pid}_${++serial}`;
    await admin.query(`CREATE DATABASE "${name}" OWNER "${owner.replace(/"/g, '""')}"`);
    const u = new URL(srv.url);
    u.pathname = `/${name}`;
    return u.href;
  };
  const dropDatabase = async (url: string): Promise<void> => {
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };

  const samples: Record<Contender, Samples> = { moonwalk: new Samples(), raw: new Samples() };
  const runOnce = async (who: Contender, migrations: TableMigration[], into: Record<Contender, Samples> | null) => {
    const url = await freshDatabase();
    try {
      const texts = migrations.map((m) => ({ name: `${m.id}.lua`, text: m.lua }));
      const t0 = performance.now();
      const ran = who === 'moonwalk' ? await moonwalkUp(url, texts) : await rawUp(url, migrations);
      const ms = performance.now() - t0;
      await ran.cleanup();
      if (ran.count !== migrations.length)
        throw new Error(`${who}: applied ${ran.count}, expected ${migrations.length}`);
      into?.[who].add(ms);
    } finally {
      await dropDatabase(url);
    }
  };

  let done = 0;
  try {
    progress(`${SUITE}: warm-up round (100 migrations)`);
    const warm = makeMigrations(Math.min(100, count));
    await runOnce('moonwalk', warm, null);
    await runOnce('raw', warm, null);

    const migrations = makeMigrations(count);
    const started = performance.now();
    while (done < maxRounds && (done < minRounds || performance.now() - started < budgetMs)) {
      const order: Contender[] = done % 2 ? ['raw', 'moonwalk'] : ['moonwalk', 'raw'];
      progress(`${SUITE}: round ${done + 1} of ${minRounds}–${maxRounds} (${order.join(', ')})`);
      for (const who of order) await runOnce(who, migrations, samples);
      done++;
    }
  } finally {
    await admin.end().catch(() => {});
    await srv.stop();
  }

  const m = samples.moonwalk;
  const r = samples.raw;
  const ratio = m.median / r.median;
  const paired = median(m.ms.map((v, i) => v / r.ms[i]));
  const rows: BenchRow[] = [
    {
      name: 'Moonwalk up() — one transaction per migration',
      figure: formatMs(m.median),
      spread: spreadOf(m),
      ratio: `${formatRatio(ratio)} raw time`,
      target: '≤ 1.5× raw time',
      met: ratio <= 1.5,
    },
    {
      name: 'raw pg — BEGIN; CREATE TABLE; INSERT ledger row; COMMIT per migration',
      figure: formatMs(r.median),
      spread: spreadOf(r),
      ratio: 'peer',
      target: '',
      met: null,
    },
  ];
  const targets: TargetCheck[] = [
    {
      suite: SUITE,
      description: `Moonwalk up() of ${count} migrations on PostgreSQL within 1.5× raw pg`,
      met: ratio <= 1.5,
      detail: `${formatRatio(ratio)} (${formatMs(m.median)} vs ${formatMs(r.median)})`,
    },
  ];
  return {
    title: `Migrations on a PostgreSQL server (pg, 127.0.0.1): ${count} migrations, one CREATE TABLE each, fresh database per run`,
    rows,
    targets,
    notes: [
      `median of ${done} rounds after a 100-migration warm-up; ratio = Moonwalk time / raw time (below 1 = Moonwalk faster)`,
      `median of the per-round ratios: ${formatRatio(paired)}`,
      `per migration: raw ${formatMs(r.median / count)} (4 round trips), Moonwalk ${formatMs(m.median / count)}, i.e. ` +
        `${formatMs((m.median - r.median) / count)} more`,
      'timed: connecting through to the result; creating, closing and dropping the database are not',
      'the harness server runs with fsync=off and synchronous_commit=off, so commits cost no disk flush: the ratio is ' +
        "close to the worst case for Moonwalk's per-statement overhead",
    ],
  };
}

// Run on its own: `node dist/bench/migrations-postgres.js`.
const self = typeof process !== 'undefined' ? process.argv[1] : undefined;
if (self !== undefined && /migrations-postgres\.(js|ts)$/.test(self)) {
  const { renderSuite } = await import('./util.ts');
  const report = await benchPostgresMigrations({ progress: (line) => console.error(line) });
  console.log(renderSuite(report));
}
