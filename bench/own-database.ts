/**
 * Your own database in the playground (issue 13), in the page's worker code path run in Node:
 * - a 100 MB SQLite file (made here by better-sqlite3: 840,000 rows, an index and a `_migrations` ledger) opened to
 *   "ready" as the worker's `baseline` request does it: `startFrom` (src/web/worker/baseline.ts: sql.js opens the
 *   bytes, the schema is read once), then what the page shows once ready: the ledger against the files (status) and
 *   the schema snapshot with row counts. Peer: sql.js opening the same bytes and counting its tables, nothing more.
 * - a `pg_dump` plain dump of 100,000 rows (SET and set_config lines, a psql meta-command, CREATE TABLE, one
 *   `COPY … FROM stdin` block, the primary key added after the data, as pg_dump writes it) loaded into PGlite by the
 *   page's loader (src/core/dump-load.ts: parsed, COPY rows turned into INSERTs, one transaction). Peer: PGlite's own
 *   `COPY … FROM '/dev/blob'` of the same rows (the fastest way into PGlite), and `exec` of the dump's statements.
 * No targets: the figures are reported (and the ratios to the peers) for the closing note.
 */
import initSqlJs from 'sql.js';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openSqlJs } from '../src/drivers/sqljs.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import { startFrom } from '../src/web/worker/baseline.ts';
import { loadSqlDump } from '../src/core/dump-load.ts';
import { Migrator } from '../src/core/migrator.ts';
import { migrationFiles } from '../src/core/migration-files.ts';
import { LuaHost } from '../src/core/lua/host.ts';
import { takeSnapshot } from '../src/core/schema/index.ts';
import type { Driver } from '../src/core/driver.ts';
import { Samples, formatMs, formatRate, formatRatio, spreadOf, tempDir, type SuiteReport } from './util.ts';

export interface OwnDatabaseBenchOptions {
  /** Rows of the SQLite file (default 840,000: about 100 MB). */
  fileRows?: number;
  /** Rows of the pg_dump (default 100,000). */
  dumpRows?: number;
  runs?: number;
  progress?: (line: string) => void;
}

const MIGRATION = (id: string) => ({
  name: `${id}.lua`,
  text: `return require("migration").define(function()
  migration("${id}", function()
    database("sqlite", function()
      up(function(db) db:execute("CREATE TABLE IF NOT EXISTS t_${id} (id INTEGER)") end)
      down(function(db) db:execute("DROP TABLE t_${id}") end)
    end)
  end)
end)
`,
});
const FILES = ['0001_items', '0002_notes', '0003_pending'].map(MIGRATION);

function makeSqliteFile(path: string, rows: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, note TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO items SELECT i, 'item ' || i, i * 0.5, hex(randomblob(38)) FROM n;
    CREATE INDEX items_name ON items (name);
    CREATE TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER NOT NULL DEFAULT (strftime('%s','now')), checksum TEXT);
    INSERT INTO _migrations (id, description) VALUES ('0001_items', '0001_items'), ('0002_notes', '0002_notes');
  `);
  db.close();
  return readFileSync(path).length;
}

/** A pg_dump plain dump of `rows` rows, as pg_dump 15 writes it. */
function pgDump(rows: number): { dump: string; tsv: string } {
  const lines: string[] = [];
  for (let i = 1; i <= rows; i++) lines.push(`${i}\titem ${i}\t${i * 0.5}\t2024-01-0${1 + (i % 9)} 10:00:00+00`);
  const tsv = lines.join('\n') + '\n';
  const dump = `--
-- PostgreSQL database dump
--

\\restrict abc123

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;

CREATE TABLE public.items (
    id integer NOT NULL,
    name text NOT NULL,
    price numeric,
    created_at timestamp with time zone
);

ALTER TABLE public.items OWNER TO app;

COPY public.items (id, name, price, created_at) FROM stdin;
${tsv}\\.

ALTER TABLE ONLY public.items
    ADD CONSTRAINT items_pkey PRIMARY KEY (id);

