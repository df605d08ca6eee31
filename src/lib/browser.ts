/**
 * `import { … } from 'moonwalk/browser'` (DESIGN §8): the core with the sql.js and PGlite drivers, for a web app that
 * runs migrations itself (in a Web Worker, ideally: Lua runs in the caller's thread). No Node API is reached.
 */
import type { Driver } from '../core/driver.ts';
import { Migrator, type UpOptions } from '../core/migrator.ts';
import { DEFAULT_LIMITS, type Limits } from '../core/lua/limits.ts';
import { failedRunDocument, jsonRunResult, type RunDocument } from '../core/documents.ts';
import { inMemoryMigrations, type InMemoryMigration } from './migrations.ts';

export * from './shared.ts';
export { inMemoryMigrations, OptionsError, type InMemoryMigration } from './migrations.ts';
export { openSqlJs, type SqlJsDriver } from '../drivers/sqljs.ts';
export { openPglite } from '../drivers/pglite.ts';

export interface BrowserMigrateOptions extends UpOptions {
  /** An open database: `await openSqlJs({ wasmUrl })` or `await openPglite()`. It stays open. */
  driver: Driver;
  migrations: readonly InMemoryMigration[];
  limits?: Partial<Limits>;
  lockTimeoutMs?: number;
  allowDrift?: boolean;
}

/** Applies the pending migrations to `driver`; answers the `up --json` document and never throws. */
export async function migrate(options: BrowserMigrateOptions): Promise<RunDocument> {
  let migrator: Migrator;
  try {
    migrator = new Migrator({
      driver: options.driver,
      files: inMemoryMigrations(options.migrations),
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      lockTimeoutMs: options.lockTimeoutMs ?? 60_000,
      allowDrift: options.allowDrift === true,
    });
  } catch (error) {
    return failedRunDocument('check', error instanceof Error ? error.message : String(error));
  }
  try {
    const { step, to, singleTransaction, dryRun } = options;
    return jsonRunResult(await migrator.up({ step, to, singleTransaction, dryRun }));
  } catch (error) {
    return failedRunDocument('internal', error instanceof Error ? error.message : String(error));
  } finally {
    migrator.dispose();
  }
}
