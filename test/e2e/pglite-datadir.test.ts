// PostgreSQL's data directory prepared at build time (scripts/pglite-datadir.ts, src/web/worker/datadir-pack.ts),
// without a browser: the packing is lossless, refuses damaged input, and PGlite starts from what the build makes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { openPglite } from '../../src/drivers/pglite.ts';
import { packDataDir, unpackDataDir } from '../../src/web/worker/datadir-pack.ts';
import { DATADIR_FILE, ensurePgliteDataDir } from '../../scripts/pglite-datadir.ts';
import { root } from './harness.ts';

/** A ustar archive of `files` (regular files only), as PGlite's dumpDataDir writes one. */
function tar(files: Array<[string, Uint8Array]>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of files) {
    const header = new Uint8Array(512);
    const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\x0000', 257);
    const sum = header.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const page = (seed: number) => Uint8Array.from({ length: 8192 }, (_, i) => (i * seed + (i >> 7)) & 0xff);

describe('the prepared PostgreSQL data directory', () => {
  test('packing keeps the tar byte for byte and stores a repeated page once', () => {
    const a = page(7);
    const b = page(13);
    const both = new Uint8Array(3 * 8192 + 100);
    both.set(a, 0);
    both.set(b, 8192);
    both.set(a, 2 * 8192);
    both.fill(9, 3 * 8192);
    const archive = tar([
      ['/base/1/1255', a],
      ['/base/4/1255', a],
      ['/base/5/1255', both],
      ['/pg_wal/000000010000000000000002', new Uint8Array(16 * 8192)],
      ['/PG_VERSION', new TextEncoder().encode('18\n')],
      ['/empty', new Uint8Array(0)],
    ]);
    const packed = packDataDir(archive);
    expect(unpackDataDir(packed)).toEqual(archive);
    // two distinct pages, plus headers and the odd tails: far less than the five pages and the zeros of the archive
    expect(packed.length).toBeLessThan(2 * 8192 + 8 * 512);
  });

  test('damaged input is refused, not loaded', () => {
    const packed = packDataDir(
      tar([
        ['/a', page(3)],
        ['/b', new TextEncoder().encode('x')],
      ]),
    );
    expect(() => unpackDataDir(packed.subarray(0, packed.length - 1))).toThrow(/damaged/);
    expect(() => unpackDataDir(Uint8Array.of(1, 2, 3))).toThrow(/damaged/);
    const wrong = packed.slice();
    wrong[0] = 0;
    expect(() => unpackDataDir(wrong)).toThrow(/damaged/);
    const outOfRange = packed.slice();
    new DataView(outOfRange.buffer).setUint32(7 * 4 + 4, 99, true); // the first page reference names page 99
    expect(() => unpackDataDir(outOfRange)).toThrow(/damaged/);
  });

  test('PGlite starts from what the build makes and works as a fresh database', async () => {
    await ensurePgliteDataDir(root); // made once per PGlite version, else reused
    const stamp = JSON.parse(readFileSync(join(root, DATADIR_FILE.replace(/\.bin$/, '.json')), 'utf8')) as {
      gzipBytes: number;
    };
    const gz = readFileSync(join(root, DATADIR_FILE));
    expect(gz.length).toBe(stamp.gzipBytes);
    expect(gz.length).toBeLessThan(2 * 1024 * 1024); // the plain dumpDataDir('gzip') tarball is ~4.5 MB
    const tarball = unpackDataDir(new Uint8Array(gunzipSync(gz)));
    const driver = await openPglite({ loadDataDir: new Blob([tarball], { type: 'application/x-tar' }) });
    try {
      const databases = await driver.query('SELECT datname FROM pg_database ORDER BY datname', []);
      expect(databases.rows.map((r) => r[0])).toEqual(['postgres', 'template0', 'template1']);
      expect((await driver.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", [])).rows).toEqual([
        [0],
      ]);
      await driver.exec('CREATE TABLE t (id SERIAL PRIMARY KEY, name TEXT NOT NULL)');
      await driver.execute("INSERT INTO t (name) VALUES ('a'), ('b')", []);
      expect((await driver.query('SELECT count(*) FROM t', [])).rows).toEqual([[2]]);
    } finally {
      await driver.close();
    }
  }, 120_000);
});
