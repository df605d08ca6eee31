/**
 * "Download database": the current database as a file. Runs in the engine worker, next to the driver.
 *
 * - SQLite: the database file itself (sql.js `export()`), ledger included: `sqlite3 moonwalk.sqlite` opens it and
 *   `moonwalk status --db sqlite:moonwalk.sqlite` knows what is applied.
 * - PostgreSQL: PGlite 0.5 has no pg_dump of its own (that is the separate `@electric-sql/pglite-tools` package, a
 *   2 MB wasm build), so this writes a plain SQL dump (src/core/sql/postgres-dump.ts).
 */
import type { Driver } from '../core/driver.ts';
import { postgresDump } from '../core/sql/postgres-dump.ts';

export interface DatabaseFile {
  fileName: string;
  mime: string;
  data: Uint8Array;
}

interface Exportable {
  export(): Uint8Array;
}

function canExport(driver: Driver): driver is Driver & Exportable {
  return typeof (driver as Partial<Exportable>).export === 'function';
}

export async function exportDatabase(driver: Driver): Promise<DatabaseFile> {
  if (driver.engine === 'sqlite') {
    if (!canExport(driver)) throw new Error('this SQLite driver cannot export its database file');
    return { fileName: 'moonwalk.sqlite', mime: 'application/vnd.sqlite3', data: driver.export() };
  }
  if (driver.engine === 'postgres') {
    const text = await postgresDump(driver);
    return { fileName: 'moonwalk-postgres.sql', mime: 'application/sql', data: new TextEncoder().encode(text) };
  }
  throw new Error(`cannot export a ${driver.engine} database`);
}
