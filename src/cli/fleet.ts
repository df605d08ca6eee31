/**
 * Runs one job per target, at most `parallel` at once, in the targets' order (DESIGN §5 `--targets`). A failed target
 * does not stop the others unless `failFast`: then none starts after the first failure. Never throws: a job that
 * throws counts as that target's failure.
 */
export interface FleetOptions {
  parallel: number;
  failFast: boolean;
}

export type FleetOutcome<T> =
  | { state: 'done'; ok: boolean; value: T }
  | { state: 'thrown'; error: unknown }
  /** Not started: `failFast` and an earlier target had failed. */
  | { state: 'not_started' };

/**
 * `job(item, slot)`: `slot` (0 … parallel-1) is the lane the job runs in, so that a caller can keep one reusable
 * resource per lane (no two jobs of one lane run at once). `isOk` says whether a job's value is a success.
 * `onSettled` is called as each target finishes, with the counts so far.
 */
export async function runFleet<I, T>(
  items: readonly I[],
  options: FleetOptions,
  job: (item: I, slot: number) => Promise<T>,
  isOk: (value: T) => boolean,
  onSettled?: (item: I, outcome: FleetOutcome<T>, progress: { done: number; failed: number; total: number }) => void,
): Promise<FleetOutcome<T>[]> {
  const outcomes: FleetOutcome<T>[] = items.map(() => ({ state: 'not_started' }));
  let next = 0;
  let done = 0;
  let failed = 0;
  const lane = async (slot: number): Promise<void> => {
    while (next < items.length && !(options.failFast && failed > 0)) {
      const index = next++;
      const item = items[index];
      let outcome: FleetOutcome<T>;
      try {
        const value = await job(item, slot);
        outcome = { state: 'done', ok: isOk(value), value };
      } catch (error) {
        outcome = { state: 'thrown', error };
      }
      outcomes[index] = outcome;
      done++;
      if (outcome.state !== 'done' || !outcome.ok) failed++;
      try {
        onSettled?.(item, outcome, { done, failed, total: items.length });
      } catch {
        // a broken progress printer must not stop the fleet
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.parallel, items.length));
  await Promise.all(Array.from({ length: lanes }, (_, slot) => lane(slot)));
  return outcomes;
}
