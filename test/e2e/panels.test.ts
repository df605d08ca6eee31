/**
 * Room for the panels (issue 14 item 7), in a real browser on the built site: the separators resize them by dragging
 * and from the keyboard, the sizes are back after a reload, Schema and Diff keep room beside an open SQL console at
 * 1280×720, the database column grows at 1920 px, long defaults and foreign-key actions are read whole, and a phone
 * keeps its one column.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { encodeShare } from '../../src/web/share.ts';
import { usePlayground } from './harness.ts';

const playground = usePlayground();

async function open(page: Page, url = playground.preview.url): Promise<void> {
  await page.goto(url);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
}

const separator = (page: Page, name: string) => page.getByRole('separator', { name, exact: true });
const valueOf = async (page: Page, name: string) => Number(await separator(page, name).getAttribute('aria-valuenow'));
const width = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!.width;
const height = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!.height;

describe('resizable panels', () => {
  test('by keyboard: a focusable separator with its value, moved by the arrow keys, Home and End; remembered after a reload', async () => {
    const context = await playground.context();
    const page = await context.newPage();
    await open(page);
    await page.keyboard.press('Escape'); // the tour's card

    const side = separator(page, 'Database column width');
    expect(await side.getAttribute('aria-orientation')).toBe('vertical');
    expect(await valueOf(page, 'Database column width')).toBe(Math.round(await width(page, '.layout > .side')));
    const before = await width(page, '.layout > .side');
    await side.focus();
    // The separator moves left: the database column grows by three steps of 16 px.
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => width(page, '.layout > .side')).toBeCloseTo(before + 48, 0);
    expect(await valueOf(page, 'Database column width')).toBe(Math.round(before + 48));
    await page.keyboard.press('Home');
    await expect.poll(() => valueOf(page, 'Database column width')).toBe(260);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => valueOf(page, 'Database column width')).toBe(260 + 64);

    // Schema over Diff: ArrowDown gives Schema a bigger share.
    const schema = separator(page, 'Schema height');
    expect(await schema.getAttribute('aria-orientation')).toBe('horizontal');
    const schemaBefore = await height(page, '.side > .schema');
    await schema.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => height(page, '.side > .schema')).toBeGreaterThan(schemaBefore + 20);
    const share = await valueOf(page, 'Schema height');
    const sideWidth = await width(page, '.layout > .side');
    const schemaHeight = await height(page, '.side > .schema');

    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
    expect(await width(page, '.layout > .side')).toBeCloseTo(sideWidth, 0);
    expect(await height(page, '.side > .schema')).toBeCloseTo(schemaHeight, 0);
    expect(await valueOf(page, 'Schema height')).toBe(share);
    expect(await valueOf(page, 'Database column width')).toBe(260 + 64);
  });

  test('by dragging: the file list wider, the log taller; a double click puts a separator back', async () => {
    const context = await playground.context();
    const page = await context.newPage();
    await open(page);
    await page.keyboard.press('Escape');
    const drag = async (name: string, dx: number, dy: number) => {
      const box = (await separator(page, name).boundingBox())!;
      const x = box.x + box.width / 2;
      const y = box.y + box.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
      await page.mouse.move(x + dx, y + dy, { steps: 4 });
      await page.mouse.up();
    };
    const files = await width(page, 'nav.files');
    await drag('File list width', 80, 0);
    await expect.poll(() => width(page, 'nav.files')).toBeCloseTo(files + 80, 0);
    const log = await height(page, '.center > .log');
    await drag('Log height', 0, -100);
    await expect.poll(() => height(page, '.center > .log')).toBeCloseTo(log + 100, -1);

    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
    expect(await width(page, 'nav.files')).toBeCloseTo(files + 80, 0);
    expect(await height(page, '.center > .log')).toBeCloseTo(log + 100, -1);
    await separator(page, 'File list width').dblclick();
    await expect.poll(() => width(page, 'nav.files')).toBeCloseTo(files, 0);
  });

  test('at 1280×720 with the SQL console open, Schema and Diff keep room; at 1920 px the database column grows', async () => {
    const context = await playground.context();
    const page = await context.newPage();
    await open(page);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Log' }).innerText()).toContain('Apply all: 3 applied');
    const consoleRegion = page.getByRole('region', { name: 'SQL console' });
    await consoleRegion.locator('summary').click();
    await consoleRegion.getByRole('textbox', { name: 'SQL' }).fill('SELECT * FROM _migrations');
    await consoleRegion.getByRole('button', { name: 'Run SQL' }).click();
    await expect.poll(() => consoleRegion.innerText()).toContain('3 rows');
    // Before: Schema showed about 4 rows (some 110 px) and Diff about 3 lines beside the open console.
    expect(await height(page, '.side > .schema')).toBeGreaterThan(200);
    expect(await height(page, '.side > .diff')).toBeGreaterThan(140);
    // The console's rows are still there, scrolled within it.
    expect(await consoleRegion.getByRole('cell', { name: '0003_seed_roles' }).count()).toBe(1);

    const wide = await playground.context({ viewport: { width: 1920, height: 1080 } });
    const widePage = await wide.newPage();
    await open(widePage);
    expect(await width(widePage, '.layout > .side')).toBeGreaterThan(450);
  });

  test('sizes set in a wide window leave the editor its room in a smaller one', async () => {
    const context = await playground.context({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await open(page);
    await page.keyboard.press('Escape');
    for (const name of ['File list width', 'Database column width']) {
      await separator(page, name).focus();
      await page.keyboard.press('End');
    }
    await expect.poll(() => width(page, '.layout > .center')).toBeLessThan(500);
    await page.setViewportSize({ width: 1100, height: 720 });
    await expect.poll(() => width(page, '.layout > .center')).toBeGreaterThanOrEqual(28 * 16 - 1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  test('long defaults and foreign-key actions are shown whole, wrapping inside the column', async () => {
    const longDefault = "'a default long enough to be cut in a 340 px column, kept whole'";
    const files = [
      {
        name: '0001_long_values.lua',
        text: `return require("migration").define(function()
    migration("Long values", function()
        database("sqlite", function()
            up(function(db)
                assert(db:execute("CREATE TABLE parent_with_a_long_name (id INTEGER PRIMARY KEY)"))
                assert(db:execute([[CREATE TABLE child (
                    id INTEGER PRIMARY KEY,
                    note TEXT NOT NULL DEFAULT ${longDefault},
                    parent_id INTEGER REFERENCES parent_with_a_long_name (id) ON DELETE CASCADE ON UPDATE SET NULL
                )]]))
            end)
            down(function(db)
                assert(db:execute("DROP TABLE child"))
                assert(db:execute("DROP TABLE parent_with_a_long_name"))
            end)
        end)
    end)
end)`,
      },
    ];
    const context = await playground.context();
    const page = await context.newPage();
    await open(page, `${playground.preview.url}#${encodeShare({ files, engine: 'sqlite', selected: files[0].name })}`);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Apply all' }).click();
    const schema = page.getByRole('region', { name: 'Schema' });
    await expect.poll(() => schema.innerText()).toContain('child');
    const text = (await schema.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(longDefault);
    expect(text).toMatch(/on delete cascade/i);
    expect(text).toMatch(/on update set null/i);
    // Nothing cut or scrolled sideways: the panel's content fits its width.
    const fits = await page
      .locator('.side > .schema .panel-body:not([hidden])')
      .evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(fits).toBe(true);
  });

  test('a 390×844 phone keeps one column with no separator and no horizontal scroll, whatever sizes were set', async () => {
    const context = await playground.context({ viewport: { width: 390, height: 844 }, hasTouch: true });
    await context.addInitScript(() =>
      localStorage.setItem('moonwalk.panels.v1', JSON.stringify({ files: 460, side: 900, log: 600, schema: 80 })),
    );
    const page = await context.newPage();
    await open(page);
    const noHorizontalScroll = () =>
      page.evaluate(
        () =>
          document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth,
      );
    const tabs = page.getByRole('tablist', { name: 'Panels' });
    for (const tab of ['Files', 'Editor', 'Database', 'Log']) {
      await tabs.getByRole('tab', { name: tab }).click();
      expect(await noHorizontalScroll(), tab).toBe(true);
      expect(await page.getByRole('separator').filter({ visible: true }).count(), tab).toBe(0);
    }
    // The editor takes the height under the tabs, as before the separators.
    await tabs.getByRole('tab', { name: 'Editor' }).click();
    expect(await height(page, '.editor-panel')).toBeGreaterThan(500);
  });
});
