/**
 * What lint, verify and diff answer as plain data (the `--json` documents of DESIGN §5), computed once for the
 * command and the library. No Node or DOM API: the browser entry uses it too.
 */
import type { Driver, Engine } from '../core/driver.ts';
import type { Migrator } from '../core/migrator.ts';
import { describeRunError, type RunError } from '../core/results.ts';
import { takeSnapshot } from '../core/schema/snapshot.ts';
import { diffSnapshots } from '../core/schema/diff.ts';
import type { SchemaChange, SchemaSnapshot } from '../core/schema/types.ts';
import { verifyWith, type Replay, type VerifyEntry } from '../core/verify.ts';

export { lintDocument, type LintDocument } from './lint-document.ts';

/** `moonwalk verify --json`. */
export type VerifyDocument = {
  ok: boolean;
  engine: Engine;
  migrations: VerifyEntry[];
  error: RunError | null;
};

/** Verifies the pending migrations through `migrator` on `driver`; `onMigration` sees each entry as it completes. */
export async function verifyDocument(
  migrator: Migrator,
  driver: Driver,
  onMigration?: (entry: VerifyEntry) => void,
  describe: (error: RunError) => string = describeRunError,
  replay?: Replay,
): Promise<VerifyDocument> {
  const result = await verifyWith(migrator, driver, onMigration, describe, replay);
  return { ok: result.ok, engine: driver.engine, migrations: result.migrations, error: result.error };
}

/** `moonwalk diff --json`: what the pending migrations would change, run and rolled back. */
export type DiffDocument = {
  ok: boolean;
  changes: SchemaChange[];
  /** The pending migrations that ran. */
  migrations: string[];
  error: RunError | null;
};

/**
 * Runs the pending migrations in one transaction, snapshots inside it and rolls back. Never throws. `phrase` words a
 * failed run's error for its reader (the command names its flags there).
 */
export async function diffDocument(
  migrator: Migrator,
  driver: Driver,
  phrase: (error: RunError) => RunError = (error) => error,
): Promise<DiffDocument> {
  const answer = (changes: SchemaChange[], error: RunError | null, ids: string[]): DiffDocument => ({
    ok: error === null,
    changes,
    migrations: ids,
    error,
  });
  if (!driver.transactionalDdl) {
    return answer(
      [],
      {
        code: 'dry_run_refused',
        migration: null,
        phase: 'check',
        message:
          `moonwalk diff is refused on ${driver.engine}: it commits DDL implicitly, so the pending migrations ` +
          'could not be run and rolled back. Use moonwalk up --dry-run elsewhere, or diff on a copy of the database',
      },
      [],
    );
  }
  let before: SchemaSnapshot;
  try {
    before = await takeSnapshot(driver, { rows: true });
  } catch (error) {
    return answer(
      [],
      {
        code: 'engine',
        migration: null,
        phase: 'internal',
        message: error instanceof Error ? error.message : String(error),
      },
      [],
    );
  }
  const inside: { after?: SchemaSnapshot } = {};
  const run = await migrator.up({
    dryRun: true,
    beforeRollback: async () => {
      inside.after = await takeSnapshot(driver, { rows: true });
    },
  });
  const ids = run.results.filter((r) => r.status !== 'skipped').map((r) => r.id);
  if (!run.ok) return answer([], run.error && phrase(run.error), ids);
  return answer(inside.after === undefined ? [] : diffSnapshots(before, inside.after), null, ids);
}
