/**
 * What a run is to do, from the migration files and the ledger's rows: each migration's state for status, the pending
 * files up applies, the applied ones down reverts, and the refusals made before anything runs (drift: a modified or
 * missing file; a migration that cannot be reverted).
 */
import type { Engine } from '../driver.ts';
import type { AppliedMigration, LedgerEntry } from '../ledger.ts';
import type { CompiledMigration } from '../lua/host.ts';
import { compareIds, type MigrationFile } from '../migration-files.ts';
import type { StatusEntry } from '../results.ts';
import { RunFailure } from './run-failure.ts';

export interface DownOptions {
  step?: number;
  to?: string;
  all?: boolean;
}

/** The files not in the ledger, in order, up to and including `to` when given. */
export function pendingFiles(
  files: ReadonlyMap<string, MigrationFile>,
  entries: AppliedMigration[],
  to: string | undefined,
): MigrationFile[] {
  const applied = new Set(entries.map((entry) => entry.id));
  let pending = [...files.values()].filter((file) => !applied.has(file.id));
  if (to !== undefined) pending = pending.filter((file) => compareIds(file.id, to) <= 0);
  return pending;
}

/** Every migration, file or ledger row, in order: a pending one described by its literal or else `describe`. */
export function statusEntries(
  files: ReadonlyMap<string, MigrationFile>,
  entries: LedgerEntry[],
  literals: ReadonlyMap<string, string | null>,
  describe: (file: MigrationFile) => string,
): StatusEntry[] {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const ids = new Set([...files.keys(), ...byId.keys()]);
  return [...ids].sort(compareIds).map((id) => {
    const file = files.get(id);
    const entry = byId.get(id);
    if (!entry) return { id, description: literals.get(id) ?? describe(file!), status: 'pending' };
    return { id, description: entry.description, status: appliedState(entry, files), applied_at: entry.appliedAt };
  });
}

/** The state of an applied migration: its file may have changed or gone since. */
function appliedState(
  entry: AppliedMigration,
  files: ReadonlyMap<string, MigrationFile>,
): 'applied' | 'modified' | 'missing' {
  const file = files.get(entry.id);
  if (!file) return 'missing';
  return entry.checksum !== null && entry.checksum !== file.checksum ? 'modified' : 'applied';
}

/** Refuses a run over applied migrations whose files changed or went since they were applied. */
export function checkDrift(entries: AppliedMigration[], files: ReadonlyMap<string, MigrationFile>): void {
  for (const entry of entries) {
    const status = { id: entry.id, status: appliedState(entry, files) };
    if (status.status === 'modified') {
      throw new RunFailure({
        code: 'modified',
        migration: status.id,
        phase: 'check',
        message: `${status.id}.lua changed after it was applied (its checksum differs from the ledger's)`,
      });
    }
    if (status.status === 'missing') {
      throw new RunFailure({
        code: 'missing',
        migration: status.id,
        phase: 'check',
        message: `${status.id} is applied but its file ${status.id}.lua is missing`,
      });
    }
  }
}

/** The applied migrations `down` reverts, last first: `step` of them (1 by default), those after `to`, or `all`. */
export function downPlan(
  entries: AppliedMigration[],
  files: ReadonlyMap<string, MigrationFile>,
  options: DownOptions,
): MigrationFile[] {
  const applied = entries
    .map((entry) => entry.id)
    .sort(compareIds)
    .reverse();
  let ids: string[];
  if (options.all) ids = applied;
  else if (options.to !== undefined) ids = applied.filter((id) => compareIds(id, options.to!) > 0);
  else ids = applied.slice(0, options.step ?? 1);
  return ids.map((id) => {
    const file = files.get(id);
    if (!file) {
      throw new RunFailure({
        code: 'not_revertible',
        migration: id,
        phase: 'check',
        message: `cannot revert ${id}: its file ${id}.lua is missing`,
      });
    }
    return file;
  });
}

/** Refuses to revert a migration with no block, or no down, for this engine: checked before anything runs. */
export function checkRevertible(file: MigrationFile, compiled: CompiledMigration, engine: Engine): void {
  const block = compiled.blocks[engine];
  if (!block) {
    throw new RunFailure({
      code: 'not_revertible',
      migration: file.id,
      phase: 'check',
      file: file.file,
      message: `cannot revert ${file.id}: it has no database("${engine}") block`,
    });
  }
  if (!block.down) {
    throw new RunFailure({
      code: 'not_revertible',
      migration: file.id,
      phase: 'down',
      file: file.file,
      message: `${file.id} cannot be reverted: its database("${engine}") block has no down(function(db) ... end). Nothing was changed`,
    });
  }
}
