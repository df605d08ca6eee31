/**
 * `moonwalk trace` (DESIGN §5): the pending migrations run on a throwaway PGlite — from empty, or from a copy of
 * `--db pglite:DIR`, which is left unchanged — and for each statement the locks it took and what it rewrote; exit 1
 * when a migration takes a lock that blocks writes or reads on a table that existed before it (`--allow CODE,…`).
 */
import { PGlite } from '@electric-sql/pglite';
import type { Driver } from '../core/driver.ts';
import type { MigrationFile } from '../core/migration-files.ts';
import type { MigratorOptions } from '../core/migrator.ts';
import { describeRunError, type RunError } from '../core/results.ts';
import { describeDanger, traceMigrations, type TraceResult } from '../core/trace.ts';
import { openPglite } from '../drivers/pglite.ts';
import { acquireFileLock } from '../drivers/node/file-lock.ts';
import { absentDatabase, READ_LOCK_WAIT_MS } from '../drivers/node/open-database.ts';
import { plural } from '../core/plural.ts';
import { UsageError } from './args.ts';

export interface TraceIo {
  out(text: string): void;
  err(text: string): void;
}

/** A throwaway PGlite: empty, or a copy of the PGlite directory in `url` (taken under that directory's lock). */
export async function openTraceDatabase(url: string | undefined): Promise<Driver> {
  if (url === undefined || url === 'pglite::memory:') return openPglite();
  const dir = /^pglite:(.+)$/.exec(url)?.[1];
  if (dir === undefined) {
    throw new UsageError(
      'trace runs the migrations on PGlite, never on a server: pass --db pglite:DIR (copied, left unchanged), or no --db to replay from an empty database',
    );
  }
  // A directory not made yet (or empty) is an empty database: nothing is made there, not even the lock file.
  if (absentDatabase(url) !== null) return openPglite();
  const release = await acquireFileLock(
    `${dir.replace(/[\\/]+$/, '')}.moonwalk-lock`,
    READ_LOCK_WAIT_MS, // it only reads (a copy), as status does: it does not queue behind a run
    `pglite directory ${dir}`,
  );
  let copy: Blob;
  try {
    const source = await PGlite.create({ dataDir: dir });
    try {
      copy = await source.dumpDataDir('none');
    } finally {
      await source.close();
    }
  } catch (error) {
    throw new UsageError(
      `cannot read the PGlite directory ${dir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await release();
  }
  return openPglite({ loadDataDir: copy });
}

/** The codes of `--allow a,b`. */
export function allowedCodes(flag: string | undefined): string[] {
  return (flag ?? '')
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
}

export async function runTrace(
  driver: Driver,
  files: MigrationFile[],
  runner: Omit<MigratorOptions, 'driver' | 'files'>,
  allow: string[],
  io: TraceIo,
  json: boolean,
): Promise<{ result: TraceResult; error: RunError | null }> {
  const result = await traceMigrations({ ...runner, driver, files, allow });
  if (json) {
    io.out(
      JSON.stringify({
        ok: result.ok,
        migrations: result.migrations,
        ...(result.error ? { error: result.error } : {}),
      }),
    );
    return { result, error: result.error };
  }
  for (const migration of result.migrations) {
    io.out(migration.id);
    for (const statement of migration.statements) {
      const sql = statement.sql.trim().replace(/\s+/g, ' ');
      io.out(
        `  ${statement.line === null ? '' : `line ${statement.line}: `}${sql.length > 100 ? `${sql.slice(0, 99)}…` : sql}`,
      );
      const locks = statement.locks.map((l) => `${l.mode} on ${l.relation}`).join(', ');
      io.out(
        `      locks: ${locks || 'none'}${statement.rewrites.length ? `; rewrites: ${statement.rewrites.join(', ')}` : ''}`,
      );
    }
    if (migration.dangerous.length === 0)
      io.out('  safe: no lock that blocks reads or writes on a table that existed before it');
    for (const danger of migration.dangerous)
      io.out(`  DANGER ${allow.includes(danger.code) ? '(allowed) ' : ''}${describeDanger(danger)}`);
  }
  if (result.error) io.err(describeRunError(result.error));
  const dangers = result.migrations.flatMap((m) => m.dangerous);
  const blocking = dangers.filter((d) => !allow.includes(d.code));
  const summary =
    `Traced ${plural(result.migrations.length, 'migration')} on PGlite: ` +
    (dangers.length === 0
      ? 'no dangerous lock.'
      : `${plural(dangers.length, 'dangerous lock')}` +
        (blocking.length < dangers.length ? ` (${dangers.length - blocking.length} allowed by --allow)` : '') +
        (blocking.length > 0 ? '. Fix them as docs/lint.md says, or pass --allow CODE for a risk you accept.' : '.'));
  (result.ok ? io.out : io.err)(summary);
  return { result, error: result.error };
}
