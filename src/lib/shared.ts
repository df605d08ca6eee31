/** What both entries (`moonwalk` and `moonwalk/browser`) export: the core runner, its documents and its types. */
export {
  Migrator,
  type MigratorOptions,
  type MigratorEvent,
  type UpOptions,
  type DownOptions,
} from '../core/migrator.ts';
export { migrationFiles, compareIds, type MigrationFile } from '../core/migration-files.ts';
export { DEFAULT_LIMITS, type Limits } from '../core/lua/limits.ts';
export {
  jsonRunResult,
  jsonRunError,
  type RunDocument,
  type StatusDocument,
  type JsonRunError,
  type JsonMigrationResult,
} from '../core/documents.ts';
export type {
  RunResult,
  RunError,
  RunPhase,
  StatusResult,
  StatusEntry,
  MigrationResult,
  MigrationState,
  Direction,
  PlannedStatement,
} from '../core/results.ts';
export type { Driver, Engine, SqlValue } from '../core/driver.ts';
export { lintMigrations, type LintFinding, type Severity } from '../core/lint/index.ts';
export { verifyMigrations, type VerifyEntry, type VerifyResult } from '../core/verify.ts';
export { takeSnapshot } from '../core/schema/snapshot.ts';
export { diffSnapshots } from '../core/schema/diff.ts';
export type { SchemaSnapshot, SchemaChange } from '../core/schema/types.ts';
export {
  lintDocument,
  verifyDocument,
  diffDocument,
  type LintDocument,
  type VerifyDocument,
  type DiffDocument,
} from './documents.ts';
