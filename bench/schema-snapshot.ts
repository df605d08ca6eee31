/**
 * The schema snapshot benchmark: `takeSnapshot` + `diffSnapshots` of a 300-table schema (5 columns, 2 indexes and 1
 * foreign key per table) on SQLite (sql.js) and on PostgreSQL (PGlite, in memory). One run = a snapshot with row
 * counts of the whole schema, then a diff against a snapshot taken before one table changed (so the diff does real
 * work, as `moonwalk diff` and `verify` do). The figure is the median of several runs after warm-up runs. A second
 * result per engine measures the same with data fingerprints, as `verify` takes its snapshots (no target for it).
 *
 * Targets (row-count mode): 50 ms on sql.js, 200 ms on PGlite.
 *
 * Call it from `bench/index.ts`: `const results = await benchSchemaSnapshot();` — each result carries its own text
 * line (`line`), or pass `{ log: console.log }` to have the lines printed as they are measured. Running this file on
 * its own (`node dist/bench/schema-snapshot.js` after `npm run build:cli`) prints them too.
 */
import { openSqlJs } from '../src/drivers/sqljs.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import { takeSnapshot } from '../src/core/schema/snapshot.ts';
import { diffSnapshots } from '../src/core/schema/diff.ts';
import type { Driver } from '../src/core/driver.ts';

export interface SchemaSnapshotBenchOptions {
  /** Tables in the schema (default 300). */
  tables?: number;
  /** Measured runs per engine and mode; the median is reported (default 15). */
  runs?: number;
  /** Unmeasured runs first (default 5). */
  warmup?: number;
  /** Which engines (default both). */
  engines?: Array<'sqlite' | 'postgres'>;
  /**
   * Also measure snapshots with data fingerprints, as `verify` takes them (default true): a second result per engine.
   */
  fingerprint?: boolean;
  /** Rows seeded into every table before measuring (default 0: the schema alone). */
  rowsPerTable?: number;
  /** Called with each result line as soon as it is measured. */
  log?: (line: string) => void;
}

export interface SchemaSnapshotBenchResult {
  name: string;
  engine: 'sqlite' | 'postgres';
  /** `rows`: snapshot with row counts (what `moonwalk schema`/`diff` take); `fingerprint`: counts + data fingerprints. */
  mode: 'rows' | 'fingerprint';
  tables: number;
  rowsPerTable: number;
  runs: number;
  /** Median of snapshot + diff, ms. */
  median_ms: number;
  /** Median of the snapshot alone and of the diff alone, ms. */
  snapshot_ms: number;
  diff_ms: number;
  /** Median CPU time of the process per run (all its threads), ms: steadier than wall time on a busy machine. */
  cpu_ms: number;
  min_ms: number;
  max_ms: number;
  /** The target for the `rows` mode; null for the `fingerprint` mode (no target given). */
  target_ms: number | null;
  within_target: boolean | null;
  /** Changes the diff found (a sanity check: 1 column added). */
  changes: number;
  line: string;
}

const TARGETS = { sqlite: 50, postgres: 200 } as const;

