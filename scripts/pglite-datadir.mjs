#!/usr/bin/env node
/**
 * Writes a PostgreSQL data directory as PGlite's initdb leaves it, as an uncompressed tar (`dumpDataDir('none')`):
 *
 *   node scripts/pglite-datadir.mjs OUT.tar
 *
 * The playground's build packs it for the browser (scripts/pglite-datadir.ts, run by the Vite plugin in
 * vite.config.ts), so that the worker starts PGlite with `loadDataDir` instead of running initdb (seconds) each time.
 * One change to what initdb leaves: the WAL written during initdb is dropped (a segment switch and a checkpoint with
 * `wal_recycle` off delete the old segment; the new one is zero-filled), which shrinks the download by a third and
 * changes nothing a database user can see. The tar is then loaded once to check that PostgreSQL starts from it.
 */
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/pglite-datadir.mjs OUT.tar');
  process.exit(2);
}

const pg = await PGlite.create();
let tar;
try {
  await pg.exec('SET wal_recycle = off');
  await pg.query('SELECT pg_switch_wal()');
  await pg.exec('CHECKPOINT');
  const segments = (await pg.query('SELECT name FROM pg_ls_waldir() ORDER BY name')).rows.map((r) => r.name);
  if (segments.length !== 1)
    throw new Error(`expected one WAL segment after the checkpoint, found ${segments.join(', ')}`);
  tar = await pg.dumpDataDir('none');
} finally {
  await pg.close();
}

const check = await PGlite.create({ loadDataDir: tar });
try {
  const { rows } = await check.query(
    "SELECT count(*)::int AS n FROM pg_database WHERE datname IN ('postgres', 'template0', 'template1')",
  );
  if (rows[0]?.n !== 3) throw new Error('the dumped data directory does not hold the three databases initdb makes');
} finally {
  await check.close();
}

writeFileSync(out, new Uint8Array(await tar.arrayBuffer()));
