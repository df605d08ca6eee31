/**
 * The raw peers of the process-start suite, each a whole Node process with better-sqlite3 and nothing else:
 *
 *   node dist/bench/raw-sqlite-process.js ledger FILE FOLDER   opens the file, reads the ledger and the folder's names
 *   node dist/bench/raw-sqlite-process.js up FILE COUNT        applies the suite's COUNT table migrations, one
 *                                                              transaction (and fsync) each, as `moonwalk up` does
 * Each prints how many migrations it found applied / applied.
 */
import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { makeMigrations, rawUp } from './raw-sqlite.ts';

const [mode, file, arg] = process.argv.slice(2);
if (mode === 'ledger' && file && arg) {
  const db = new Database(file, { readonly: true });
  const ledger = db.prepare('SELECT id, checksum FROM _migrations').raw(true).all() as Array<[string, string]>;
  const names = readdirSync(arg).filter((n) => n.endsWith('.lua'));
  db.close();
  console.log(Math.min(ledger.length, names.length));
} else if (mode === 'up' && file && arg) {
  const ran = rawUp(file, makeMigrations(Number(arg)));
  await ran.cleanup();
  console.log(ran.count);
} else {
  throw new Error('usage: raw-sqlite-process ledger FILE FOLDER | up FILE COUNT');
}
