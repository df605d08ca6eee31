/**
 * A migration that inserts 100,000 rows through `db:prepare` in a Lua loop, on sql.js and on PGlite (in memory),
 * against the same inserts written in plain JavaScript on that engine:
 *
 *   local stmt = db:prepare("INSERT INTO items (id, name, price) VALUES (?, ?, ?)")
 *   for i = 1, 100000 do stmt:execute({i, "item " .. i, i * 0.5}) end
 *
 * Timed for Moonwalk: a fresh `LuaHost` (instruction and Lua-time limits raised for the loop), `migrationFiles`,
 * `Migrator`, `up()` — compiling the file, the ledger, BEGIN, CREATE TABLE items, the 100,000 inserts, the ledger
 * row, COMMIT. Timed for plain JS: CREATE TABLE items and the inserts in one transaction —
 * - sql.js: one prepared statement, `stmt.run([...])` per row between BEGIN and COMMIT (the ratio peer);
 * - PGlite: `tx.query(sql, params)` per row inside `pg.transaction()`, each awaited before the next (the ratio peer:
 *   that is what a migration does), and, reported as second peers, the fastest bulk ways found: one
 *   `INSERT … SELECT * FROM unnest($1::int[], $2::text[], $3::float8[])` with three arrays, and `COPY … FROM
 *   '/dev/blob'` with CSV built in JS.
 * Opening the database is not timed: sql.js gets a fresh database per run; each PGlite instance is opened once and
 * the tables are dropped between runs (opening PGlite takes seconds). Every run is checked (row count and price sum).
 *
 * Targets: Moonwalk's throughput at least 1/3 of plain JS on sql.js and 1/2 on PGlite.
 *
 * The loop discards each result, as the guide's loops do, so Moonwalk builds no result table and sql.js runs no
 * `SELECT last_insert_rowid()` for it. On sql.js the same loop keeping each result (`local r = stmt:execute(...)`)
 * is reported beside it, so the price of a kept result stays visible.
 */
import initSqlJs from 'sql.js';
import { PGlite } from '@electric-sql/pglite';
import { Migrator } from '../src/core/migrator.ts';
import { migrationFiles } from '../src/core/migration-files.ts';
import { LuaHost } from '../src/core/lua/host.ts';
import type { Limits } from '../src/core/lua/limits.ts';
import type { Driver } from '../src/core/driver.ts';
import { openSqlJs } from '../src/drivers/sqljs.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import {
  Samples,
  formatMs,
  formatRate,
  formatRatio,
  spreadOf,
  type BenchRow,
  type SuiteReport,
  type TargetCheck,
} from './util.ts';

export interface PreparedInsertsBenchOptions {
  /** Rows inserted per run (default 100,000). */
  rows?: number;
  /** Measured runs per contender on sql.js (default 5) and on PGlite (default 3); warm-up runs (2,000 rows) first. */
  sqljsRuns?: number;
  pgliteRuns?: number;
  engines?: Array<'sqlite' | 'postgres'>;
  progress?: (line: string) => void;
}

const SUITE = 'prepared-inserts';
const LIMITS: Limits = { instructions: 1e9, luaTimeMs: 120_000 };
const INSERT_Q = 'INSERT INTO items (id, name, price) VALUES (?, ?, ?)';
const INSERT_PG = 'INSERT INTO items (id, name, price) VALUES ($1, $2, $3)';
const CREATE_SQLITE = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL)';
const CREATE_PG = 'CREATE TABLE items (id integer PRIMARY KEY, name text, price double precision)';

/** The loop body: the guide's call statement, or the same call keeping its result. */
const DISCARD_RESULT = 'stmt:execute({i, "item " .. i, i * 0.5})';
const KEEP_RESULT = 'local r = stmt:execute({i, "item " .. i, i * 0.5})';

function migrationText(rows: number, body: string): string {
  const block = (engine: string, create: string) =>
    `    database("${engine}", function()\n` +
    '      up(function(db)\n' +
    `        db:execute("${create}")\n` +
    `        local stmt = db:prepare("${INSERT_Q}")\n` +
    `        for i = 1, ${rows} do ${body} end\n` +
    '      end)\n' +
    '      down(function(db) db:execute("DROP TABLE items") end)\n' +
    '    end)\n';
  return (
    'return require("migration").define(function()\n' +
    `  migration("insert ${rows} items", function()\n` +
    block('sqlite', CREATE_SQLITE) +
    block('postgres', CREATE_PG) +
    '  end)\n' +
    'end)\n'
  );
}

