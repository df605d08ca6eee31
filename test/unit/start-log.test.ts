/**
 * The capped worker's log of start events it has not posted yet (src/cli/start-log.ts): what the main thread reads
 * when the worker ends without a result, to name the migration that was running.
 */
import { describe, expect, test } from 'vitest';
import { StartLog } from '../../src/cli/start-log.ts';

describe('StartLog', () => {
  test('what one side appends the other reads from the same memory, in order, until cleared', () => {
    const worker = StartLog.create();
    const main = new StartLog(worker.buffer);
    expect(main.read()).toEqual([]);
    worker.append({ id: '0001_a', direction: 'up', at: 1 });
    worker.append({ id: '0002_ß "quoted"', direction: 'down', at: 2.5 });
    expect(main.read()).toEqual([
      { id: '0001_a', direction: 'up', at: 1 },
      { id: '0002_ß "quoted"', direction: 'down', at: 2.5 },
    ]);
    worker.clear();
    expect(main.read()).toEqual([]);
  });

  test('a full log refuses the next start and keeps what it holds', () => {
    const log = StartLog.create(100);
    let appended = 0;
    while (log.append({ id: `m${appended}`, direction: 'up', at: 0 })) appended++;
    expect(appended).toBeGreaterThan(0);
    expect(log.read().map((s) => s.id)).toEqual(Array.from({ length: appended }, (_, i) => `m${i}`));
  });
});
