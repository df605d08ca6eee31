/**
 * A big SQLite file (about 80 MB, made by better-sqlite3) opened with the picker in the real page (Debian's Chromium),
 * three times in a row: the progress line shows its bytes being read (when the open takes long enough for the line to
 * show), and it becomes the starting database (Reset database comes back to it). The times it took are printed (the
 * page's own clock: the picker's `change` to the "Opened" line, and the Reset that follows, which waits for the
 * database kept when the open ended); no timing is asserted.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import { usePlayground } from './harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-big-sqlite-e2e-'));
const playground = usePlayground();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ROWS = 80_000;
let path = '';

beforeAll(async () => {
  path = join(tmp, 'big.sqlite');
  const driver = openSqliteFile(path);
  // ~1 KB of incompressible bytes a row: the file's size is what is measured, not its shape.
  driver.exec(`CREATE TABLE readings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
    INSERT INTO readings SELECT i, randomblob(1000) FROM n;`);
  await driver.close();
});

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true }).innerText();

async function idle(page: Page): Promise<void> {
  await expect
    .poll(() => page.getByRole('button', { name: 'Apply next' }).isEnabled(), { timeout: 120_000 })
    .toBe(true);
}

/** Milliseconds in the page's clock from `start()` until `done` shows. */
async function timed(page: Page, start: () => Promise<void>, done: () => Promise<void>): Promise<number> {
  await page.evaluate(() => {
    (window as unknown as { t0: number }).t0 = performance.now();
  });
  await start();
  await done();
  return page.evaluate(() => performance.now() - (window as unknown as { t0: number }).t0);
}

describe('a big SQLite file in the playground', () => {
  test('opened with the picker: its bytes read with progress, Reset back to it', async () => {
    const mb = (statSync(path).size / (1024 * 1024)).toFixed(1);
    const { page, errors } = await playground.freshPage();

    const log = page.getByRole('region', { name: 'Log', exact: true });
    const times: string[] = [];
    for (let round = 0; round < 3; round++) {
      // Every text the progress line has had (a MutationObserver misses no render).
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { progressSeen: string[] }).progressSeen = seen;
        new MutationObserver(() => {
          for (const line of document.querySelectorAll('.progress-line')) seen.push(line.textContent ?? '');
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const openMs = await timed(
        page,
        () => page.getByLabel('Open database file').setInputFiles(path),
        () =>
          log
            .getByText(/^Opened big\.sqlite .*1 table/)
            .nth(round)
            .waitFor({ timeout: 120_000 }),
      );
      const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
      // The progress line shows once a command has run 300 ms: an open this long has shown its bytes being read.
      if (openMs >= 1000)
        expect(seen.join('\n')).toMatch(/Open database file — read (\d+% \(|[\d.]+ MB, opening it in SQLite)/);
      await idle(page);
      expect(await region(page, 'Schema')).toContain('readings');

      // The Reset waits for the database the page keeps in the browser when the open ended.
      const resetMs = await timed(
        page,
        () => page.getByRole('button', { name: 'Reset database' }).click(),
        () => log.getByText('Database reset:').nth(round).waitFor({ timeout: 120_000 }),
      );
      await idle(page);
      expect(await region(page, 'Schema')).toContain('readings');
      times.push(`open ${Math.round(openMs)} ms, Reset ${Math.round(resetMs)} ms`);
    }
    console.log(`big.sqlite ${mb} MB: ${times.join('; ')}`);
    expect(errors).toEqual([]);
  }, 300_000);
});