/** sum(price) the inserts must leave: 0.5 · n(n+1)/2. */
const expectedSum = (rows: number) => (rows * (rows + 1)) / 4;

function check(label: string, rows: number, count: unknown, sum: unknown): void {
  if (Number(count) !== rows || Math.abs(Number(sum) - expectedSum(rows)) > 1e-6 * expectedSum(rows)) {
    throw new Error(
      `${label}: found ${String(count)} rows summing to ${String(sum)}, expected ${rows} and ${expectedSum(rows)}`,
    );
  }
}

/** Moonwalk: the whole `up()` of the one migration, on an open driver. */
async function moonwalkRun(driver: Driver, rows: number, body = DISCARD_RESULT): Promise<number> {
  const t0 = performance.now();
  const host = new LuaHost(LIMITS);
  const text = migrationText(rows, body);
  const migrator = new Migrator({ driver, host, files: migrationFiles([{ name: '0001_insert_items.lua', text }]) });
  const result = await migrator.up();
  const ms = performance.now() - t0;
  migrator.dispose();
  if (!result.ok) throw new Error(`Moonwalk up failed: ${result.error?.message}`);
  const q = await driver.query('SELECT count(*), sum(price) FROM items', []);
  check('Moonwalk', rows, q.rows[0][0], q.rows[0][1]);
  return ms;
}

// ---------------------------------------------------------------------------------------------------------------
// sql.js

type SqlJs = Awaited<ReturnType<typeof initSqlJs>>;

function sqlJsRaw(SQL: SqlJs, rows: number): number {
  const db = new SQL.Database();
  try {
    const t0 = performance.now();
    db.run(CREATE_SQLITE);
    db.run('BEGIN');
    const stmt = db.prepare(INSERT_Q);
    for (let i = 1; i <= rows; i++) stmt.run([i, `item ${i}`, i * 0.5]);
    stmt.free();
    db.run('COMMIT');
    const ms = performance.now() - t0;
    const r = db.exec('SELECT count(*), sum(price) FROM items')[0].values[0];
    check('sql.js plain JS', rows, r[0], r[1]);
    return ms;
  } finally {
    db.close();
  }
}

