/** What a run reports of a migration besides runOne's results: an up's result, timed; why one is skipped. */
import type { Engine } from '../driver.ts';
import type { CompiledMigration } from '../lua/host.ts';
import { durationMs, type MigrationResult } from '../results.ts';

/** A migration's `up` that ended with `status`, timed from `started` (a performance.now()). */
export function upResult(id: string, status: MigrationResult['status'], started: number): MigrationResult {
  return { id, direction: 'up', status, duration_ms: durationMs(performance.now() - started) };
}

/** Why a migration with no block for this engine is skipped. */
export function skipReason(compiled: CompiledMigration, engine: Engine): string {
  if (compiled.emptyBlocks.includes(engine)) return `its database("${engine}") block is empty`;
  const engines = Object.keys(compiled.blocks);
  return `no database("${engine}") block` + (engines.length ? ` (it targets ${engines.join(', ')})` : '');
}
