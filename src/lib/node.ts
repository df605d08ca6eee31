/**
 * `import { … } from 'moonwalk'` (DESIGN §8): the library the `moonwalk` command is built on. Migrations come from a
 * folder (`dir`) or from memory (`migrations: [{ id, text }]`); the database from a URL as `--db` takes it.
 *
 * `migrate`, `verify` and `diff` answer the `--json` document of the command of that name and never throw; `lint`
 * answers its document too. The
 * building blocks (`openDatabase`, `loadMigrations`, `Migrator`) are there for anything else; Migrator's methods never
 * throw either. Lua runs in the caller's thread, bounded by the instruction and time limits (the command adds a
 * worker thread with a memory cap on top).
 */
import type { Driver, Engine } from '../core/driver.ts';
import { Migrator, type MigratorEvent, type UpOptions } from '../core/migrator.ts';
import type { MigrationFile } from '../core/migration-files.ts';
import { DEFAULT_LIMITS, type Limits } from '../core/lua/limits.ts';
import { failedRunDocument, jsonRunResult, type RunDocument } from '../core/documents.ts';
import { describeRunError, type RunError } from '../core/results.ts';
import { takeSnapshot } from '../core/schema/snapshot.ts';
import type { SchemaSnapshot } from '../core/schema/types.ts';
import { openDatabase, DatabaseUrlError, type Access } from '../drivers/node/open-database.ts';
import { readLintConfig, readMigrationsDir, FilesError } from './migrations-dir.ts';
import { LINT_CODES } from '../core/lint/index.ts';
import { inMemoryMigrations, OptionsError, type InMemoryMigration } from './migrations.ts';
import {
  diffDocument,
  lintDocument,
  verifyDocument,
  type DiffDocument,
  type LintDocument,
  type VerifyDocument,
} from './documents.ts';

/** Where the migrations are: a folder of `.lua` files, or the texts themselves. Give one of the two. */
export interface MigrationSource {
  dir?: string;
  migrations?: readonly InMemoryMigration[];
}

export interface ConnectOptions {
  /** A database URL as `--db` takes it: `sqlite:app.db`, `pglite:./data`, `postgres://…`, `mysql://…`. */
  db: string;
  /** How long to wait for a server to answer (default 10 000). */
  connectTimeoutMs?: number;
}

export interface RunOptions {
  /** How long to wait for another runner's lock (default 60 000). */
  lockTimeoutMs?: number;
  /** Run even when applied migrations were modified or their files are missing. */
  allowDrift?: boolean;
  /** Bounds on each migration's Lua code (default 200 000 000 instructions, 20 000 ms). */
  limits?: Partial<Limits>;
  /** Progress as the runner goes: each migration's start, its result, its `print` output. */
  onEvent?: (event: MigratorEvent) => void;
}

export interface MigrateOptions extends MigrationSource, ConnectOptions, RunOptions {
  /** `up --step N`: apply at most N. */
  step?: number;
  /** `up --to ID`: apply up to and including ID. */
  to?: string;
  /** `up --single-transaction`: all pending migrations commit together or none does. */
  singleTransaction?: boolean;
  /** `up --dry-run`: run everything, record the statements, roll back. */
  dryRun?: boolean;
}

/** The migrations of a folder or of memory, in runner order. Throws an Error whose message says what to do. */
export async function loadMigrations(source: MigrationSource): Promise<MigrationFile[]> {
  if (source.dir !== undefined && source.migrations !== undefined)
    throw new OptionsError('give either dir (a folder) or migrations ([{ id, text }]), not both');
  if (source.migrations !== undefined) return inMemoryMigrations(source.migrations);
  if (typeof source.dir !== 'string' || source.dir === '')
    throw new OptionsError('no migrations: give dir (a folder of .lua files) or migrations ([{ id, text }])');
  return readMigrationsDir(source.dir);
}

/** A Migrator over a database opened from a URL; `close()` disposes of both. */
export interface OpenedMigrator {
  migrator: Migrator;
  driver: Driver;
  files: MigrationFile[];
  close(): Promise<void>;
}

/** Loads the migrations and opens the database. Throws when either cannot be done (the message says why). */
export interface OpenMigratorOptions extends MigrationSource, ConnectOptions, RunOptions {
  /**
   * What the caller does with the database (openDatabase's `access`): `write` (the default) makes a SQLite file or
   * PGlite directory that is not there, as `up` does; `read` (for `migrator.status()`) and `rollback` (for a dry run)
   * make and change nothing, and a database not made yet is an empty one in memory: every migration pending.
   */
  access?: Access;
}

export async function openMigrator(options: OpenMigratorOptions): Promise<OpenedMigrator> {
  const files = await loadMigrations(options);
  const driver = await openDatabase(String(options.db ?? ''), {
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    access: options.access ?? 'write',
    lockTimeoutMs: options.lockTimeoutMs ?? 60_000,
  });
  const migrator = migratorFor(driver, files, options);
  return {
    migrator,
    driver,
    files,
    close: async () => {
      migrator.dispose();
      await driver.close();
    },
  };
}

