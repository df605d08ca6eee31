/**
 * Opening a database in the worker. SQLite (sql.js) is part of the worker's own bundle, its wasm compiled from the
 * download the worker's entry started (`useSqliteWasm`); PGlite is imported dynamically, so it is its own chunk and is
 * downloaded only when PostgreSQL is chosen.
 *
 * PostgreSQL starts from a data directory prepared at build time (scripts/pglite-datadir.ts: what initdb leaves,
 * packed, ~1 MB) through PGlite's `loadDataDir`, instead of running initdb in the browser (2–4 s, every time: each
 * Reset database and each Verify opens a new instance). When PostgreSQL is first chosen, everything it needs is
 * fetched at once: PGlite's chunk, its wasm (compiled while it streams in), its file bundle and the data directory
 * (unpacked once). The compiled module and the two Blobs are kept, so a later instance in this worker (Reset database,
 * Verify) downloads and compiles nothing. Should the data directory fail to load, PGlite runs initdb as before.
 */
import type { Driver } from '../../core/driver.ts';
import { openSqlJs } from '../../drivers/sqljs.ts';
import { compileSqliteWasm, compileWasm } from './wasm.ts';
import { loadOnce } from '../load-once.ts';
// PGlite's wasm and its file bundle, fetched here in parallel with its JS chunk (PGlite would only start them once
// its chunk has loaded) and kept for every later instance.
import pgliteWasmUrl from '@electric-sql/pglite/pglite.wasm?url';
import pgliteDataUrl from '@electric-sql/pglite/pglite.data?url';
// Made by the build (the moonwalk:pglite-datadir plugin in vite.config.ts); emitted as a hashed asset.
import dataDirUrl from './generated/pglite-datadir.bin?url';
import { unpackDataDir } from './datadir-pack.ts';
import type { EngineId } from './protocol.ts';

/**
 * The smallest valid wasm module, given to PGlite as initdb's module when it starts from the prepared directory: it
 * never runs initdb then, and without a module it would download initdb.wasm (300 KB) anyway.
 */
const EMPTY_WASM = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
let emptyModule: WebAssembly.Module | null = null;

/** SQLite's wasm, compiled from the download the worker's entry started (`useSqliteWasm`), or here when that failed. */
const sqliteWasmModule = loadOnce(compileSqliteWasm);

export function useSqliteWasm(module: Promise<WebAssembly.Module>): void {
  sqliteWasmModule.use(module);
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response;
}

const pgliteWasm = loadOnce(() => compileWasm(pgliteWasmUrl));
const pgliteFsBundle = loadOnce(async () => (await fetchOk(pgliteDataUrl)).blob());

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The prepared data directory as a tar, fetched and unpacked once per worker. */
const preparedDataDir = loadOnce(async (): Promise<Blob> => {
  let bytes = new Uint8Array(await (await fetchOk(dataDirUrl)).arrayBuffer());
  // The build gzips it; a host that served it with Content-Encoding: gzip has already inflated it.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes);
  return new Blob([unpackDataDir(bytes)], { type: 'application/x-tar' });
});

async function openPostgres(): Promise<Driver> {
  const [{ openPglite }, , prepared, pglite] = await Promise.all([
    import('../../drivers/pglite.ts'),
    // The schema reader the first run on PostgreSQL needs: loaded here, so that "PostgreSQL ready" means just that.
    import('../../core/schema/snapshot-postgres.ts'),
    preparedDataDir().catch((error: unknown) => {
      console.warn('PostgreSQL: the prepared data directory could not be loaded; running initdb instead.', error);
      return null;
    }),
    Promise.all([pgliteWasm(), pgliteFsBundle()]).then(
      ([pgliteWasmModule, fsBundle]) => ({ pgliteWasmModule, fsBundle }),
      (error: unknown) => {
        console.warn("PostgreSQL: PGlite's files could not be loaded ahead; PGlite loads them itself.", error);
        return {};
      },
    ),
  ]);
  if (prepared) {
    try {
      emptyModule ??= new WebAssembly.Module(EMPTY_WASM);
      return await openPglite({ loadDataDir: prepared, pglite: { ...pglite, initdbWasmModule: emptyModule } });
    } catch (error) {
      console.warn('PostgreSQL: starting from the prepared data directory failed; running initdb instead.', error);
    }
  }
  return openPglite({ pglite });
}

/** A new database of `engine`: empty, or for SQLite the database file `sqliteFile`. */
export async function openEngine(engine: EngineId, sqliteFile?: Uint8Array): Promise<Driver> {
  if (engine === 'sqlite')
    return openSqlJs({ wasmModule: sqliteWasmModule(), ...(sqliteFile ? { data: sqliteFile } : {}) });
  return openPostgres();
}
