/**
 * Compare engines: every file applied (`up`, all) on a fresh throwaway SQLite database and a fresh throwaway
 * PostgreSQL database, both snapshotted, and the snapshots compared by meaning (`compareEngineSnapshots`). The
 * current databases are not touched. Both engines are opened at once, so PGlite's first download overlaps the SQLite
 * run; the runs themselves go one after the other.
 */
import type { Driver } from '../../core/driver.ts';
import type { LuaHost } from '../../core/lua/host.ts';
import { Migrator } from '../../core/migrator.ts';
import type { MigrationFile } from '../../core/migration-files.ts';
import type { RunResult } from '../../core/results.ts';
import { compareEngineSnapshots } from '../../core/schema/compare-engines.ts';
import { ENGINE_LABELS, type CompareReport, type CompareSide, type EngineId } from './protocol.ts';
import { readSnapshot, schemaView, type Snapshot } from './schema.ts';
import { forPage } from './remedies.ts';
import { StartError } from './baseline.ts';

/** The two engines, in the order the page shows them (left, right). */
const ENGINES = ['sqlite', 'postgres'] as const satisfies readonly EngineId[];

export interface CompareDeps {
  host: LuaHost;
  /**
   * Opens a new database of `engine` (empty, or holding the person's starting database); the caller of
   * `compareEngines` closes nothing, this module does. A `StartError`'s message is shown as it is.
   */
  open(engine: EngineId): Promise<Driver>;
  /** The name of the starting database both sides start from, or null (empty databases). */
  startsFrom?: string | null;
}

type Opened = { driver: Driver; loadMs: number } | { error: string; loadMs: number };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function opening(engine: EngineId, deps: CompareDeps): Promise<Opened> {
  const started = performance.now();
  const loadMs = () => Math.round(performance.now() - started);
  return deps.open(engine).then(
    (driver) => ({ driver, loadMs: loadMs() }),
    (error: unknown) => ({
      error:
        error instanceof StartError
          ? error.message
          : `${ENGINE_LABELS[engine]} could not be loaded: ${messageOf(error)}`,
      loadMs: loadMs(),
    }),
  );
}

async function runSide(
  engine: EngineId,
  opened: Opened,
  files: MigrationFile[],
  host: LuaHost,
): Promise<{ side: CompareSide; snapshot: Snapshot | null }> {
  const base = { engine, loadMs: opened.loadMs };
  if ('error' in opened)
    return { side: { ...base, run: null, runMs: 0, schema: null, error: opened.error }, snapshot: null };
  const { driver } = opened;
  try {
    const started = performance.now();
    const migrator = new Migrator({ driver, files, host });
    let run: RunResult;
    try {
      const result = await migrator.up();
      run = { ...result, error: forPage(result.error) };
    } finally {
      migrator.dispose();
    }
    const runMs = Math.round(performance.now() - started);
    try {
      const snapshot = await readSnapshot(driver);
      return { side: { ...base, run, runMs, schema: schemaView(snapshot), error: null }, snapshot };
    } catch (error) {
      return {
        side: { ...base, run, runMs, schema: null, error: `Could not read the schema: ${messageOf(error)}` },
        snapshot: null,
      };
    }
  } finally {
    await driver.close().catch(() => {});
  }
}

export async function compareEngines(files: MigrationFile[], deps: CompareDeps): Promise<CompareReport> {
  const started = performance.now();
  // Both start loading now; each settles to a driver or an error, so neither can reject unobserved.
  const opened = ENGINES.map((engine) => opening(engine, deps));
  const sides: { side: CompareSide; snapshot: Snapshot | null }[] = [];
  try {
    for (let i = 0; i < ENGINES.length; i++) sides.push(await runSide(ENGINES[i], await opened[i], files, deps.host));
  } catch (error) {
    // runSide closes the database it ran on; one not reached yet is closed here.
    for (const rest of opened.slice(sides.length + 1))
      void rest.then((o) => ('driver' in o ? o.driver.close() : undefined)).catch(() => {});
    throw error;
  }
  const [left, right] = sides as [(typeof sides)[number], (typeof sides)[number]];
  const compared = left.snapshot !== null && right.snapshot !== null;
  return {
    sides: [left.side, right.side],
    compared,
    findings: compared ? compareEngineSnapshots(left.snapshot!, right.snapshot!).findings : [],
    startsFrom: deps.startsFrom ?? null,
    durationMs: Math.round(performance.now() - started),
  };
}
