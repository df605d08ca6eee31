/**
 * The raw better-sqlite3 peer of the SQLite-file suites (in process in sqlite-file, as a process of its own in
 * process-start): the least any runner must do. Imports better-sqlite3 and Node's crypto only, so that a process
 * running it loads nothing else.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { tableMigrations, type TableMigration } from './util.ts';

/** The suites' migrations: one CREATE TABLE each. */
export const makeMigrations = (count: number): TableMigration[] =>
  tableMigrations(count, 'sqlite', 'id INTEGER PRIMARY KEY');

export interface Ran {
  count: number;
  cleanup: () => Promise<void> | void;
}

const LEDGER_CREATE =
  "CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER NOT NULL DEFAULT (strftime('%s','now')), checksum TEXT)";
const LEDGER_INSERT =
  "INSERT INTO _migrations (id, description, applied_at, checksum) VALUES (?, ?, strftime('%s','now'), ?)";

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** How the raw loop runs one migration's `up`: the raw peer executes its SQL; the fengari floor runs its Lua. */
export type RawApply = (db: Database.Database, migration: TableMigration, index: number) => void;

const execUp: RawApply = (db, m) => db.exec(m.up);

/**
 * Raw better-sqlite3: reads the ledger, checks the applied, applies the pending one transaction each (or all in one
 * with `singleTransaction`).
 */
export function rawUp(
  file: string,
  migrations: TableMigration[],
  options: { apply?: RawApply; singleTransaction?: boolean } = {},
): Ran {
  const apply = options.apply ?? execUp;
  const each = !options.singleTransaction;
  const db = new Database(file);
  const cleanup = () => {
    db.close();
  };
  try {
    db.exec(LEDGER_CREATE);
    const ledger = new Map(
      db.prepare('SELECT id, checksum FROM _migrations').raw(true).all() as Array<[string, string]>,
    );
    const insert = db.prepare(LEDGER_INSERT);
    let count = 0;
    if (!each) db.exec('BEGIN IMMEDIATE');
    try {
      for (const [index, m] of migrations.entries()) {
        const checksum = sha256(m.lua);
        const recorded = ledger.get(m.id);
        if (recorded !== undefined) {
          if (recorded !== checksum) throw new Error(`raw: ${m.id} changed after it was applied`);
          continue;
        }
        if (each) db.exec('BEGIN IMMEDIATE');
        apply(db, m, index);
        insert.run(m.id, m.description, checksum);
        if (each) db.exec('COMMIT');
        count++;
      }
      if (!each) db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
    return { count, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
