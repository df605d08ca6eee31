/**
 * Applying 1,000 small migrations (one CREATE TABLE each) to an SQLite FILE, fresh temp file per run, and the
 * no-op `up` every deploy pays once they are all applied. Measured in rounds; each round runs every contender once,
 * each Moonwalk run right next to its target peer's (the pairs rotate and swap places from round to round, so that a
 * noisy moment of the shared disk does not always hit the same one), and the median per contender is reported, with
 * the median of the per-round ratios as a cross-check.
 *
 * Every round writes the migrations once, as `.lua` files and as Knex's `.cjs` files, and fsyncs them before any
 * clock starts; every contender of the round runs with those same files on the disk, each on a fresh database file.
 *
 * Contenders (all on better-sqlite3 with its defaults: rollback journal, synchronous=FULL, so every commit fsyncs):
 * - Moonwalk `up()`: one transaction per migration (timed: open the file, read the 1,000 `.lua` files from a folder
 *   with the command's own `readMigrationsDir` — sha256 each —, a fresh `Migrator` with its Lua host, `up()`;
 *   closing is not timed; writing the files, and syncing them to disk, is not timed, as for Knex);
 * - raw: the same SQL through better-sqlite3 directly, `BEGIN IMMEDIATE` + CREATE TABLE + the ledger row INSERT +
 *   `COMMIT` per migration, into the same `_migrations` table (checksums with node:crypto) — the peer of the 1.5× target;
 * - Moonwalk `up({ singleTransaction: true })`: every migration in one transaction;
 * - Knex `migrate.latest()` over 1,000 generated CommonJS migration files (`knex.raw` of the same SQL) in a temp
 *   directory; Knex wraps the whole batch in one transaction by default — the peer of the single-transaction target;
 * - Kysely's `Migrator` (`SqliteDialect` over better-sqlite3) with an in-memory provider of the same 1,000 migrations;
 *   Kysely uses no transaction on SQLite, so each statement commits on its own.
 *
 * Fresh processes (what one deploy pays, JIT warm-up included; informational, no target): the whole
 * `moonwalk up --single-transaction` command next to a whole Node process running Knex's `migrate.latest()`
 * (`knex-latest-process.ts`), spawn to exit.
 *
 * No-op `up` (all 1,000 applied): the same steps from a fresh start against the database the contender itself
 * applied — Moonwalk (open, read the folder, fresh `Migrator`, `up()`), raw (open, read the ledger,
 * sha256 each text and compare), Knex (fresh instance, `migrate.latest()`), Kysely (fresh instance and `Migrator`,
 * `migrateToLatest()`). Target: Moonwalk under 100 ms.
 */
import { spawn } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { knexConfig } from './knex-latest-process.ts';
import { makeMigrations, rawUp, type Ran } from './raw-sqlite.ts';
import { Kysely, Migrator as KyselyMigrator, SqliteDialect, sql, type Migration } from 'kysely';
import { Migrator } from '../src/core/migrator.ts';
import { readMigrationsDir } from '../src/lib/migrations-dir.ts';
import { openSqliteFile } from '../src/drivers/better-sqlite3.ts';
import {
  Samples,
  formatMs,
  formatRatio,
  median,
  repoRoot,
  spreadOf,
  tempDir,
  type BenchRow,
  type SuiteReport,
  type TableMigration,
  type TargetCheck,
} from './util.ts';

export interface SqliteFileBenchOptions {
  /** Migrations per run (default 1,000). */
  migrations?: number;
  /**
   * Measured rounds: at least `minRounds` (default 5), then more up to `rounds` (default 9) while the suite has run
   * for less than `budgetMs` (default 90 s) — a busy disk makes every fsync slow. A small warm-up round
   * (100 migrations) runs first, unmeasured.
   */
  rounds?: number;
  minRounds?: number;
  budgetMs?: number;
  /** No-op `up` measurements after each applying run (default 3). */
  noopsPerRound?: number;
  /** Progress lines (to stderr by default in index.ts). */
  progress?: (line: string) => void;
}

