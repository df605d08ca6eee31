/**
 * The playground as a newcomer met it (issue 14), in a real browser on the built site: what misled or lost work —
 * a share link over the person's own files, Stop while idle, SQL console results from before a migration.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { lintMigrations } from '../../src/core/lint/index.ts';
import { encodeShare } from '../../src/web/share.ts';
import { usePlayground } from './harness.ts';
import { layoutProblems } from './layout.ts';

const playground = usePlayground();

const text = (page: Page, region: string) => page.getByRole('region', { name: region }).innerText();

/** A page in a fresh browser profile (`options` as for a context), and the page errors it reports. */
async function freshPage(options?: BrowserContextOptions): Promise<{ page: Page; errors: string[] }> {
  const page = await (await playground.context(options)).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
}

async function waitForLog(page: Page, wanted: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => text(page, 'Log'), { timeout }).toContain(wanted);
}

const SHARED = {
  name: '0001_shared.lua',
  text: `return require("migration").define(function()
    migration("Shared", function()
        database("sqlite", function()
            up(function(db) assert(db:execute("CREATE TABLE shared (id INTEGER PRIMARY KEY)")) end)
            down(function(db) assert(db:execute("DROP TABLE shared")) end)
        end)
    end)
end)`,
};

describe('the playground, reviewed', () => {
  test("a share link never replaces the person's own files: the plain address shows them again", async () => {
    const { page, errors } = await freshPage();
    await open(page, playground.preview.url);
    // Their own work: a new migration, saved.
    await page.getByRole('button', { name: 'New migration' }).click();
    await page.getByRole('button', { name: '0004_new_migration.lua', exact: true }).waitFor();
    await page.waitForTimeout(400); // saved a moment after the last change

    const hash = `#${encodeShare({ files: [SHARED], engine: 'sqlite', selected: SHARED.name })}`;
    await open(page, playground.preview.url + hash);
    await page.getByRole('button', { name: SHARED.name, exact: true }).waitFor();
    await waitForLog(page, 'Your own files are kept apart');
    // Typing into the shared file: the link's copy changes, and keeps its address.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\n-- my note');
    await page.waitForTimeout(400);
    expect(new URL(page.url()).hash).toBe(hash);
    expect(await page.getByRole('link', { name: 'My files' }).count()).toBe(1);

    // The plain address: their own files, untouched.
    await open(page, playground.preview.url);
    await page.getByRole('button', { name: '0004_new_migration.lua', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: SHARED.name, exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'My files' }).count()).toBe(0);

    // The link again: the shared files as they were edited.
    await open(page, playground.preview.url + hash);
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('-- my note');
    expect(await page.getByRole('button', { name: '0004_new_migration.lua', exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('Stop is disabled while nothing runs: pressing it (or Escape) cannot throw the database away', async () => {
    const { page } = await freshPage();
    await open(page, playground.preview.url);
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    expect(await stop.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Apply all' }).click();
    await waitForLog(page, 'Apply all: 3 applied');
    expect(await stop.isDisabled()).toBe(true);
    await page.getByRole('region', { name: 'Log', exact: true }).click();
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    expect(await text(page, 'Log')).not.toContain('Stopped');
    expect(await page.getByRole('navigation', { name: 'Migrations' }).locator('.badge-applied').count()).toBe(3);
  });

  test('SQL console results from before a migration changed the table are marked out of date', async () => {
    const { page, errors } = await freshPage();
    await open(page, playground.preview.url);
    await page.getByRole('button', { name: 'Apply next' }).click();
    await waitForLog(page, 'Apply next: 1 applied');
    const consoleRegion = page.getByRole('region', { name: 'SQL console' });
    await consoleRegion.locator('summary').click();
    await consoleRegion.getByRole('textbox', { name: 'SQL' }).fill('SELECT * FROM users');
    await consoleRegion.getByRole('button', { name: 'Run SQL' }).click();
    await expect.poll(() => consoleRegion.locator('.sql-result').innerText()).toContain('0 rows');
    expect(await consoleRegion.innerText()).not.toContain('Out of date');

    // 0002 adds a column to users: the result above no longer shows the table as it is.
    await page.getByRole('button', { name: 'Apply next' }).click();
    await waitForLog(page, 'Apply next: 1 applied');
    await expect.poll(() => consoleRegion.innerText()).toContain('Out of date');
    await consoleRegion.getByRole('button', { name: 'Run it again' }).click();
    await expect.poll(() => consoleRegion.innerText()).not.toContain('Out of date');
    expect(await consoleRegion.locator('th').allInnerTexts()).toContain('email');
    expect(errors).toEqual([]);
  });
});

describe('Theme', () => {
  const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  test('starts at System (the system is dark here), colours the page, and is remembered', async () => {
    const { page } = await freshPage({ colorScheme: 'dark' });
    await open(page, playground.preview.url);
    const theme = page.getByLabel('Theme');
    expect(await theme.inputValue()).toBe('system');
    expect((await theme.locator('option').allInnerTexts()).sort()).toEqual(['Dark', 'Light', 'System']);
    expect(await background(page)).toBe('rgb(17, 21, 27)');
    await theme.selectOption({ label: 'Light' });
    await expect.poll(() => background(page)).toBe('rgb(246, 247, 249)');
    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
    expect(await page.getByLabel('Theme').inputValue()).toBe('light');
    expect(await background(page)).toBe('rgb(246, 247, 249)');
    await page.getByLabel('Theme').selectOption({ label: 'Dark' });
    await expect.poll(() => background(page)).toBe('rgb(17, 21, 27)');
  });
});

describe('a 390×844 phone', () => {
  test('one column, the panels as tabs, Apply next, Share and Stop on screen, no horizontal scroll', async () => {
    const { page, errors } = await freshPage({ viewport: { width: 390, height: 844 }, hasTouch: true });
    await open(page, playground.preview.url);
    const noHorizontalScroll = () =>
      page.evaluate(
        () =>
          document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth,
      );
    expect(await noHorizontalScroll()).toBe(true);
    for (const name of ['Apply next', 'Share', 'Stop']) {
      const box = await page.getByRole('button', { name, exact: true }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.x >= 0 && box!.x + box!.width <= 390 && box!.y >= 0 && box!.y + box!.height <= 844, name).toBe(true);
    }
    const tabs = page.getByRole('tablist', { name: 'Panels' });
    expect(await tabs.getByRole('tab').allInnerTexts()).toEqual(['Files', 'Editor', 'Database', 'Log']);
    // One panel at a time: the editor first, then the others by their tab.
    expect(await page.locator('.cm-content').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Schema' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Apply next' }).click();
    await tabs.getByRole('tab', { name: 'Database' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Schema' }).innerText()).toContain('users');
    expect(await page.locator('.cm-content').isVisible()).toBe(false);
    await tabs.getByRole('tab', { name: 'Log' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Log' }).innerText()).toContain('Apply next: 1 applied');
    await tabs.getByRole('tab', { name: 'Files' }).click();
    expect(await page.getByRole('button', { name: '0003_seed_roles.lua', exact: true }).isVisible()).toBe(true);
    for (const tab of ['Files', 'Editor', 'Database', 'Log']) {
      await tabs.getByRole('tab', { name: tab }).click();
      expect(await noHorizontalScroll(), tab).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});

describe('files', () => {
  test('New migration asks for a name, then the editor has the focus; Rename selects the name; a long name never pushes Rename and Delete out', async () => {
    const { page, errors } = await freshPage();
    await open(page, playground.preview.url);
    await page.keyboard.press('Escape'); // the tour's card
    await page.getByRole('button', { name: 'New migration' }).click();
    const input = page.getByLabel('New file name');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    const selection = () =>
      input.evaluate((el: HTMLInputElement) => el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0));
    expect(await input.inputValue()).toBe('0004_new_migration.lua');
    expect(await selection()).toBe('new_migration');
    await page.keyboard.type('add_phone');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '0004_add_phone.lua', exact: true }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.cm-editor') !== null)).toBe(true);

    await page.getByRole('button', { name: 'Rename' }).click();
    expect(await selection()).toBe('add_phone');
    await page.keyboard.type(`add_a_${'very_'.repeat(16)}long_name`);
    await page.keyboard.press('Enter');
    const long = `0004_add_a_${'very_'.repeat(16)}long_name.lua`;
    await page.getByRole('button', { name: long, exact: true }).waitFor();
    const bar = await page.getByRole('region', { name: 'Editor' }).boundingBox();
    for (const name of ['Rename', 'Delete']) {
      const box = await page
        .getByRole('region', { name: 'Editor' })
        .getByRole('button', { name, exact: true })
        .boundingBox();
      expect(box!.x + box!.width <= bar!.x + bar!.width, name).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});

describe('banners', () => {
  test('an alert moves nothing, and goes when the file it is about is edited', async () => {
    const { page } = await freshPage();
    await open(page, playground.preview.url);
    await page.keyboard.press('Escape'); // the tour's card
    const editorBox = () => page.locator('.cm-editor').boundingBox();
    const before = await editorBox();
    // A migration that fails on its line 4: the alert says so, with Go to line.
    await page.getByRole('button', { name: 'New migration' }).click();
    await page.keyboard.press('Enter');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(
      [
        'return require("migration").define(function()',
        '    migration("Broken", function()',
        '        database("sqlite", function()',
        '            up(function(db) assert(db:execute("CREATE TABLE (")) end)',
        '        end)',
        '    end)',
        'end)',
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Apply all' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getByRole('button', { name: /Go to line/ }).count()).toBe(1);
    expect(await editorBox()).toEqual(before);
    // Editing the file that failed takes the alert away.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\n');
    await expect.poll(() => alert.count()).toBe(0);
    expect(await editorBox()).toEqual(before);
  });
});

/** A share link holding `files` (kept apart from the person's own), opened and ready. */
async function openFiles(page: Page, files: { name: string; text: string }[]): Promise<void> {
  await open(page, `${playground.preview.url}#${encodeShare({ files, engine: 'sqlite', selected: files[0].name })}`);
  await page.keyboard.press('Escape'); // the tour's card
}

/** A migration file for SQLite whose `up` and `down` bodies are `up` and `down` (no down() at all when null). */
function sqliteFile(name: string, up: string, down: string | null): { name: string; text: string } {
  return {
    name,
    text: [
      'return require("migration").define(function()',
      `    migration("${name}", function()`,
      '        database("sqlite", function()',
      `            up(function(db) ${up} end)`,
      ...(down === null ? [] : [`            down(function(db) ${down} end)`]),
      '        end)',
      '    end)',
      'end)',
    ].join('\n'),
  };
}

describe('banners and the lint panel', () => {
  test("Verify's banner for a migration without down has Go to line, which puts the cursor on its block", async () => {
    const { page, errors } = await freshPage();
    await openFiles(page, [
      sqliteFile(
        '0001_users.lua',
        'assert(db:execute("CREATE TABLE users (id INTEGER PRIMARY KEY)"))',
        'assert(db:execute("DROP TABLE users"))',
      ),
      sqliteFile('0002_no_down.lua', 'assert(db:execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))', null),
    ]);
    await page.getByRole('button', { name: 'Verify' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('0002_no_down');
    expect(await alert.innerText()).toContain('has no down');
    // The block's line: where lint's missing-down warning is.
    await alert.getByRole('button', { name: 'Go to line 3' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: '0002_no_down.lua', exact: true }).getAttribute('aria-current'))
      .toBeTruthy();
    await expect.poll(() => page.locator('.cm-activeLine').innerText()).toContain('database("sqlite"');
    expect(await text(page, 'Log')).toMatch(/Verify 0002_no_down: not reversible/);
    expect(errors).toEqual([]);
  });

  test("CodeMirror's lint panel (Ctrl+Shift+M) lists every finding of the file", async () => {
    const file = sqliteFile(
      '0001_findings.lua',
      [
        'local name = "x"',
        'assert(db:execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))',
        `assert(db:execute("INSERT INTO t (name) VALUES ('" .. name .. "')"))`,
        'assert(db:execute("DELETE FROM _migrations"))',
      ].join(' '),
      null,
    );
    const findings = lintMigrations([{ file: file.name, source: file.text }]);
    expect(findings.length).toBeGreaterThanOrEqual(3);
    // The runner's refusals too, before any run.
    expect(findings.map((f) => f.code)).toContain('refused-statement');
    const { page } = await freshPage();
    await openFiles(page, [file]);
    await page.locator('.cm-content').click();
    await expect.poll(() => page.locator('.cm-lint-marker').count()).toBeGreaterThan(0);
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.cm-panel-lint');
    await panel.waitFor();
    const listed = await panel.locator('li').allInnerTexts();
    expect(listed).toHaveLength(findings.length);
    for (const finding of findings)
      expect(
        listed.some((l) => l.includes(finding.message)),
        finding.code,
      ).toBe(true);
  });
});

describe('while a command runs', () => {
  test('the header says what runs, and a failure from before is marked as earlier; Stop ends it', async () => {
    const { page, errors } = await freshPage();
    await openFiles(page, [
      // Applies; its down never ends.
      sqliteFile(
        '0001_slow_down.lua',
        'assert(db:execute("CREATE TABLE t (id INTEGER PRIMARY KEY)"))',
        'while true do end',
      ),
      sqliteFile('0002_broken.lua', 'assert(db:execute("CREATE TABLE ("))', 'assert(db:execute("SELECT 1"))'),
    ]);
    await page.getByRole('button', { name: 'Apply all' }).click();
    await waitForLog(page, '0001_slow_down applied');
    const files = page.getByRole('navigation', { name: 'Migrations' });
    await expect.poll(() => files.locator('.badge-failed').innerText()).toBe('failed');
    const header = page.getByRole('banner');
    const running = header.locator('.busy');
    expect(await running.innerText()).toBe('');
    const headerBefore = await header.boundingBox();

    await page.getByRole('button', { name: 'Revert last' }).click();
    // The command in the header, where it is in its title (and in the Log's head).
    await expect.poll(() => running.innerText()).toBe('Running: Revert last…');
    await expect.poll(() => running.getAttribute('title')).toBe('Reverting 0001_slow_down.lua — 1 of 1');
    expect(await files.locator('.badge-failed').innerText()).toBe('failed earlier');
    // The header keeps its height and Stop stays on screen.
    expect(await header.boundingBox()).toEqual(headerBefore);
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    const box = (await stop.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    await stop.click();
    await expect.poll(() => running.innerText(), { timeout: 30_000 }).toBe('');
    // The database is back as it was before the revert: 0001 still applied, nothing marked as earlier.
    await expect.poll(() => files.locator('.badge-applied').count()).toBe(1);
    expect(await files.locator('.badge-earlier').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('the header at 1280×720 and 1024×720', () => {
  test.each([1280, 1024])(
    'at %i px: one row, nothing beyond the window, no buttons over each other, on both engines and with "Link copied" shown',
    async (width) => {
      const { page, errors } = await freshPage({
        viewport: { width, height: 720 },
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      await page.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
      await open(page, playground.preview.url);
      expect(await layoutProblems(page)).toEqual([]);
      await page.getByLabel('Engine').selectOption('postgres');
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toBe('PostgreSQL ready');
      expect(await layoutProblems(page)).toEqual([]);
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      await page.getByRole('banner').getByText('Link copied', { exact: true }).waitFor();
      expect(await layoutProblems(page)).toEqual([]);
      // The contract's names are all there.
      expect(await page.getByLabel('Engine').count()).toBe(1);
      expect(await page.getByLabel('Theme').count()).toBe(1);
      for (const name of ['Share', 'Stop', 'Lessons', 'Save and load'])
        expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
      expect(errors).toEqual([]);
    },
    120_000,
  );
});

describe('Share', () => {
  test('"Link copied" shows by the Share button, and the link is on the clipboard', async () => {
    const { page } = await freshPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await open(page, playground.preview.url);
    await page.keyboard.press('Escape');
    const button = page.getByRole('button', { name: 'Share', exact: true });
    await button.click();
    const note = page.getByRole('banner').getByText('Link copied', { exact: true });
    await note.waitFor();
    const [b, n] = [(await button.boundingBox())!, (await note.boundingBox())!];
    // By the button: just under it, centred on it (over the page, so that the header's row does not move).
    expect(n.y - (b.y + b.height)).toBeGreaterThanOrEqual(0);
    expect(n.y - (b.y + b.height)).toBeLessThan(12);
    expect(Math.abs(n.x + n.width / 2 - (b.x + b.width / 2))).toBeLessThan(2);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
    expect(new URL(page.url()).hash.length).toBeGreaterThan(1);
  });
});
