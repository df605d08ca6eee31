/**
 * The build step that prepares PostgreSQL's data directory for the playground (a Vite plugin, used in
 * vite.config.ts, so `vite build`, `npm run build`, `npm start`, the e2e tests' build and `vite` (dev) all get it).
 *
 * `scripts/pglite-datadir.mjs` (in its own Node process: PGlite keeps a process busy until it is closed) runs initdb
 * once and dumps the directory as a tar; this packs it (`src/web/worker/datadir-pack.ts`: each distinct page once,
 * ~40 MB of tar → ~8 MB), checks that it unpacks to the same bytes, gzips it, and writes
 * `src/web/worker/generated/pglite-datadir.bin` (git-ignored), which the worker imports with `?url`: the build emits
 * it as a hashed asset. It is made again only when PGlite's version, the script or the format change (the key is
 * kept next to it in `pglite-datadir.json`), so a build normally costs nothing here.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger, Plugin } from 'vite';
import { packDataDir, unpackDataDir } from '../src/web/worker/datadir-pack.ts';

export const DATADIR_FILE = 'src/web/worker/generated/pglite-datadir.bin';

interface Stamp {
  key: string;
  tarBytes: number;
  packedBytes: number;
  gzipBytes: number;
}

function cacheKey(root: string): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  };
  hash.update(pglite.version);
  for (const file of ['scripts/pglite-datadir.mjs', 'scripts/pglite-datadir.ts', 'src/web/worker/datadir-pack.ts']) {
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

function runScript(root: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/pglite-datadir.mjs'), out], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`scripts/pglite-datadir.mjs failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Makes `DATADIR_FILE` unless it is there and current; returns what it did. */
export async function ensurePgliteDataDir(root: string): Promise<{ made: boolean; ms: number; stamp: Stamp }> {
  const started = Date.now();
  const file = join(root, DATADIR_FILE);
  const stampFile = file.replace(/\.bin$/, '.json');
  const key = cacheKey(root);
  if (existsSync(file) && existsSync(stampFile)) {
    try {
      const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
      if (stamp.key === key) return { made: false, ms: 0, stamp };
    } catch {
      // a broken stamp: make the file again
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'moonwalk-pglite-datadir-'));
  try {
    const tarFile = join(work, 'pgdata.tar');
    await runScript(root, tarFile);
    const tar = new Uint8Array(readFileSync(tarFile));
    const packed = packDataDir(tar);
    const gzipped = gzipSync(packed, { level: 9 });
    const back = unpackDataDir(new Uint8Array(gunzipSync(gzipped)));
    if (back.length !== tar.length || !Buffer.from(back.buffer, back.byteOffset, back.length).equals(tar)) {
      throw new Error('the packed data directory does not unpack to the tar it was made from');
    }
    const stamp: Stamp = { key, tarBytes: tar.length, packedBytes: packed.length, gzipBytes: gzipped.length };
    mkdirSync(join(root, 'src/web/worker/generated'), { recursive: true });
    // Written under temporary names and renamed, so a build running at the same time never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, gzipped);
    renameSync(tmp, file);
    writeFileSync(`${stampFile}.${process.pid}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`);
    renameSync(`${stampFile}.${process.pid}.tmp`, stampFile);
    return { made: true, ms: Date.now() - started, stamp };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Vite plugin: prepares the data directory before anything is bundled (build) or served (dev). */
export function pgliteDataDir(): Plugin {
  let root = process.cwd();
  let logger: Logger | null = null;
  let ready: Promise<unknown> | null = null;
  const ensure = () => {
    ready ??= ensurePgliteDataDir(root).then(({ made, ms, stamp }) => {
      if (made) {
        logger?.info(
          `moonwalk: prepared PostgreSQL's data directory in ${(ms / 1000).toFixed(1)} s ` +
            `(${DATADIR_FILE}: ${(stamp.gzipBytes / 1024 / 1024).toFixed(2)} MB; a ${(stamp.tarBytes / 1024 / 1024).toFixed(1)} MB tar)`,
        );
      }
    });
    return ready;
  };
  return {
    name: 'moonwalk:pglite-datadir',
    configResolved(config) {
      root = config.root;
      logger = config.logger;
    },
    async buildStart() {
      await ensure();
    },
    // In dev the worker may ask for the file while buildStart still runs.
    async load(id) {
      if (id.includes('pglite-datadir.bin')) await ensure();
      return null;
    },
  };
}
