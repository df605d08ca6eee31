/**
 * The playground in a real browser (Debian's Chromium through playwright-core), driven by the accessible names of
 * DESIGN §7 like a screen-reader user would. The build is made once (or reused while fresh) and served with
 * `vite preview`.
 */
import { deflateSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { base64urlEncode } from '../../src/web/share.ts';
import { usePlayground } from './harness.ts';

const playground = usePlayground();

async function freshPage(url = playground.preview.url): Promise<{ page: Page; errors: string[] }> {
  const context = await playground.context();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return { page, errors };
}

const text = (page: Page, region: string) => page.getByRole('region', { name: region }).innerText();

async function waitForStatus(page: Page, wanted: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => page.getByRole('status').textContent(), { timeout }).toBe(wanted);
}

async function waitForLog(page: Page, wanted: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => text(page, 'Log'), { timeout }).toContain(wanted);
}

/** Replaces the editor's text (CodeMirror's own DOM) with `code`. */
async function setEditorText(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
  await expect.poll(() => page.locator('.cm-content').innerText()).toContain(code.split('\n')[1].trim());
}

const GADGETS = `-- e2e: a table of gadgets
return require("migration").define(function()
    migration("Create gadgets", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE gadgets (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE gadgets")
                if err then error(err) end
            end)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE gadgets (id SERIAL PRIMARY KEY, label TEXT NOT NULL)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE gadgets")
                if err then error(err) end
            end)
        end)
    end)
end)`;

const LOOP = `-- e2e: runaway code
return require("migration").define(function()
    migration("Loop forever", function()
        database("sqlite", function()
            up(function(db)
                while true do end
            end)
        end)
    end)
end)`;

async function writeNewMigration(page: Page, code: string): Promise<string> {
  await page.getByRole('button', { name: 'New migration' }).click();
  const name = '0004_new_migration.lua';
  await page.getByRole('button', { name, exact: true }).waitFor();
  await setEditorText(page, code);
  return name;
}

async function applyAndRevert(page: Page, engine: 'SQLite' | 'PostgreSQL', timeout: number): Promise<void> {
  await writeNewMigration(page, GADGETS);
  await page.getByRole('button', { name: 'Apply all' }).click();
  await waitForLog(page, 'Apply all: 4 applied', timeout);
  const schema = await text(page, 'Schema');
  expect(schema).toContain('gadgets');
  expect(schema).toContain('label');
  expect(schema).toContain(`${engine} database`);
  const diff = page.getByRole('region', { name: 'Diff' });
  expect(await diff.innerText()).toMatch(/\+\s+table gadgets/);
  expect(await diff.locator('.diff-added').filter({ hasText: 'gadgets' }).count()).toBe(1);
  await expect.poll(() => page.locator('#file-state-3').textContent()).toBe('applied');

  await page.getByRole('button', { name: 'Revert last' }).click();
  await waitForLog(page, 'Revert last: 1 reverted', timeout);
  expect(await text(page, 'Schema')).not.toContain('gadgets');
  expect(await diff.innerText()).toMatch(/-\s+table gadgets/);
  expect(await diff.locator('.diff-removed').filter({ hasText: 'gadgets' }).count()).toBe(1);
  await expect.poll(() => page.locator('#file-state-3').textContent()).toBe('pending');
}

