/**
 * `verify` (DESIGN §5, §6): does each pending migration's `down` undo its `up`?
 *
 * For each pending migration, in id order: snapshot (row counts and data fingerprints), up, snapshot, down, snapshot;
 * the migration is reversible when the first and the last snapshot do not differ (`diffSnapshots(...).length === 0`:
 * schema and data, column order ignored). Then up again, and report whether that worked. So the run ends with the
 * verified migrations applied.
 *
 * - A migration whose block has no `down` is not reversible; verification carries on from the state its first `up`
 *   left (it stays applied). The same for a `down` that fails (it is rolled back, so the migration stays applied).
 * - A migration that fails `up` is reported with its error and verification stops there (nothing after it can run).
 * - One whose second `up` fails (a down that left something behind) is reported, and verification carries on from
 *   the state its first `up` left: the database is then back before it (plus what down left), a state that never
 *   exists in real use, so with a `Replay` the migrations up to it are replayed on a fresh throwaway database and the
 *   rest are verified there. Without one (a real database given to verify) verification stops there.
 * - A migration with no block for the engine is skipped (reported with the reason, counted as reversible: nothing ran).
 *
 * Built on the Migrator's public API (`status`, `up({ to, step: 1 })`, `down({ step: 1 })`), so each step takes the
 * run lock, writes the ledger and fails exactly as `moonwalk up`/`down` would. Never throws: problems are in the result.
 */
import type { Driver } from './driver.ts';
import { Migrator, type MigratorOptions } from './migrator.ts';
import { compareIds } from './migration-files.ts';
import { connectionClosed, describeRunError, type RunError } from './results.ts';
import { takeSnapshot } from './schema/snapshot.ts';
import { diffSnapshots } from './schema/diff.ts';
import { diffRows, readTableRows } from './schema/row-diff.ts';
import type { SchemaChange, SchemaSnapshot } from './schema/types.ts';
import { plural } from './plural.ts';

export interface VerifyEntry {
  id: string;
  /** The snapshot after up + down equals the one before up (schema and data). */
  reversible: boolean;
  /** What up + down left different from before (empty when reversible, or when down could not run). */
  differences: SchemaChange[];
  /** Whether up ran again after down; absent when down did not run (or the migration was skipped). */
  up_again?: boolean;
  /** Why the migration is not verified or not reversible, for a person. */
  error?: string;
  /**
   * `applied_after`: not verified because an applied migration sorts after it (a down would revert that one first);
   * the edge says where to verify instead (the command: without --db).
   */
  code?: 'applied_after';
  /** The runner's error behind `error`, where there is one (phase, line, SQL). */
  failure?: RunError;
  /** How many changes the first up made (schema and data). */
  up_changes?: number;
  /** The migration has no block for the engine: nothing ran. */
  skipped?: boolean;
  reason?: string;
}

export interface VerifyResult {
  /** Every pending migration verified, each reversible and each up again fine. */
  ok: boolean;
  migrations: VerifyEntry[];
  /** A problem that stopped verification outside any one migration (lock, ledger, drift, snapshot), or null. */
  error: RunError | null;
}

/** How to start again from empty: a fresh throwaway database, and a runner over it like the first. */
export interface Replay {
  open(): Promise<Driver>;
  migrator(driver: Driver): Migrator;
}

export interface VerifyOptions extends MigratorOptions {
  /** Opens a fresh empty database of the same engine (a throwaway): verification then carries on past a failed second up. */
  openFresh?: () => Promise<Driver>;
  /** Called as each migration's entry is complete. */
  onMigration?: (entry: VerifyEntry) => void;
  /** How a runner's error reads inside an entry's `error` (the edge's words for remedies); `describeRunError` by default. */
  describe?: (error: RunError) => string;
}

/** Verifies the pending migrations of `options.files` on `options.driver` (the driver stays open). */
export async function verifyMigrations(options: VerifyOptions): Promise<VerifyResult> {
  const migrator = new Migrator(options);
  const open = options.openFresh;
  const replay: Replay | undefined = open && {
    open,
    migrator: (driver) => new Migrator({ ...options, driver }),
  };
  try {
    return await verifyWith(migrator, options.driver, options.onMigration, options.describe, replay);
  } finally {
    migrator.dispose();
  }
}

/** The same with a Migrator the caller made over `driver` (and disposes of). */
export async function verifyWith(
  migrator: Migrator,
  driver: Driver,
  onMigration?: (entry: VerifyEntry) => void,
  describe: (error: RunError) => string = describeRunError,
  replay?: Replay,
): Promise<VerifyResult> {
  /** Databases and runners opened here for replays: closed at the end (the first ones are the caller's). */
  const opened: Array<{ driver: Driver; migrator: Migrator }> = [];
  try {
    return await verifySteps(migrator, driver, onMigration, describe, replay, opened);
  } finally {
    for (const { driver: fresh, migrator: runner } of opened) {
      runner.dispose();
      await fresh.close().catch(() => {});
    }
  }
}

