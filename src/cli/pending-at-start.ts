/**
 * The first look `moonwalk up` takes on its main thread (src/cli/launch.ts): on a SQLite file whose ledger lacks one
 * of the folder's migrations, the run needs Lua, so its worker thread starts at once, before the command, the runner
 * and the drivers are loaded here (they load in the worker meanwhile). Only the ledger's ids and the folder's names
 * are read, and the file is opened read-only.
 *
 * "Pending" is only a shortcut to the worker, which runs every command correctly. Anything unclear (another engine,
 * a folder or file that cannot be read, a busy database) answers false, and launch.ts tries the run on its main
 * thread, which looks again properly.
 */
import { parseArgs } from './args.ts';
import { withEnvFile } from './env-file.ts';
import { migrationIds } from '../lib/migrations-dir.ts';
import { sqliteFilePath } from '../drivers/node/open-database.ts';
import { LEDGER_TABLE } from '../core/ledger.ts';
import { existsSync } from 'node:fs';

export async function surelyPending(argv: string[]): Promise<boolean> {
  try {
    const { command, flags } = parseArgs(argv);
    if (command !== 'up' || flags.targets !== undefined) return false;
    const env = withEnvFile(process.env, flags['env-file']);
    const path = sqliteFilePath(flags.db ?? env.DATABASE_URL ?? '');
    const ids = migrationIds(flags.dir ?? env.MOONWALK_DIR ?? 'migrations');
    if (path === null || ids === null || ids.length === 0) return false;
    if (!existsSync(path)) return true; // up creates it
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
    try {
      const hasLedger = db
        .prepare("SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?")
        .pluck()
        .get(LEDGER_TABLE);
      if (!hasLedger) return true;
      const applied = new Set(db.prepare(`SELECT id FROM main."${LEDGER_TABLE}"`).pluck().all());
      return ids.some((id) => !applied.has(id));
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
