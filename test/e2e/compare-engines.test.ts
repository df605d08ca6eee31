/**
 * Compare engines in a real browser (Debian's Chromium through playwright-core), on the built playground: the files
 * run on a fresh SQLite and a fresh PostgreSQL database in the page's worker, and the dialog shows where the schemas
 * differ. Files are loaded through a share link (which shows the code and runs nothing).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { encodeShare } from '../../src/web/share.ts';
import { usePlayground } from './harness.ts';

const playground = usePlayground();

interface File {
  name: string;
  text: string;
}

/** A fresh browser profile on a share link holding `files`; resolves once SQLite is ready. */
async function openWith(files: File[]): Promise<{ page: Page; errors: string[] }> {
  const context = await playground.context();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${playground.preview.url}#${encodeShare({ files, engine: 'sqlite', selected: files[0].name })}`);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
  return { page, errors };
}

/** Presses Compare engines; resolves with the dialog once its result (or its end) is shown. */
async function compare(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Compare engines' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare engines' });
  await dialog.waitFor();
  await expect
    .poll(() => dialog.locator('.cmp-headline, .cmp-summary .problem').count(), { timeout: 60_000 })
    .toBeGreaterThan(0);
  return dialog;
}

/** A migration file whose sqlite and postgres blocks run their own statements. */
function perEngine(name: string, sqlite: string[], postgres: string[]): File {
  const block = (engine: string, statements: string[]) =>
    [
      `    database("${engine}", function()`,
      '        up(function(db)',
      ...statements.map((s) => `            ${s}`),
      '        end)',
      '    end)',
    ].join('\n');
  return {
    name,
    text: [
      'return require("migration").define(function()',
      `  migration("${name}", function()`,
      block('sqlite', sqlite),
      block('postgres', postgres),
      '  end)',
      'end)',
      '',
    ].join('\n'),
  };
}

const exec = (sql: string) => `assert(db:execute("${sql}"))`;