async function moonwalkSqlJs(rows: number, body = DISCARD_RESULT): Promise<number> {
  const driver = await openSqlJs();
  try {
    return await moonwalkRun(driver, rows, body);
  } finally {
    await driver.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PGlite

async function pgCheckAndDrop(pg: PGlite, label: string, rows: number): Promise<void> {
  const r = await pg.query<[number, number]>('SELECT count(*)::int, sum(price) FROM items', [], { rowMode: 'array' });
  check(label, rows, r.rows[0][0], r.rows[0][1]);
  await pg.exec('DROP TABLE items');
}

async function pgOneByOne(pg: PGlite, rows: number): Promise<number> {
  const t0 = performance.now();
  await pg.transaction(async (tx) => {
    await tx.exec(CREATE_PG);
    for (let i = 1; i <= rows; i++) await tx.query(INSERT_PG, [i, `item ${i}`, i * 0.5]);
  });
  const ms = performance.now() - t0;
  await pgCheckAndDrop(pg, 'PGlite one by one', rows);
  return ms;
}

async function pgUnnest(pg: PGlite, rows: number): Promise<number> {
  const t0 = performance.now();
  const ids = new Array<number>(rows);
  const names = new Array<string>(rows);
  const prices = new Array<number>(rows);
  for (let i = 1; i <= rows; i++) {
    ids[i - 1] = i;
    names[i - 1] = `item ${i}`;
    prices[i - 1] = i * 0.5;
  }
  await pg.transaction(async (tx) => {
    await tx.exec(CREATE_PG);
    await tx.query('INSERT INTO items (id, name, price) SELECT * FROM unnest($1::int[], $2::text[], $3::float8[])', [
      ids,
      names,
      prices,
    ]);
  });
  const ms = performance.now() - t0;
  await pgCheckAndDrop(pg, 'PGlite unnest', rows);
  return ms;
}

async function pgCopy(pg: PGlite, rows: number): Promise<number> {
  const t0 = performance.now();
  const parts = new Array<string>(rows);
  for (let i = 1; i <= rows; i++) parts[i - 1] = `${i},item ${i},${i * 0.5}\n`;
  const blob = new Blob([parts.join('')]);
  await pg.transaction(async (tx) => {
    await tx.exec(CREATE_PG);
    await tx.query("COPY items (id, name, price) FROM '/dev/blob' WITH (FORMAT csv)", [], { blob });
  });
  const ms = performance.now() - t0;
  await pgCheckAndDrop(pg, 'PGlite COPY', rows);
  return ms;
}

async function moonwalkPglite(driver: Driver, rows: number): Promise<number> {
  const ms = await moonwalkRun(driver, rows);
  await driver.exec('DROP TABLE items; DROP TABLE _migrations');
  return ms;
}

// ---------------------------------------------------------------------------------------------------------------

const WARMUP_ROWS = 2000;

function throughputRow(
  name: string,
  rows: number,
  s: Samples,
  ratio: string,
  target = '',
  met: boolean | null = null,
): BenchRow {
  return {
    name,
    figure: `${formatRate(rows / (s.median / 1000), 'rows')} (${formatMs(s.median)})`,
    spread: spreadOf(s),
    ratio,
    target,
    met,
  };
}

export async function benchPreparedInserts(options: PreparedInsertsBenchOptions = {}): Promise<SuiteReport> {
  const rows = options.rows ?? 100_000;
  const engines = options.engines ?? ['sqlite', 'postgres'];
  const progress = options.progress ?? (() => {});
  const tableRows: BenchRow[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  // throughput ratio = peer time / Moonwalk time
  const share = (moonwalk: Samples, peer: Samples) => peer.median / moonwalk.median;

  if (engines.includes('sqlite')) {
    const runs = options.sqljsRuns ?? 5;
    const SQL = await initSqlJs();
    const moonwalk = new Samples();
    const kept = new Samples();
    const raw = new Samples();
    progress(`${SUITE}: sql.js warm-up`);
    for (let i = 0; i < 2; i++) {
      await moonwalkSqlJs(WARMUP_ROWS);
      await moonwalkSqlJs(WARMUP_ROWS, KEEP_RESULT);
      sqlJsRaw(SQL, WARMUP_ROWS);
    }
    for (let r = 0; r < runs; r++) {
      progress(`${SUITE}: sql.js run ${r + 1}/${runs}`);
      if (r % 2 === 0) {
        moonwalk.add(await moonwalkSqlJs(rows));
        raw.add(sqlJsRaw(SQL, rows));
      } else {
        raw.add(sqlJsRaw(SQL, rows));
        moonwalk.add(await moonwalkSqlJs(rows));
      }
      kept.add(await moonwalkSqlJs(rows, KEEP_RESULT));
    }
    const ratio = share(moonwalk, raw);
    const met = ratio >= 1 / 3;
    tableRows.push(
      throughputRow(
        'sql.js — Moonwalk migration (Lua loop, db:prepare)',
        rows,
        moonwalk,
        `${formatRatio(ratio)} plain-JS throughput`,
        '≥ 1/3 of plain JS (0.33×)',
        met,
      ),
      throughputRow(
        'sql.js — the same loop keeping each result (local r = stmt:execute(...))',
        rows,
        kept,
        `${formatRatio(share(kept, raw))} plain-JS throughput`,
      ),
      throughputRow('sql.js — plain JS: prepared stmt.run() in a transaction', rows, raw, 'peer'),
    );
    targets.push({
      suite: SUITE,
      description: `sql.js: Moonwalk's prepared inserts at ≥ 1/3 of plain JS throughput`,
      met,
      detail: `${formatRatio(ratio)} (${formatMs(moonwalk.median)} vs ${formatMs(raw.median)} for ${rows.toLocaleString('en-US')} rows)`,
    });
    notes.push(`sql.js: median of ${runs} runs each, alternating, after 2 warm-up runs of ${WARMUP_ROWS} rows`);
  }

  if (engines.includes('postgres')) {
    const runs = options.pgliteRuns ?? 3;
    progress(`${SUITE}: opening PGlite (twice: the Moonwalk driver and a plain instance)`);
    const driver = await openPglite();
    const pg = await PGlite.create();
    try {
      const moonwalk = new Samples();
      const oneByOne = new Samples();
      const unnest = new Samples();
      const copy = new Samples();
      progress(`${SUITE}: PGlite warm-up`);
      await moonwalkPglite(driver, WARMUP_ROWS);
      await pgOneByOne(pg, WARMUP_ROWS);
      await pgUnnest(pg, WARMUP_ROWS);
      await pgCopy(pg, WARMUP_ROWS);
      for (let r = 0; r < runs; r++) {
        progress(`${SUITE}: PGlite run ${r + 1}/${runs}`);
        if (r % 2 === 0) {
          moonwalk.add(await moonwalkPglite(driver, rows));
          oneByOne.add(await pgOneByOne(pg, rows));
        } else {
          oneByOne.add(await pgOneByOne(pg, rows));
          moonwalk.add(await moonwalkPglite(driver, rows));
        }
        unnest.add(await pgUnnest(pg, rows));
        copy.add(await pgCopy(pg, rows));
      }
      const ratio = share(moonwalk, oneByOne);
      const met = ratio >= 1 / 2;
      const fastest = unnest.median <= copy.median ? 'unnest' : 'COPY';
      tableRows.push(
        throughputRow(
          'PGlite — Moonwalk migration (Lua loop, db:prepare)',
          rows,
          moonwalk,
          `${formatRatio(ratio)} one-by-one · ${formatRatio(share(moonwalk, unnest))} unnest · ` +
            `${formatRatio(share(moonwalk, copy))} COPY`,
          '≥ 1/2 of one-by-one (0.50×)',
          met,
        ),
        throughputRow('PGlite — plain JS: tx.query() per row, awaited one by one', rows, oneByOne, 'peer (target)'),
        throughputRow(
          `PGlite — plain JS bulk: INSERT … SELECT unnest(3 arrays)${fastest === 'unnest' ? ' [fastest]' : ''}`,
          rows,
          unnest,
          'peer',
        ),
        throughputRow(
          `PGlite — plain JS bulk: COPY FROM '/dev/blob' (CSV)${fastest === 'COPY' ? ' [fastest]' : ''}`,
          rows,
          copy,
          'peer',
        ),
      );
      targets.push({
        suite: SUITE,
        description: `PGlite: Moonwalk's prepared inserts at ≥ 1/2 of plain JS one-by-one throughput`,
        met,
        detail:
          `${formatRatio(ratio)} (${formatMs(moonwalk.median)} vs ${formatMs(oneByOne.median)} for ` +
          `${rows.toLocaleString('en-US')} rows; fastest plain JS, ${fastest}: ${formatMs(Math.min(unnest.median, copy.median))})`,
      });
      notes.push(
        `PGlite (in memory): median of ${runs} runs each, Moonwalk and one-by-one alternating, after a ` +
          `warm-up run of ${WARMUP_ROWS} rows each`,
      );
    } finally {
      await driver.close();
      await pg.close();
    }
  }

  notes.push(
    'ratio = Moonwalk throughput / peer throughput (1/3 = 0.33×, 1/2 = 0.50×); every run checks count and sum(price)',
  );
  return {
    title: `Prepared inserts in a migration: ${rows.toLocaleString('en-US')} rows through db:prepare in a Lua loop`,
    rows: tableRows,
    targets,
    notes,
  };
}

// Run on its own: `node dist/bench/prepared-inserts.js [sqlite|postgres] [rows]`.
const self = typeof process !== 'undefined' ? process.argv[1] : undefined;
if (self !== undefined && /prepared-inserts\.(js|ts)$/.test(self)) {
  const { renderSuite } = await import('./util.ts');
  const only = process.argv[2] as 'sqlite' | 'postgres' | undefined;
  const rows = process.argv[3] ? Number(process.argv[3]) : undefined;
  const report = await benchPreparedInserts({
    progress: (line) => console.error(line),
    ...(only ? { engines: [only] } : {}),
    ...(rows ? { rows } : {}),
  });
  console.log(renderSuite(report));
}
