/**
 * Makes docs/playground.png: the main view at 1280×720 after applying two of the examples, and
 * docs/playground-timeline.png: the Timeline tab after applying all three and reverting the last, and
 * docs/playground-compare.png: Compare engines on the gallery's engine-specific set, docs/playground-dark.png: the
 * main view with the Dark theme, and docs/playground-phone.png: a 390×844 phone. Not part of the test suite (it
 * writes into docs/): `npm run screenshot` (`-t timeline` for the one).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXAMPLE_SETS } from '../../src/web/gallery.ts';
import { encodeShare } from '../../src/web/share.ts';
import { root, usePlayground } from './harness.ts';

describe('screenshot', () => {
  const playground = usePlayground();
  test('docs/playground.png', async () => {
    const page = await (await playground.context()).newPage();
    await page.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen')); // no first-visit tour
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
    for (const n of [1, 2]) {
      await page.getByRole('button', { name: 'Apply next' }).click();
      await expect.poll(() => page.getByRole('region', { name: 'Log' }).innerText()).toContain(`Apply next: 1 applied`);
      if (n === 1) await page.getByRole('button', { name: 'Clear log' }).click();
    }
    await page.getByRole('button', { name: '0002_add_email_to_users.lua', exact: true }).click();
    await page.mouse.move(0, 719);
    await page.waitForTimeout(500); // lint and the status badge settle
    await page.screenshot({ path: join(root, 'docs', 'playground.png') });
  }, 120_000);

  test('docs/playground-timeline.png', async () => {
    const page = await (await playground.context()).newPage();
    await page.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen')); // no first-visit tour
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
    const log = () => page.getByRole('region', { name: 'Log' }).innerText();
    await page.getByRole('button', { name: 'Apply next' }).click();
    await expect.poll(log).toContain('Apply next: 1 applied');
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(log).toContain('Apply all: 2 applied');
    await page.getByRole('button', { name: 'Revert last' }).click();
    await expect.poll(log).toContain('Revert last: 1 reverted');
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('button', { name: 'Show diff of step 2', exact: true }).click();
    await page.mouse.move(0, 719);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(root, 'docs', 'playground-timeline.png') });
  }, 120_000);

  test('docs/playground-dark.png', async () => {
    const page = await (await playground.context()).newPage();
    await page.addInitScript(() => {
      localStorage.setItem('moonwalk.tour.v1', 'seen');
      localStorage.setItem('moonwalk.theme.v1', 'dark');
    });
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Log' }).innerText()).toContain('Apply all: 3 applied');
    await page.mouse.move(0, 719);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(root, 'docs', 'playground-dark.png') });
  }, 120_000);

  test('docs/playground-phone.png', async () => {
    const page = await (await playground.context({ viewport: { width: 390, height: 844 }, hasTouch: true })).newPage();
    await page.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
    await page.getByRole('button', { name: 'Apply next' }).click();
    // The Log is a tab of its own on a phone: its text is read while it is hidden.
    await expect.poll(() => page.locator('.log-list').textContent()).toContain('Apply next: 1 applied');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(root, 'docs', 'playground-phone.png') });
  }, 120_000);

  test('docs/playground-compare.png', async () => {
    const page = await (await playground.context()).newPage();
    await page.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen')); // no first-visit tour
    const files = EXAMPLE_SETS.find((set) => set.id === 'engines')!.files;
    await page.goto(`${playground.preview.url}#${encodeShare({ files, engine: 'sqlite', selected: files[0].name })}`);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
    await page.getByRole('button', { name: 'Compare engines' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare engines' });
    await expect.poll(() => dialog.locator('.cmp-headline').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.mouse.move(0, 719);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(root, 'docs', 'playground-compare.png') });
  }, 120_000);
});
