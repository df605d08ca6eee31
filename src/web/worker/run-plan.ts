/**
 * How many migrations a command will go through, told to the page before the first one starts so that its progress
 * bar can say "3 of 12". Read from the ledger alone (one query): the runner's own status would compile every pending
 * file just for its description.
 */
import type { Driver } from '../../core/driver.ts';
import { Ledger } from '../../core/ledger.ts';
import type { MigrationFile } from '../../core/migration-files.ts';
import type { RunCommand } from './protocol.ts';

export async function plannedSteps(driver: Driver, command: RunCommand, files: MigrationFile[]): Promise<number> {
  let applied: Set<string>;
  try {
    applied = new Set((await new Ledger(driver).read()).map((entry) => entry.id));
  } catch {
    return 0; // the run itself reports what is wrong with the ledger
  }
  const pending = files.filter((file) => !applied.has(file.id)).length;
  switch (command) {
    case 'apply-next':
      return Math.min(1, pending);
    case 'apply-all':
      return pending;
    case 'revert-last':
      return Math.min(1, applied.size);
    case 'revert-all':
      return applied.size;
    case 'redo':
      return applied.size > 0 ? 2 : 0; // down, then up again
  }
}