describe('the playground', () => {
  test('reaches "SQLite ready" with the example migrations listed', async () => {
    const started = Date.now();
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    console.log(
      `"SQLite ready" ${Date.now() - started} ms after navigation (page's own count: ${
        /SQLite ready (\d+) ms/.exec(await text(page, 'Log'))?.[1]
      } ms)`,
    );
    for (const name of ['0001_create_users.lua', '0002_add_email_to_users.lua', '0003_seed_roles.lua']) {
      await page.getByRole('button', { name, exact: true }).waitFor();
    }
    for (const name of [
      'Apply next',
      'Apply all',
      'Revert last',
      'Revert all',
      'Redo',
      'Verify',
      'Reset database',
      'Stop',
      'Share',
      'New migration',
    ]) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    }
    const engine = page.getByLabel('Engine');
    expect(await engine.locator('option').allTextContents()).toEqual(['SQLite', 'PostgreSQL']);
    expect(await text(page, 'Schema')).toContain('No tables yet');
    expect(errors).toEqual([]);
  });

  test('SQLite: write a migration, apply it, see it in Schema and Diff, revert it', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await applyAndRevert(page, 'SQLite', 10_000);
    expect(errors).toEqual([]);
  });

  test('PostgreSQL: the same after switching the engine', async () => {
    const { page, errors } = await freshPage();
    // PGlite starts from the data directory prepared at build time (no initdb in the browser, so no initdb.wasm).
    const requests: string[] = [];
    const warnings: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await waitForStatus(page, 'SQLite ready');
    for (const w of page.workers())
      w.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
    const started = Date.now();
    await page.getByLabel('Engine').selectOption({ label: 'PostgreSQL' });
    await waitForStatus(page, 'PostgreSQL ready', 45_000);
    console.log(`"PostgreSQL ready" ${Date.now() - started} ms after choosing it`);
    expect(requests.some((p) => /\/pglite-datadir-[\w-]+\.bin$/.test(p))).toBe(true);
    expect(requests.filter((p) => /initdb/.test(p))).toEqual([]);
    expect(warnings.filter((w) => /initdb/.test(w))).toEqual([]);
    await applyAndRevert(page, 'PostgreSQL', 20_000);
    expect(errors).toEqual([]);
  }, 90_000);

  test('the state survives a reload; a share link reproduces the files in a fresh browser and runs nothing', async () => {
    const { page } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    const name = await writeNewMigration(page, GADGETS);
    await page.waitForTimeout(400); // the state is saved a moment after the last change
    await page.reload();
    await waitForStatus(page, 'SQLite ready');
    await page.getByRole('button', { name, exact: true }).waitFor();
    expect(await page.locator('.cm-content').innerText()).toContain('CREATE TABLE gadgets');

    await page.getByRole('button', { name: 'Share' }).click();
    await expect.poll(() => page.url()).toMatch(/#v3\.[A-Za-z0-9_-]+$/);
    const link = page.url();

    const { page: other, errors } = await freshPage(link);
    await waitForStatus(other, 'SQLite ready');
    for (const file of ['0001_create_users.lua', '0002_add_email_to_users.lua', '0003_seed_roles.lua', name]) {
      await other.getByRole('button', { name: file, exact: true }).waitFor();
    }
    expect(await other.locator('.cm-content').innerText()).toContain('CREATE TABLE gadgets');
    expect(await text(other, 'Log')).toContain('Nothing has run');
    expect(await text(other, 'Schema')).toContain('No tables yet');
    expect(await other.locator('.badge-applied').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('broken, oversized and hostile links are refused with an alert and load nothing', async () => {
    const enc = (json: string) => `#v1.${base64urlEncode(deflateSync(new TextEncoder().encode(json)))}`;
    const bomb = `#v1.${base64urlEncode(deflateSync(new Uint8Array(60_000_000), { level: 9 }))}`;
    const valid = enc(JSON.stringify({ f: [['0001_a.lua', 'return 1']], e: 'sqlite' }));
    const cases: Array<[string, string, RegExp]> = [
      ['truncated', valid.slice(0, valid.length - 6), /broken or incomplete/],
      ['not base64url', '#v1.%%%%', /broken or incomplete/],
      ['unknown version', '#v9.AAAA', /format v9/],
      ['oversized', `#v1.${'A'.repeat(150_000)}`, /too long/],
      ['deflate bomb', bomb, /more than 2 MB/],
      ['path in a name', enc(JSON.stringify({ f: [['../../etc/passwd', 'x']], e: 'sqlite' })), /not allowed/],
      [
        'markup in a name',
        enc(JSON.stringify({ f: [['<img src=x onerror=alert(1)>.lua', 'x']], e: 'sqlite' })),
        /not allowed/,
      ],
      ['prototype key', enc('{"f":{"__proto__":{"polluted":true}},"e":"sqlite"}'), /no file list/],
      ['unknown engine', enc(JSON.stringify({ f: [], e: 'oracle' })), /unknown engine/],
    ];
    for (const [label, hash, message] of cases) {
      const { page, errors } = await freshPage(playground.preview.url + hash);
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 5000 });
      expect(await alert.innerText(), label).toMatch(message);
      expect(await alert.innerText(), label).toContain('Nothing was loaded');
      await waitForStatus(page, 'SQLite ready');
      // nothing of the link was loaded: the example set is shown, and nothing ran
      await page.getByRole('button', { name: '0001_create_users.lua', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: '0001_a.lua' }).count(), label).toBe(0);
      expect(await page.evaluate(() => (({}) as Record<string, unknown>)['polluted']), label).toBeUndefined();
      expect(errors, label).toEqual([]);
      await page.context().close();
    }
  });

  test('a link whose reader cannot be downloaded: a clear alert, the examples, a working page', async () => {
    const context = await playground.context();
    await context.route(/\/assets\/share-[^/]*\.js$/, (route) => route.abort());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const link = `#v1.${base64urlEncode(deflateSync(new TextEncoder().encode(JSON.stringify({ f: [['0001_a.lua', 'return 1']], e: 'sqlite' }))))}`;
    await page.goto(playground.preview.url + link);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 5000 });
    expect(await alert.innerText()).toMatch(
      /share-link reader could not be downloaded.*reload the page.*Nothing was loaded/s,
    );
    await waitForStatus(page, 'SQLite ready');
    await page.getByRole('button', { name: '0001_create_users.lua', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: '0001_a.lua' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('Stop ends `while true do end` within a few seconds and the page stays usable', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await writeNewMigration(page, LOOP);
    await page.getByRole('button', { name: 'Apply all' }).click();
    await waitForLog(page, '0003_seed_roles applied');
    await page.waitForTimeout(300); // inside the loop now
    expect(await page.getByRole('button', { name: 'Apply next' }).isDisabled()).toBe(true);
    const stopped = Date.now();
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForStatus(page, 'SQLite ready', 5000);
    await waitForLog(
      page,
      'The database is back as it was after the last migration that committed: 0001_create_users, 0002_add_email_to_users, 0003_seed_roles stay applied.',
      5000,
    );
    const ms = Date.now() - stopped;
    console.log(`Stop: "SQLite ready" again ${ms} ms after the click`);

    // Stop ended it, not the runner's instruction limit
    expect(await text(page, 'Log')).not.toContain('0004_new_migration failed');
    // What had committed stays; usable: the runaway one is pending and runs again (Stop is enabled while it runs)
    expect(await page.locator('.badge-applied').count()).toBe(3);
    expect(await text(page, 'Schema')).toContain('users');
    expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Revert last' }).click();
    await waitForLog(page, 'Revert last: 1 reverted');
    expect(await page.locator('.badge-applied').count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
