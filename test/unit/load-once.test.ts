// The playground's lazy downloads (src/web/load-once.ts): one shared download, tried again after a failure.
import { expect, test } from 'vitest';
import { loadOnce } from '../../src/web/load-once.ts';

test('one download for every caller; after a failure the next call tries again, and a success is kept', async () => {
  let calls = 0;
  let fail = true;
  const load = loadOnce(async () => {
    calls++;
    if (fail) throw new Error(`download ${calls} failed`);
    return `module ${calls}`;
  });
  const [a, b] = [load(), load()];
  expect(a).toBe(b);
  await expect(a).rejects.toThrow('download 1 failed');
  fail = false;
  expect(await load()).toBe('module 2');
  expect(await load()).toBe('module 2');
  expect(calls).toBe(2);
});

test("use() takes a download started elsewhere; if that one fails, the loader's own runs at the next call", async () => {
  let calls = 0;
  const load = loadOnce(async () => `own ${++calls}`);
  load.use(Promise.resolve('early'));
  expect(await load()).toBe('early');
  const other = loadOnce(async () => `own ${++calls}`);
  const early = Promise.reject(new Error('early download failed'));
  other.use(early);
  await expect(other()).rejects.toThrow('early download failed');
  expect(await other()).toBe('own 1');
});