function migratorFor(driver: Driver, files: MigrationFile[], options: RunOptions): Migrator {
  return new Migrator({
    driver,
    files,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    lockTimeoutMs: options.lockTimeoutMs ?? 60_000,
    allowDrift: options.allowDrift === true,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

/** Why the run could not start, as the `error` of a document: phase `connect` for a database that did not answer. */
function startError(error: unknown): RunError {
  const message = error instanceof Error ? error.message : String(error);
  const known = error instanceof OptionsError || error instanceof FilesError || error instanceof DatabaseUrlError;
  // The core has no code for bad options: they are refused before any runner exists.
  return known
    ? { code: 'internal', migration: null, phase: 'check', message }
    : { code: 'engine', migration: null, phase: 'connect', message };
}

/**
 * Applies the pending migrations, as `moonwalk up` does: for an application's start-up or a test's setup. Answers the
 * `up --json` document (`ok`, `results`, `error`) and never throws.
 */
export async function migrate(options: MigrateOptions): Promise<RunDocument> {
  let opened: OpenedMigrator;
  try {
    opened = await openMigrator({ ...options, access: options.dryRun === true ? 'rollback' : 'write' });
  } catch (error) {
    const { phase, message } = startError(error);
    return failedRunDocument(phase, message);
  }
  try {
    const up: UpOptions = {
      ...(options.step !== undefined ? { step: options.step } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
      singleTransaction: options.singleTransaction === true,
      dryRun: options.dryRun === true,
    };
    return jsonRunResult(await opened.migrator.up(up));
  } catch (error) {
    return failedRunDocument('internal', error instanceof Error ? error.message : String(error));
  } finally {
    await opened.close().catch(() => {});
  }
}

/** `moonwalk lint`: static checks of the migrations, no database. Throws only when the folder cannot be read. */
export async function lint(source: MigrationSource): Promise<LintDocument> {
  const files = await loadMigrations(source);
  // A folder's .moonwalk-lint.json disables codes there, as for the command.
  return lintDocument(files, { disabled: source.dir === undefined ? [] : readLintConfig(source.dir, LINT_CODES) });
}

export interface VerifyOptions extends MigrationSource, RunOptions {
  /** Verify on this database (the verified migrations stay applied); a throwaway in-memory one when left out. */
  db?: string;
  /** The throwaway database's engine when `db` is left out (default sqlite). */
  engine?: 'sqlite' | 'postgres';
  connectTimeoutMs?: number;
}

/** `moonwalk verify`: does each pending migration's `down` undo its `up`? Never throws. */
export async function verify(options: VerifyOptions): Promise<VerifyDocument> {
  let files: MigrationFile[];
  let driver: Driver;
  const engine: Engine = options.engine === 'postgres' ? 'postgres' : 'sqlite';
  try {
    files = await loadMigrations(options);
    driver =
      options.db === undefined
        ? await openThrowaway(engine)
        : await openDatabase(options.db, { connectTimeoutMs: options.connectTimeoutMs ?? 10_000 });
  } catch (error) {
    return { ok: false, engine, migrations: [], error: startError(error) };
  }
  const migrator = migratorFor(driver, files, options);
  // On a throwaway database verification carries on past a failed second up, on a fresh one.
  const replay =
    options.db === undefined
      ? { open: () => openThrowaway(engine), migrator: (fresh: Driver) => migratorFor(fresh, files, options) }
      : undefined;
  try {
    return await verifyDocument(migrator, driver, undefined, describeRunError, replay);
  } finally {
    migrator.dispose();
    await driver.close().catch(() => {});
  }
}

/**
 * The throwaway database of `verify` without a URL: PGlite for PostgreSQL, sql.js (SQLite) otherwise, both in memory.
 */
export async function openThrowaway(engine: Engine): Promise<Driver> {
  if (engine === 'postgres') {
    const { openPglite } = await import('../drivers/pglite.ts');
    return openPglite();
  }
  const { openSqlJs } = await import('../drivers/sqljs.ts');
  return openSqlJs();
}

/** `moonwalk diff`: what the pending migrations would change, run in a transaction and rolled back. Never throws. */
export async function diff(options: MigrationSource & ConnectOptions & RunOptions): Promise<DiffDocument> {
  let opened: OpenedMigrator;
  try {
    opened = await openMigrator({ ...options, access: 'rollback' });
  } catch (error) {
    return { ok: false, changes: [], migrations: [], error: startError(error) };
  }
  try {
    return await diffDocument(opened.migrator, opened.driver);
  } finally {
    await opened.close().catch(() => {});
  }
}

/** `moonwalk schema --json`: the database's schema snapshot (DESIGN §6). Throws when the database cannot be read. */
export async function snapshot(options: ConnectOptions): Promise<SchemaSnapshot> {
  const driver = await openDatabase(options.db, { connectTimeoutMs: options.connectTimeoutMs ?? 10_000, access: 'read' });
  try {
    return await takeSnapshot(driver, { rows: true });
  } finally {
    await driver.close();
  }
}