describe('Compare engines', () => {
  test('blocks that disagree: the dialog lists each difference and marks it on both sides', async () => {
    const { page, errors } = await openWith([
      perEngine(
        '0001_items.lua',
        [
          exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, note TEXT)'),
          exec('CREATE INDEX items_name ON items (name)'),
        ],
        [exec('CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT NOT NULL, price TEXT)')],
      ),
    ]);
    const dialog = await compare(page);

    expect(await dialog.locator('.cmp-headline').innerText()).toBe('3 differences between SQLite and PostgreSQL');
    const findings = await dialog.locator('.cmp-findings li').allInnerTexts();
    expect(findings).toEqual([
      'items.price SQLite stores it as REAL (numbers with decimals), PostgreSQL as text (text).',
      'items.note Column only on SQLite (PostgreSQL has none).',
      'items.items_name Index (name) only on SQLite (PostgreSQL has none).',
    ]);

    // Each side: its run, its schema, the marks with their words (not colour alone).
    const sqlite = dialog.getByRole('region', { name: 'SQLite' });
    const postgres = dialog.getByRole('region', { name: 'PostgreSQL' });
    expect(await sqlite.locator('.cmp-run').innerText()).toContain('1 applied');
    expect(await postgres.locator('.cmp-run').innerText()).toContain('1 applied');
    // textContent: the sign, the words a screen reader reads, then the row's cells.
    expect(await sqlite.locator('tr.cmp-only').textContent()).toBe('+only here: noteTEXT');
    expect(await postgres.locator('tr.cmp-missing').textContent()).toBe('−missing here: note TEXT');
    expect(await sqlite.locator('tr.cmp-differs').textContent()).toBe('≠differs: priceREAL');
    expect(await postgres.locator('tr.cmp-differs').textContent()).toBe('≠differs: pricetext');
    expect(await sqlite.locator('li.cmp-only').textContent()).toBe('+only here: index items_name (name)');
    expect(await postgres.locator('li.cmp-missing').textContent()).toBe('−missing here: index items_name (name)');
    // The same column, the same in meaning (INTEGER PRIMARY KEY and SERIAL), is not marked.
    expect(await sqlite.locator('tr', { hasText: 'id' }).first().getAttribute('class')).toBeNull();

    // PGlite was loaded for the comparison, announced like any engine load.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The focus goes back to the button that opened the dialog (the browser restores it as the dialog closes).
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Compare engines');
    const log = await page.getByRole('region', { name: 'Log' }).innerText();
    expect(log).toContain('Loading PostgreSQL');
    expect(log).toContain('Compare engines: 3 differences between SQLite and PostgreSQL');
    // The person's own database was not touched: nothing was applied to it.
    expect(await page.getByRole('region', { name: 'Schema' }).innerText()).not.toContain('items');
    expect(await page.locator('#file-state-0').textContent()).toBe('pending');
    expect(errors).toEqual([]);
  }, 120_000);

  test("the guide's files, written per engine: the same schema", async () => {
    const dir = fileURLToPath(new URL('../fixtures/guide/transaction-safety/', import.meta.url));
    const name = '0001_create_users_with_email_index.lua';
    const { page, errors } = await openWith([{ name, text: readFileSync(dir + name, 'utf8') }]);
    const dialog = await compare(page);
    // The focus is in the dialog (on Close), not on the page behind it.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog')?.getAttribute('aria-labelledby'))).toBe(
      'compare-title',
    );
    expect(await dialog.locator('.cmp-headline').innerText()).toBe('Same schema on both engines');
    expect(await dialog.locator('.cmp-findings li').count()).toBe(0);
    for (const side of ['SQLite', 'PostgreSQL']) {
      const region = dialog.getByRole('region', { name: side });
      expect(await region.innerText()).toContain('users');
      expect(await region.locator('.cmp-only, .cmp-missing, .cmp-differs').count()).toBe(0);
    }
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(errors).toEqual([]);
  }, 120_000);

  test('a file that fails on one engine: that side shows the error, the other its schema', async () => {
    const { page, errors } = await openWith([
      perEngine(
        '0001_ok.lua',
        [exec('CREATE TABLE things (id INTEGER PRIMARY KEY)')],
        [exec('CREATE TABLE things (id SERIAL PRIMARY KEY)')],
      ),
      perEngine(
        '0002_bad.lua',
        [exec('CREATE TABLE extras (id INTEGER PRIMARY KEY)')],
        [exec('CREATE TABLE extras (id SERIAL PRIMARY KEY, broken NOSUCHTYPE)')],
      ),
    ]);
    const dialog = await compare(page);
    const postgres = dialog.getByRole('region', { name: 'PostgreSQL' });
    const sqlite = dialog.getByRole('region', { name: 'SQLite' });
    expect(await postgres.locator('.cmp-run-failed').innerText()).toContain('1 failed');
    expect(await postgres.locator('.cmp-error').innerText()).toMatch(/0002_bad[\s\S]*nosuchtype/i);
    expect(await sqlite.locator('.cmp-run-ok').innerText()).toContain('2 applied');
    expect(await sqlite.locator('.cmp-error').count()).toBe(0);
    expect(await dialog.locator('.cmp-headline').innerText()).toBe('Could not compare: the run failed on PostgreSQL');
    expect(await dialog.locator('.cmp-warning').innerText()).toContain('The run failed on PostgreSQL');
    // What PostgreSQL rolled back shows as the difference.
    expect(await dialog.locator('.cmp-findings li').allInnerTexts()).toEqual([
      'extras Table only on SQLite (PostgreSQL has none).',
    ]);
    expect(errors).toEqual([]);
  }, 120_000);

  test('runs that failed on both engines: "Could not compare" first, never "Same schema"', async () => {
    const broken = exec('CREATE TABLE t (id INTEGER PRIMARY KEY,)');
    const { page, errors } = await openWith([perEngine('0001_bad.lua', [broken], [broken])]);
    const dialog = await compare(page);
    const headline = dialog.locator('.cmp-headline');
    expect(await headline.innerText()).toBe('Could not compare: the run failed on SQLite and PostgreSQL');
    expect(await headline.getAttribute('class')).toContain('cmp-bad');
    expect(await dialog.innerText()).not.toContain('Same schema');
    const log = await page.getByRole('region', { name: 'Log' }).innerText();
    expect(log).toContain('Compare engines: Could not compare: the run failed on SQLite and PostgreSQL');
    expect(log).not.toMatch(/the same schema/i);
    expect(errors).toEqual([]);
  }, 120_000);

  test('Stop ends a runaway comparison and the page stays usable', async () => {
    const { page, errors } = await openWith([perEngine('0001_loop.lua', ['while true do end'], [exec('SELECT 1')])]);
    await page.getByRole('button', { name: 'Compare engines' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare engines' });
    await dialog.getByRole('button', { name: 'Stop comparing' }).click();
    await expect
      .poll(() => dialog.locator('.cmp-summary').innerText(), { timeout: 15_000 })
      .toContain('did not finish');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
    // Usable again once the database is back as it was before the comparison.
    await expect.poll(() => page.getByRole('button', { name: 'Compare engines' }).isEnabled()).toBe(true);
    expect(await page.getByRole('region', { name: 'Log' }).innerText()).toContain('The database is back as it was');
    expect(errors).toEqual([]);
  }, 120_000);
});
