/**
 * Verify (DESIGN §6) on a throwaway database of the current engine, replaying from empty, with the core's
 * `verifyMigrations` (up, down, compare with data fingerprints, up again, for each migration); its result is turned
 * into the plain view the page shows.
 */
import type { Driver } from '../../core/driver.ts';
import type { LuaHost } from '../../core/lua/host.ts';
import type { MigrationFile } from '../../core/migration-files.ts';
import { verifyMigrations as coreVerify, type VerifyEntry as CoreEntry } from '../../core/verify.ts';
import type { EngineId, VerifyEntry, VerifyReport } from './protocol.ts';
import { changeLines } from './schema.ts';
import { describeForPage, forPage } from './remedies.ts';
import { withBlockLine } from './block-line.ts';

function outcome(entry: CoreEntry): VerifyEntry['outcome'] {
  if (entry.skipped) return 'skipped';
  if (entry.reversible && entry.error === undefined) return 'reversible';
  // up failed (or the migration could not be verified at all): up_changes is only known once up ran
  if (entry.up_changes === undefined) return 'failed';
  return 'irreversible';
}

export async function verifyMigrations(
  engine: EngineId,
  driver: Driver,
  files: MigrationFile[],
  host: LuaHost,
  openFresh?: () => Promise<Driver>,
): Promise<VerifyReport> {
  const started = performance.now();
  const result = await coreVerify({
    driver,
    files,
    host,
    describe: describeForPage,
    ...(openFresh ? { openFresh } : {}),
  });
  return {
    ok: result.ok,
    engine,
    migrations: result.migrations.map((m) => ({
      id: m.id,
      outcome: outcome(m),
      differences: changeLines(m.differences),
      ...(m.up_again !== undefined ? { reapplied: m.up_again } : {}),
      ...(m.error !== undefined ? { message: m.error } : m.reason !== undefined ? { message: m.reason } : {}),
      ...(m.failure ? { error: forPage(withBlockLine(m.failure, files, engine)) } : {}),
    })),
    ...(result.error ? { error: forPage(result.error) } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}
