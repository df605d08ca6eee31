/**
 * Opening a database in the worker. SQLite (sql.js) is part of the worker's own bundle; PGlite is imported
 * dynamically, so it is its own chunk and is downloaded only when PostgreSQL is chosen.
 */
import type { Driver } from '../../core/driver.ts';
import { openSqlJs } from '../../drivers/sqljs.ts';
// The wasm that belongs to `sql-wasm-browser.js`, the file the resolver picks for sql.js's `browser` export.
import sqlWasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';
import type { EngineId } from './protocol.ts';

export async function openEngine(engine: EngineId): Promise<Driver> {
  if (engine === 'sqlite') return openSqlJs({ wasmUrl: sqlWasmUrl });
  const { openPglite } = await import('../../drivers/pglite.ts');
  return openPglite();
}
