/**
 * Loads a SQL dump into a database, all or nothing: the statements `parseSqlDump` reads run in one transaction, and a
 * failure rolls it back and says which statement (its number in the dump, SET lines counted) and line. Like the
 * migrator it answers a result and never throws.
 */
import type { Driver } from './driver.ts';
import { engineErrorInfo } from './errors.ts';
import { parseSqlDump } from './sql/dump.ts';

export type DumpLoadResult =
  | { ok: true; statements: number; notes: string[] }
  | { ok: false; error: { message: string; statement: number; line: number; sql?: string } };

/** How often a load reports its progress, in statements. */
const PROGRESS_EVERY = 200;

export async function loadSqlDump(
  driver: Driver,
  text: string,
  onProgress?: (done: number, total: number) => void,
): Promise<DumpLoadResult> {
  const parsed = parseSqlDump(text, driver.engine);
  if (!parsed.ok) return parsed;
  const postgres = driver.engine === 'postgres';
  try {
    await driver.begin();
  } catch (error) {
    return { ok: false, error: { message: messageOf(error), statement: 0, line: 0 } };
  }
  let failed: Extract<DumpLoadResult, { ok: false }> | null = null;
  try {
    // sqlite3 .dump writes rows in table order, not in foreign-key order: check the keys when the load commits.
    if (driver.engine === 'sqlite') await driver.exec('PRAGMA defer_foreign_keys = ON');
    const total = parsed.statements.length;
    for (const [index, statement] of parsed.statements.entries()) {
      if (onProgress && index % PROGRESS_EVERY === 0) onProgress(index, total);
      try {
        await driver.exec(statement.sql);
      } catch (error) {
        failed = {
          ok: false,
          error: { message: messageOf(error), statement: statement.number, line: statement.line, sql: statement.sql },
        };
        break;
      }
    }
    if (failed === null) await driver.commit();
  } catch (error) {
    // the commit itself (a deferred foreign key) failed
    const last = parsed.statements.at(-1);
    failed = { ok: false, error: { message: messageOf(error), statement: last?.number ?? 0, line: last?.line ?? 0 } };
  }
  if (failed !== null) {
    await Promise.resolve(driver.rollback()).catch(() => {});
    if (postgres) await Promise.resolve(driver.exec('RESET ALL')).catch(() => {});
    return failed;
  }
  // A dump's SET and set_config(…, false) settings last for the session: they end with the load.
  if (postgres) await Promise.resolve(driver.exec('RESET ALL')).catch(() => {});
  const statements = new Set(parsed.statements.map((s) => s.number)).size;
  return { ok: true, statements, notes: parsed.notes };
}

function messageOf(error: unknown): string {
  return engineErrorInfo(error).message;
}
