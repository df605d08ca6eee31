/** The package's Node entry, `moonwalk` (DESIGN §8): what src/lib/node.ts defines, and the core's types and parts. */
export {
  migrate,
  lint,
  verify,
  diff,
  snapshot,
  loadMigrations,
  openMigrator,
  openThrowaway,
  type MigrateOptions,
  type MigrationSource,
  type ConnectOptions,
  type RunOptions,
  type VerifyOptions,
  type OpenedMigrator,
  type OpenMigratorOptions,
} from './node.ts';
export { openDatabase, DatabaseUrlError, type Access, type OpenOptions } from '../drivers/node/open-database.ts';
export { inMemoryMigrations, OptionsError, type InMemoryMigration } from './migrations.ts';
export * from './shared.ts';