\\unrestrict abc123
`;
  return { dump, tsv };
}

async function ready(bytes: Uint8Array): Promise<number> {
  const started = await startFrom((_engine, file) => openSqlJs(file ? { data: file } : {}), 'sqlite', {
    kind: 'sqlite-file',
    name: 'big.sqlite',
    bytes,
  });
  if (!started.ok) throw new Error(started.message);
  const driver = started.driver;
  const migrator = new Migrator({ driver, files: migrationFiles(FILES), host: new LuaHost() });
  const status = await migrator.status();
  migrator.dispose();
  const snapshot = await takeSnapshot(driver);
  await driver.close();
  if (status.migrations.filter((s) => s.status === 'applied').length !== 2) throw new Error('the ledger was not read');
  return snapshot.tables.find((t) => t.name === 'items')?.rows ?? 0;
}

export async function benchOwnDatabase(options: OwnDatabaseBenchOptions = {}): Promise<SuiteReport> {
  const progress = options.progress ?? (() => {});
  const fileRows = options.fileRows ?? 840_000;
  const dumpRows = options.dumpRows ?? 100_000;
  const runs = options.runs ?? 3;
  const dir = tempDir('moonwalk-bench-own-');
  try {
    progress(`own-database: making a SQLite file of ${fileRows.toLocaleString('en')} rows`);
    const path = join(dir.path, 'big.sqlite');
    const size = makeSqliteFile(path, fileRows);
    const bytes = new Uint8Array(readFileSync(path));
    const SQL = await initSqlJs();
    const open = new Samples();
    const peerOpen = new Samples();
    for (let i = 0; i < runs; i++) {
      progress(`own-database: open to ready, run ${i + 1} of ${runs}`);
      let t = performance.now();
      const rows = await ready(bytes.slice());
      open.add(performance.now() - t);
      if (rows !== fileRows) throw new Error(`read ${rows} rows, not ${fileRows}`);
      t = performance.now();
      const db = new SQL.Database(bytes.slice());
      db.exec("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
      db.close();
      peerOpen.add(performance.now() - t);
    }

    const { dump, tsv } = pgDump(dumpRows);
    const load = new Samples();
    const copy = new Samples();
    progress('own-database: starting PGlite');
    const driver: Driver = await openPglite();
    const pg = await PGlite.create();
    try {
      for (let i = 0; i < runs; i++) {
        progress(`own-database: pg_dump of ${dumpRows.toLocaleString('en')} rows into PGlite, run ${i + 1} of ${runs}`);
        await driver.exec('DROP TABLE IF EXISTS public.items');
        let t = performance.now();
        const loaded = await loadSqlDump(driver, dump);
        load.add(performance.now() - t);
        if (!loaded.ok) throw new Error(`the dump failed: ${loaded.error.message}`);
        const count = await driver.query('SELECT count(*)::int FROM public.items', []);
        if (count.rows[0]?.[0] !== dumpRows) throw new Error('the dump did not load every row');

        await pg.exec('DROP TABLE IF EXISTS items');
        t = performance.now();
        await pg.exec(
          'CREATE TABLE items (id integer NOT NULL, name text NOT NULL, price numeric, created_at timestamptz)',
        );
        await pg.query("COPY items FROM '/dev/blob'", [], { blob: new Blob([tsv]) });
        await pg.exec('ALTER TABLE ONLY items ADD CONSTRAINT items_pkey PRIMARY KEY (id)');
        copy.add(performance.now() - t);
      }
    } finally {
      await driver.close();
      await pg.close();
    }
    const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
    return {
      title: 'Your own database (bench/own-database.ts)',
      rows: [
        {
          name: `open a ${mb(size)} SQLite file to ready (worker path)`,
          figure: formatMs(open.median),
          spread: spreadOf(open),
          ratio: `${formatRatio(open.median / peerOpen.median)} sql.js open`,
          target: '',
          met: null,
        },
        {
          name: '  peer: sql.js opens the bytes',
          figure: formatMs(peerOpen.median),
          spread: spreadOf(peerOpen),
          ratio: '',
          target: '',
          met: null,
        },
        {
          name: `load a pg_dump of ${dumpRows.toLocaleString('en')} rows into PGlite`,
          figure: formatMs(load.median),
          spread: spreadOf(load),
          ratio: `${formatRatio(load.median / copy.median)} COPY`,
          target: '',
          met: null,
        },
        {
          name: "  peer: PGlite's COPY FROM '/dev/blob'",
          figure: formatMs(copy.median),
          spread: spreadOf(copy),
          ratio: '',
          target: '',
          met: null,
        },
      ],
      targets: [],
      notes: [
        `ready = sql.js holds the file, the schema read, the ledger against 3 files (2 applied), the snapshot with row counts (${fileRows.toLocaleString('en')} rows)`,
        `the dump: ${mb(dump.length)}, ${formatRate((dumpRows / load.median) * 1000, 'rows')} through the page's loader`,
      ],
    };
  } finally {
    dir.remove();
  }
}