/** The DDL of the benchmark schema: table t_i references t_(i-1) (t_0 references itself). */
export function benchSchemaSql(tables: number, engine: 'sqlite' | 'postgres'): string[] {
  const id = engine === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'integer PRIMARY KEY';
  const statements: string[] = [];
  for (let i = 0; i < tables; i++) {
    const parent = `t_${String(Math.max(0, i - 1)).padStart(3, '0')}`;
    const t = `t_${String(i).padStart(3, '0')}`;
    statements.push(
      `CREATE TABLE ${t} (id ${id}, parent_id integer REFERENCES ${parent} (id) ON DELETE CASCADE, ` +
        `name varchar(80) NOT NULL, score integer DEFAULT 0, created_at text)`,
      `CREATE INDEX ${t}_name ON ${t} (name)`,
      `CREATE UNIQUE INDEX ${t}_parent_score ON ${t} (parent_id, score)`,
    );
  }
  return statements;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function createSchema(engine: 'sqlite' | 'postgres', driver: Driver, tables: number, rowsPerTable: number) {
  await driver.begin();
  for (const sql of benchSchemaSql(tables, engine)) await driver.exec(sql);
  for (let i = 0; i < tables && rowsPerTable > 0; i++) {
    const t = `t_${String(i).padStart(3, '0')}`;
    const values: string[] = [];
    for (let r = 1; r <= rowsPerTable; r++)
      values.push(`(${r}, ${i === 0 ? 'NULL' : r}, 'row ${r}', ${r}, '2024-01-01')`);
    await driver.exec(`INSERT INTO ${t} (id, parent_id, name, score, created_at) VALUES ${values.join(', ')}`);
  }
  await driver.commit();
}

async function measure(
  engine: 'sqlite' | 'postgres',
  mode: 'rows' | 'fingerprint',
  driver: Driver,
  tables: number,
  rowsPerTable: number,
  runs: number,
  warmup: number,
): Promise<SchemaSnapshotBenchResult> {
  const options = { rows: true, fingerprint: mode === 'fingerprint' };
  const before = await takeSnapshot(driver, options);
  await driver.exec('ALTER TABLE t_000 ADD COLUMN note text');
  try {
    const totals: number[] = [];
    const snapshots: number[] = [];
    const diffs: number[] = [];
    const cpu: number[] = [];
    let changes = 0;
    for (let i = 0; i < warmup + runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const after = await takeSnapshot(driver, options);
      const t1 = performance.now();
      changes = diffSnapshots(before, after).length;
      const t2 = performance.now();
      const c1 = process.cpuUsage(c0);
      if (i >= warmup) {
        cpu.push((c1.user + c1.system) / 1000);
        totals.push(t2 - t0);
        snapshots.push(t1 - t0);
        diffs.push(t2 - t1);
      }
    }
    const what = mode === 'rows' ? 'schema snapshot + diff' : 'schema snapshot with data fingerprints + diff';
    const data = rowsPerTable > 0 ? `, ${rowsPerTable} rows each` : '';
    const name = `${what}, ${tables} tables${data}, ${engine === 'sqlite' ? 'SQLite (sql.js)' : 'PostgreSQL (PGlite)'}`;
    const med = round(median(totals));
    const target = mode === 'rows' ? TARGETS[engine] : null;
    const result: SchemaSnapshotBenchResult = {
      name,
      engine,
      mode,
      tables,
      rowsPerTable,
      runs,
      median_ms: med,
      snapshot_ms: round(median(snapshots)),
      diff_ms: round(median(diffs)),
      cpu_ms: round(median(cpu)),
      min_ms: round(Math.min(...totals)),
      max_ms: round(Math.max(...totals)),
      target_ms: target,
      within_target: target === null ? null : med <= target,
      changes,
      line: '',
    };
    result.line =
      `${name}: median ${med} ms (snapshot ${result.snapshot_ms} ms + diff ${result.diff_ms} ms; ` +
      `min ${result.min_ms}, max ${result.max_ms}, CPU ${result.cpu_ms} ms, ${runs} runs)` +
      (target === null ? '' : ` — target ${target} ms: ${result.within_target ? 'met' : 'MISSED'}`);
    return result;
  } finally {
    await driver.exec('ALTER TABLE t_000 DROP COLUMN note');
  }
}

/** Runs the benchmark on each engine and answers one result per engine. Closes every database it opens. */
export async function benchSchemaSnapshot(
  options: SchemaSnapshotBenchOptions = {},
): Promise<SchemaSnapshotBenchResult[]> {
  const tables = options.tables ?? 300;
  const runs = options.runs ?? 15;
  const warmup = options.warmup ?? 5;
  const engines = options.engines ?? ['sqlite', 'postgres'];
  const rowsPerTable = options.rowsPerTable ?? 0;
  const modes: Array<'rows' | 'fingerprint'> = options.fingerprint === false ? ['rows'] : ['rows', 'fingerprint'];
  const results: SchemaSnapshotBenchResult[] = [];
  for (const engine of engines) {
    const driver = engine === 'sqlite' ? await openSqlJs() : await openPglite();
    try {
      await createSchema(engine, driver, tables, rowsPerTable);
      for (const mode of modes) {
        const result = await measure(engine, mode, driver, tables, rowsPerTable, runs, warmup);
        results.push(result);
        options.log?.(result.line);
      }
    } finally {
      await driver.close();
    }
  }
  return results;
}

// Run on its own: `node dist/bench/schema-snapshot.js [sqlite|postgres] [--rows-per-table N]`.
const self = typeof process !== 'undefined' ? process.argv[1] : undefined;
if (self !== undefined && /schema-snapshot\.(js|ts)$/.test(self)) {
  const args = process.argv.slice(2);
  const only = args.find((a): a is 'sqlite' | 'postgres' => a === 'sqlite' || a === 'postgres');
  const seeded = args.indexOf('--rows-per-table');
  await benchSchemaSnapshot({
    log: (line) => console.log(line),
    ...(only ? { engines: [only] } : {}),
    ...(seeded >= 0 ? { rowsPerTable: Number(args[seeded + 1]) } : {}),
  });
}
