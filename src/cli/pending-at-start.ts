/**
 * The first look `moonwalk up` takes on its main thread (src/cli/launch.ts): on a SQLite file whose ledger lacks one
 * of the folder's migrations, the run needs Lua, so its worker thread starts at once, before the command, the runner
 * and the drivers are loaded here (they load in the worker meanwhile). Only the ledger's ids and the folder's names
 * are read, and the file is opened read-only.
 *
 * "Pending" is only a shortcut to the worker, which runs every command correctly; "none" spares the main-thread try
 * its own look (a migration that turns pending meanwhile is still refused there: its Lua is never loaded on the main
 * thread). Anything unclear (another engine, a folder or file that cannot be read, a busy database) is "unknown",
 * and the main-thread try looks again properly.
 */
import { parseArgs } from './args.ts';
import { withEnvFile } from './env-file.ts';
import { migrationIds } from '../lib/migrations-dir.ts';
import { sqliteFilePath } from '../drivers/node/open-database.ts';
import { LEDGER_TABLE } from '../core/ledger.ts';
import { existsSync } from 'node:fs';

/** What the first look found: a migration pending, none, or nothing sure. */
export type FirstLook = 'pending' | 'none' | 'unknown';

export async function firstLook(argv: string[]): Promise<FirstLook> {
  try {
    const { command, flags } = parseArgs(argv);
    if (command !== 'up' || flags.targets !== undefined) return 'unknown';
    const env = withEnvFile(process.env, flags['env-file']);
    const path = sqliteFilePath(flags.db ?? env.DATABASE_URL ?? '');
    const ids = migrationIds(flags.dir ?? env.MOONWALK_DIR ?? 'migrations');
    if (path === null || ids === null || ids.length === 0) return 'unknown';
    if (!existsSync(path)) return 'pending'; // up creates it
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
    try {
      const hasLedger = db
        .prepare("SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?")
        .pluck()
        .get(LEDGER_TABLE);
      if (!hasLedger) return 'pending';
      const applied = new Set(db.prepare(`SELECT id FROM main."${LEDGER_TABLE}"`).pluck().all());
      return ids.some((id) => !applied.has(id)) ? 'pending' : 'none';
    } finally {
      db.close();
    }
  } catch {
    return 'unknown';
  }
}