async function verifySteps(
  migrator: Migrator,
  driver: Driver,
  onMigration: ((entry: VerifyEntry) => void) | undefined,
  describe: (error: RunError) => string,
  replay: Replay | undefined,
  opened: Array<{ driver: Driver; migrator: Migrator }>,
): Promise<VerifyResult> {
  const migrations: VerifyEntry[] = [];
  const finish = (error: RunError | null): VerifyResult => ({
    ok: error === null && migrations.every((m) => m.reversible && m.error === undefined && m.up_again !== false),
    migrations,
    error,
  });
  const report = (entry: VerifyEntry): void => {
    migrations.push(entry);
    try {
      onMigration?.(entry);
    } catch {
      // A broken listener must not break verification.
    }
  };
  try {
    const status = await migrator.status();
    if (status.error) return finish(status.error);
    const pending = status.migrations.filter((m) => m.status === 'pending').map((m) => m.id);
    const applied = status.migrations.filter((m) => m.status !== 'pending').map((m) => m.id);
    let highestApplied = applied.reduce<string | null>(
      (hi, id) => (hi === null || compareIds(id, hi) > 0 ? id : hi),
      null,
    );

    for (const id of pending) {
      // down reverts the highest applied id: a pending migration that sorts before an applied one cannot be checked.
      if (highestApplied !== null && compareIds(id, highestApplied) < 0) {
        report({
          id,
          reversible: false,
          differences: [],
          code: 'applied_after',
          error:
            `cannot verify ${id}: ${highestApplied} is applied and sorts after it, so a down would revert ` +
            `${highestApplied} first. Verify on a database without it`,
        });
        return finish(null);
      }
      const before = await snapshot(driver);
      // Kept to name the rows a data difference is made of (tables small enough to read whole).
      const beforeRows = await readTableRows(driver, before);

      const up = await migrator.up({ to: id, step: 1 });
      const upResult = up.results.find((r) => r.id === id);
      if (!up.ok) {
        if (up.error && up.error.migration !== id && upResult === undefined) return finish(up.error);
        report({
          id,
          reversible: false,
          differences: [],
          failure: up.error!,
          error: `up failed: ${describe(up.error!)}`,
        });
        return finish(null);
      }
      if (upResult === undefined || upResult.status === 'skipped') {
        report({
          id,
          reversible: true,
          differences: [],
          skipped: true,
          reason: upResult?.reason ?? 'another runner applied it meanwhile',
        });
        continue;
      }
      highestApplied = id;
      const afterUp = await snapshot(driver);
      const upChanges = diffSnapshots(before, afterUp).length;

      const down = await migrator.down({ step: 1 });
      if (!down.ok) {
        const error = down.error!;
        if (error.migration !== null && error.migration !== id) return finish(error);
        const noDown = error.phase === 'down' && !down.results.some((r) => r.id === id);
        report({
          id,
          reversible: false,
          differences: [],
          failure: error,
          up_changes: upChanges,
          error: noDown
            ? `its database("${driver.engine}") block has no down, so it cannot be reverted. Verification goes on from the state its up left`
            : withNote(`down failed: ${describe(error)}`, 'Verification goes on from the state its up left'),
        });
        continue;
      }
      const afterDown = await snapshot(driver);
      const differences = diffSnapshots(before, afterDown);
      const dataChanged = new Set(differences.filter((d) => d.kind === 'data_changed').map((d) => d.path[0]));
      if (dataChanged.size > 0) {
        const afterRows = await readTableRows(driver, afterDown, dataChanged);
        for (const d of differences) {
          const [b, a] = [beforeRows.get(d.path[0]), afterRows.get(d.path[0])];
          if (d.kind !== 'data_changed' || !b || !a) continue;
          const rows = diffRows(b, a);
          if (rows) d.rows = rows;
        }
      }

      const again = await migrator.up({ to: id, step: 1 });
      const entry: VerifyEntry = {
        id,
        reversible: differences.length === 0,
        differences,
        up_again: again.ok,
        up_changes: upChanges,
      };
      if (!again.ok) {
        entry.failure = again.error!;
        entry.error =
          (differences.length > 0 ? `down left ${plural(differences.length, 'difference')}, and ` : '') +
          `up failed when run again after down: ${describe(again.error!)}`;
        if (!replay) {
          report(entry);
          return finish(null);
        }
        // Carry on from the state its first up left: replay everything up to it on a fresh database.
        entry.error = withNote(
          entry.error,
          'Verification goes on from the state its first up left, replayed on a fresh database',
        );
        report(entry);
        const fresh = await replay.open();
        const runner = replay.migrator(fresh);
        opened.push({ driver: fresh, migrator: runner });
        const replayed = await runner.up({ to: id });
        if (!replayed.ok) return finish(replayed.error);
        driver = fresh;
        migrator = runner;
        continue;
      }
      if (differences.length > 0) {
        entry.error = `down left ${plural(differences.length, 'difference')} from the state before up`;
      }
      report(entry);
    }
    return finish(null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (driver.isClosed?.() === true) return finish(connectionClosed(driver, message));
    return finish({ code: 'internal', migration: null, phase: 'internal', message });
  }
}

/** A sentence after an error's text: on a line of its own when the error ends with lines (its SQL, say). */
function withNote(text: string, note: string): string {
  return text.includes('\n') ? `${text}\n  ${note}.` : `${text}. ${note}`;
}

function snapshot(driver: Driver): Promise<SchemaSnapshot> {
  return takeSnapshot(driver, { rows: true, fingerprint: true });
}