const SUITE = 'sqlite-file';
const TITLE_PREFIX = 'Migrations on an SQLite file (better-sqlite3)';

// ---------------------------------------------------------------------------------------------------------------
// The contenders. Each run answers how many migrations it applied and a cleanup (closing), which is not timed.

async function moonwalkUp(file: string, migrationsDir: string, single: boolean): Promise<Ran> {
  const driver = openSqliteFile(file);
  const migrator = new Migrator({ driver, files: await readMigrationsDir(migrationsDir) });
  const cleanup = async () => {
    migrator.dispose();
    await driver.close();
  };
  const result = await migrator.up(single ? { singleTransaction: true } : {});
  if (!result.ok) {
    await cleanup();
    throw new Error(`Moonwalk up failed: ${result.error?.message}`);
  }
  return { count: result.results.filter((r) => r.status === 'applied').length, cleanup };
}

/**
 * Writes a migrations folder and makes it durable before the timed run, as a project's files are long before a
 * deploy: otherwise the run's first COMMIT fsync would also flush 1,000 freshly written files (ext4 commits their
 * metadata and data with it), a cost that falls on whoever commits first and most often, not on the tool.
 */
function writeSyncedFiles(dir: string, files: Array<{ name: string; text: string }>): void {
  mkdirSync(dir, { recursive: true });
  for (const { name, text } of files) {
    const fd = openSync(join(dir, name), 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function writeMoonwalkMigrations(dir: string, migrations: TableMigration[]): void {
  writeSyncedFiles(
    dir,
    migrations.map((m) => ({ name: `${m.id}.lua`, text: m.lua })),
  );
}

function writeKnexMigrations(dir: string, migrations: TableMigration[]): void {
  writeSyncedFiles(
    dir,
    migrations.map((m) => ({
      name: `${m.id}.cjs`,
      text:
        `exports.up = function (knex) { return knex.raw(${JSON.stringify(m.up)}); };\n` +
        `exports.down = function (knex) { return knex.raw(${JSON.stringify(m.down)}); };\n`,
    })),
  );
}

async function knexLatest(file: string, migrationsDir: string): Promise<Ran> {
  const k = knexFactory(knexConfig(file, migrationsDir));
  const cleanup = () => k.destroy();
  try {
    const [, log] = (await k.migrate.latest()) as [number, string[]];
    return { count: log.length, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Runs `node script ...args` to its end; answers its stdout, or throws with its stderr when it fails. */
export function runProcess(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${script} exited with ${code}: ${err.trim().slice(0, 500)}`));
    });
  });
}

/** The whole `moonwalk up --single-transaction` command, in a process of its own. */
async function moonwalkProcess(file: string, migrationsDir: string): Promise<Ran> {
  const out = await runProcess(join(repoRoot(), 'bin', 'moonwalk.js'), [
    'up',
    '--single-transaction',
    '--db',
    `sqlite:${file}`,
    '--dir',
    migrationsDir,
    '--json',
  ]);
  const doc = JSON.parse(out) as { ok: boolean; results: Array<{ status: string }>; error: { message: string } | null };
  if (!doc.ok) throw new Error(`moonwalk up failed: ${doc.error?.message}`);
  return { count: doc.results.filter((r) => r.status === 'applied').length, cleanup: () => {} };
}

/** Knex's `migrate.latest()` in a process of its own. */
async function knexProcess(file: string, migrationsDir: string): Promise<Ran> {
  const script = join(repoRoot(), 'dist', 'bench', 'knex-latest-process.js');
  return { count: Number((await runProcess(script, [file, migrationsDir])).trim()), cleanup: () => {} };
}

async function kyselyLatest(file: string, migrations: TableMigration[]): Promise<Ran> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(file) }) });
  const cleanup = () => db.destroy();
  try {
    const record: Record<string, Migration> = {};
    for (const m of migrations) {
      record[m.id] = {
        up: async (k) => {
          await sql.raw(m.up).execute(k);
        },
        down: async (k) => {
          await sql.raw(m.down).execute(k);
        },
      };
    }
    const migrator = new KyselyMigrator({ db, provider: { getMigrations: async () => record } });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error('the Kysely migration failed', { cause: error });
    return { count: (results ?? []).filter((r) => r.status === 'Success').length, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------

type Contender = 'moonwalk' | 'raw' | 'moonwalkSingle' | 'knex' | 'kysely' | 'moonwalkProcess' | 'knexProcess';
const CONTENDERS: Contender[] = [
  'moonwalk',
  'raw',
  'moonwalkSingle',
  'knex',
  'kysely',
  'moonwalkProcess',
  'knexProcess',
];
/** The contenders whose database gets no-op runs after it is applied. */
const NOOP_CONTENDERS = ['moonwalk', 'raw', 'knex', 'kysely'] as const;
type NoopContender = (typeof NOOP_CONTENDERS)[number];

interface Measured {
  apply: Record<Contender, Samples>;
  noop: Record<NoopContender, Samples>;
}

/** One round's migrations, as `.lua` files for Moonwalk and `.cjs` files for Knex, written and synced. */
export interface Folders {
  luaDir: string;
  knexDir: string;
  remove: () => void;
}

export function writeFolders(migrations: TableMigration[]): Folders {
  const dir = tempDir('migrations');
  const luaDir = join(dir.path, 'migrations');
  const knexDir = join(dir.path, 'knex-migrations');
  writeMoonwalkMigrations(luaDir, migrations);
  writeKnexMigrations(knexDir, migrations);
  return { luaDir, knexDir, remove: dir.remove };
}

/** Times one run (cleanup untimed) and checks how many migrations it applied. */
async function timed(label: string, run: () => Promise<Ran> | Ran, expected: number): Promise<number> {
  const t0 = performance.now();
  const ran = await run();
  const ms = performance.now() - t0;
  await ran.cleanup();
  if (ran.count !== expected) throw new Error(`${label}: applied ${ran.count} migrations, expected ${expected}`);
  return ms;
}

/**
 * One applying run of `who` on a fresh database file, then `noops` no-op runs on the same file (for the
 * `NOOP_CONTENDERS` only). Samples go to `into` unless it is null (warm-up).
 */
async function runOnce(
  who: Contender,
  migrations: TableMigration[],
  folders: Folders,
  noops: number,
  into: Measured | null,
): Promise<void> {
  const dir = tempDir(who);
  try {
    const file = join(dir.path, 'bench.sqlite');
    const run = (): Promise<Ran> | Ran => {
      switch (who) {
        case 'moonwalk':
          return moonwalkUp(file, folders.luaDir, false);
        case 'moonwalkSingle':
          return moonwalkUp(file, folders.luaDir, true);
        case 'raw':
          return rawUp(file, migrations);
        case 'knex':
          return knexLatest(file, folders.knexDir);
        case 'kysely':
          return kyselyLatest(file, migrations);
        case 'moonwalkProcess':
          return moonwalkProcess(file, folders.luaDir);
        case 'knexProcess':
          return knexProcess(file, folders.knexDir);
      }
    };
    const ms = await timed(who, run, migrations.length);
    into?.apply[who].add(ms);
    const noopWho = NOOP_CONTENDERS.find((c) => c === who);
    if (noopWho === undefined) return;
    for (let i = 0; i < noops; i++) {
      const noopMs = await timed(`${who} no-op`, run, 0);
      into?.noop[noopWho].add(noopMs);
    }
  } finally {
    dir.remove();
  }
}

/** A round: its own freshly written folders, then every contender in `order`. */
async function runRound(order: Contender[], migrations: TableMigration[], noops: number, into: Measured | null) {
  const folders = writeFolders(migrations);
  try {
    for (const who of order) await runOnce(who, migrations, folders, noops, into);
  } finally {
    folders.remove();
  }
}

export async function benchSqliteFile(options: SqliteFileBenchOptions = {}): Promise<SuiteReport> {
  const count = options.migrations ?? 1000;
  const maxRounds = options.rounds ?? 9;
  const minRounds = Math.min(options.minRounds ?? 5, maxRounds);
  const budgetMs = options.budgetMs ?? 90_000;
  const noops = options.noopsPerRound ?? 3;
  const progress = options.progress ?? (() => {});
  const migrations = makeMigrations(count);

  const samplesOf = <K extends string>(keys: readonly K[]) =>
    Object.fromEntries(keys.map((key) => [key, new Samples()])) as Record<K, Samples>;
  const measured: Measured = { apply: samplesOf(CONTENDERS), noop: samplesOf(NOOP_CONTENDERS) };
  const started = performance.now();

  progress(`${SUITE}: warm-up round (100 migrations)`);
  await runRound(CONTENDERS, makeMigrations(Math.min(100, count)), 1, null);

  // Each Moonwalk figure runs right next to its peer, so that both see the same moment of a shared disk; the pairs
  // rotate and swap places from round to round.
  const units: Contender[][] = [
    ['moonwalk', 'raw'],
    ['moonwalkSingle', 'knex'],
    ['kysely'],
    ['moonwalkProcess', 'knexProcess'],
  ];
  let done = 0;
  while (done < maxRounds && (done < minRounds || performance.now() - started < budgetMs)) {
    const order = units
      .map((_, i) => units[(i + done) % units.length])
      .flatMap((unit) => (done % 2 ? [...unit].reverse() : unit));
    progress(`${SUITE}: round ${done + 1} of ${minRounds}–${maxRounds} (${order.join(', ')})`);
    await runRound(order, migrations, noops, measured);
    done++;
  }

  const a = measured.apply;
  const n = measured.noop;
  const ratio = (x: Samples, y: Samples) => x.median / y.median;

  const perTxRatio = ratio(a.moonwalk, a.raw);
  const paired = (x: Samples, y: Samples) => formatRatio(median(x.ms.map((v, i) => v / y.ms[i])));
  const singleVsKnex = ratio(a.moonwalkSingle, a.knex);
  const noopMs = n.moonwalk.median;

  const rows: BenchRow[] = [
    {
      name: 'Moonwalk up() — one transaction per migration',
      figure: formatMs(a.moonwalk.median),
      spread: spreadOf(a.moonwalk),
      ratio: `${formatRatio(perTxRatio)} raw time · ${formatRatio(ratio(a.moonwalk, a.kysely))} Kysely time`,
      target: '≤ 1.5× raw time',
      met: perTxRatio <= 1.5,
    },
    {
      name: 'raw better-sqlite3 — one transaction per migration + ledger row',
      figure: formatMs(a.raw.median),
      spread: spreadOf(a.raw),
      ratio: 'peer',
      target: '',
      met: null,
    },
    {
      name: 'Moonwalk up({ singleTransaction: true })',
      figure: formatMs(a.moonwalkSingle.median),
      spread: spreadOf(a.moonwalkSingle),
      ratio: `${formatRatio(singleVsKnex)} Knex time · ${formatRatio(ratio(a.moonwalkSingle, a.raw))} raw time`,
      target: '< 1× Knex time (faster)',
      met: singleVsKnex < 1,
    },
    {
      name: 'Knex migrate.latest() — 1,000 .cjs files, one transaction',
      figure: formatMs(a.knex.median),
      spread: spreadOf(a.knex),
      ratio: 'peer',
      target: '',
      met: null,
    },
    {
      name: 'Kysely Migrator.migrateToLatest() — no transaction',
      figure: formatMs(a.kysely.median),
      spread: spreadOf(a.kysely),
      ratio: 'peer',
      target: '',
      met: null,
    },
    {
      name: 'fresh process: moonwalk up --single-transaction (the command)',
      figure: formatMs(a.moonwalkProcess.median),
      spread: spreadOf(a.moonwalkProcess),
      ratio: `${formatRatio(ratio(a.moonwalkProcess, a.knexProcess))} Knex process time`,
      target: '',
      met: null,
    },
    {
      name: 'fresh process: node + Knex migrate.latest()',
      figure: formatMs(a.knexProcess.median),
      spread: spreadOf(a.knexProcess),
      ratio: 'peer',
      target: '',
      met: null,
    },
    {
      name: 'no-op up, all applied: Moonwalk (fresh Migrator + up())',
      figure: formatMs(noopMs),
      spread: spreadOf(n.moonwalk),
      ratio:
        `${formatRatio(ratio(n.moonwalk, n.raw))} raw · ${formatRatio(ratio(n.moonwalk, n.knex))} Knex · ` +
        `${formatRatio(ratio(n.moonwalk, n.kysely))} Kysely`,
      target: '< 100 ms',
      met: noopMs < 100,
    },
    {
      name: 'no-op up: raw (read the ledger, sha256 and compare)',
      figure: formatMs(n.raw.median),
      spread: spreadOf(n.raw),
      ratio: 'peer',
      target: '',
      met: null,
    },
    {
      name: 'no-op up: Knex migrate.latest()',
      figure: formatMs(n.knex.median),
      spread: spreadOf(n.knex),
      ratio: 'peer',
      target: '',
      met: null,
    },
    {
      name: 'no-op up: Kysely migrateToLatest()',
      figure: formatMs(n.kysely.median),
      spread: spreadOf(n.kysely),
      ratio: 'peer',
      target: '',
      met: null,
    },
  ];

  const targets: TargetCheck[] = [
    {
      suite: SUITE,
      description: `Moonwalk up() of ${count} migrations within 1.5× raw better-sqlite3`,
      met: perTxRatio <= 1.5,
      detail: `${formatRatio(perTxRatio)} (${formatMs(a.moonwalk.median)} vs ${formatMs(a.raw.median)})`,
    },
    {
      suite: SUITE,
      description: 'Moonwalk up({ singleTransaction: true }) faster than Knex migrate.latest()',
      met: singleVsKnex < 1,
      detail: `${formatRatio(singleVsKnex)} Knex's time (${formatMs(a.moonwalkSingle.median)} vs ${formatMs(a.knex.median)})`,
    },
    {
      suite: SUITE,
      description: `no-op up over ${count} applied migrations under 100 ms`,
      met: noopMs < 100,
      detail: `${formatMs(noopMs)} (raw ${formatMs(n.raw.median)}, Knex ${formatMs(n.knex.median)}, Kysely ${formatMs(n.kysely.median)})`,
    },
  ];

  return {
    title: `${TITLE_PREFIX}: ${count} migrations, one CREATE TABLE each, fresh temp file per run`,
    rows,
    targets,
    notes: [
      `median of ${done} rounds (no-op: ${noops} runs after each applying run), after a 100-migration warm-up round;` +
        ' ratio = Moonwalk time / peer time (below 1 = Moonwalk faster)',
      `median of the per-round ratios (each Moonwalk run next to its peer's): up() ${paired(a.moonwalk, a.raw)} raw, ` +
        `single transaction ${paired(a.moonwalkSingle, a.knex)} Knex`,
      `per migration: raw ${formatMs(a.raw.median / count)} (mostly the fsync of its COMMIT), Moonwalk ` +
        `${formatMs(a.moonwalk.median / count)}, i.e. ${formatMs((a.moonwalk.median - a.raw.median) / count)} more; ` +
        `in one transaction Moonwalk ${formatMs(a.moonwalkSingle.median / count)}`,
      'timed: opening the database and reading the migration files (Moonwalk, Knex) through to the result; ' +
        'closing it, and writing and fsyncing the files before the round, are not',
      "fresh process: spawn to exit, so Node's start, loading the code and a cold JIT are in it; the runs above are " +
        'in this warmed-up process',
      'every run is checked: all migrations applied, then none by the no-op runs',
    ],
  };
}

// Run on its own: `node dist/bench/migrations-sqlite-file.js`.
const self = typeof process !== 'undefined' ? process.argv[1] : undefined;
if (self !== undefined && /migrations-sqlite-file\.(js|ts)$/.test(self)) {
  const { renderSuite } = await import('./util.ts');
  const report = await benchSqliteFile({ progress: (line) => console.error(line) });
  console.log(renderSuite(report));
}
