/**
 * What running a migration needs of the Migrator that runs it (the connection, its ledger, the Lua host, the session
 * keeper, the caller's options and listener), and the events the caller hears.
 */
import type { Driver, Engine } from '../driver.ts';
import type { Ledger } from '../ledger.ts';
import type { CompiledMigration, LuaHost } from '../lua/host.ts';
import type { MigrationFile } from '../migration-files.ts';
import type { Direction, MigrationResult } from '../results.ts';
import type { StatementObserver } from '../transaction.ts';
import type { SessionKeeper } from './session-keeper.ts';

export type MigratorEvent =
  | { type: 'start'; id: string; direction: Direction }
  | { type: 'done'; result: MigrationResult }
  | { type: 'output'; id: string; lines: string[] };

export interface RunContext {
  readonly driver: Driver;
  readonly engine: Engine;
  readonly ledger: Ledger;
  /** The Lua host, loaded before the first file is compiled. */
  readonly host: LuaHost;
  readonly sessions: SessionKeeper;
  /** How many more times a migration runs after a serialization failure or a deadlock (MigratorOptions.retries). */
  readonly retries: number | undefined;
  readonly observe: StatementObserver | undefined;
  /** The file compiled (once, then from the cache); a file that does not load throws its RunFailure. */
  compile(file: MigrationFile): CompiledMigration;
  /** Tells the caller's listener; a listener that throws is ignored. */
  emit(event: MigratorEvent): void;
}
