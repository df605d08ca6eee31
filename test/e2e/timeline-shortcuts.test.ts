/**
 * The Timeline tab, the keyboard shortcuts and the progress of a long run, in the real page (Debian's Chromium
 * through playwright-core, as playground.test.ts): migrations applied and reverted from the keyboard show in the
 * ledger and the session's steps in order, a step's diff can be shown again, `?` lists the shortcuts, and a long
 * migration shows which migration of how many and a growing statement count until Escape stops it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { usePlayground } from './harness.ts';

const playground = usePlayground();

async function freshPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await playground.context();
  await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(playground.preview.url);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
  return { page, errors };
}

const text = (page: Page, region: string) => page.getByRole('region', { name: region, exact: true }).innerText();

async function waitForLog(page: Page, wanted: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => text(page, 'Log'), { timeout }).toContain(wanted);
}

/** The Timeline tab's lists: the ledger and the session's steps, one text per entry, top to bottom. */
async function timeline(page: Page): Promise<{ ledger: string[]; steps: string[] }> {
  const panel = page.getByRole('tabpanel', { name: 'Timeline' });
  const entries = (name: string) => panel.getByRole('list', { name }).locator(':scope > li').allInnerTexts();
  return {
    ledger: (await entries('Ledger, oldest first')).map((t) => t.replace(/\s+/g, ' ')),
    steps: (await entries('Steps of this session, oldest first')).map((t) => t.replace(/\s+/g, ' ')),
  };
}

/** The first lines of the editor's text, to see that a shortcut did not type into it. */
const editorText = (page: Page) => page.locator('.cm-content').innerText();

const LONG = `-- e2e: a long migration, one statement at a time
return require("migration").define(function()
    migration("Many inserts", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE numbers (n INTEGER NOT NULL)")
                if err then error(err) end
                for i = 1, 5000000 do
                    db:execute("INSERT INTO numbers (n) VALUES (?)", {i})
                end
            end)
            down(function(db) db:execute("DROP TABLE numbers") end)
        end)
    end)
end)`;

describe('timeline, shortcuts and progress', () => {
  test('apply and revert from the keyboard; the Timeline shows the ledger and the steps in order', async () => {
    const { page, errors } = await freshPage();
    expect(await page.getByRole('button', { name: 'Apply next', exact: true }).getAttribute('aria-keyshortcuts')).toBe(
      'Control+Enter',
    );
    expect(await page.getByRole('button', { name: 'Apply all', exact: true }).getAttribute('aria-keyshortcuts')).toBe(
      'Control+Shift+Enter',
    );
    expect(await page.getByRole('button', { name: 'Revert last', exact: true }).getAttribute('title')).toContain(
      '(Alt+Shift+Z)',
    );

    // Ctrl+Enter with the focus in the editor applies the next migration, and types nothing there.
    await page.locator('.cm-content').click();
    const before = await editorText(page);
    await page.keyboard.press('Control+Enter');
    await waitForLog(page, 'Apply next: 1 applied');
    expect(await editorText(page)).toBe(before);
    // …and with the focus on the page.
    await page.getByRole('region', { name: 'Log', exact: true }).click();
    await page.keyboard.press('Control+Enter');
    await waitForLog(page, '0002_add_email_to_users applied');
    await expect.poll(() => page.locator('#file-state-1').textContent()).toBe('applied');

    // The tabs: the Schema tab first; arrow keys move to the Timeline.
    const schemaTab = page.getByRole('tab', { name: 'Schema' });
    const timelineTab = page.getByRole('tab', { name: 'Timeline' });
    expect(await schemaTab.getAttribute('aria-selected')).toBe('true');
    expect(await text(page, 'Schema')).toContain('email');
    await schemaTab.focus();
    await page.keyboard.press('ArrowRight');
    expect(await timelineTab.getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Timeline');
    expect(await page.getByRole('region', { name: 'Schema', exact: true }).count()).toBe(0); // its panel is hidden

    await expect.poll(async () => (await timeline(page)).ledger.length).toBe(2);
    let { ledger, steps } = await timeline(page);
    expect(ledger[0]).toMatch(/^✓ 0001_create_users applied Create users table at \d\d:\d\d:\d\d \d/);
    expect(ledger[1]).toMatch(/^✓ 0002_add_email_to_users applied/);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatch(/Apply next applied .*↑ 0001_create_users applied/);
    expect(steps[1]).toMatch(/Apply next applied .*↑ 0002_add_email_to_users applied/);
    expect(await page.getByRole('tabpanel', { name: 'Timeline' }).innerText()).toContain('Pending: 0003_seed_roles');

    // Alt+Shift+Z reverts the last one: the ledger loses it, the steps gain the revert.
    await page.keyboard.press('Alt+Shift+Z');
    await waitForLog(page, 'Revert last: 1 reverted');
    await expect.poll(async () => (await timeline(page)).steps.length).toBe(3);
    ({ ledger, steps } = await timeline(page));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toContain('0001_create_users');
    expect(steps[2]).toMatch(/Revert last reverted .*↓ 0002_add_email_to_users reverted/);
    expect(steps[2]).toContain('shown in the Diff panel'); // the newest step's diff is the one in the Diff panel
    expect(steps[0]).not.toContain('shown in the Diff panel');
    const diff = page.getByRole('region', { name: 'Diff', exact: true });
    expect(await diff.innerText()).toMatch(/-\s+column email/);

    // A step's diff comes back into the Diff panel.
    await page.getByRole('button', { name: 'Show diff of step 1', exact: true }).click();
    await expect.poll(() => diff.innerText()).toMatch(/\+\s+table users/);
    expect(await diff.innerText()).toContain('Apply next on SQLite at');
    expect(
      await page.getByRole('button', { name: 'Show diff of step 1', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');

    // Ctrl+Shift+Enter applies the rest; Alt+Shift+R resets: the ledger empties, the reset is a step.
    await page.keyboard.press('Control+Shift+Enter');
    await waitForLog(page, 'Apply all: 2 applied');
    await expect
      .poll(async () => (await timeline(page)).ledger.map((l) => l.split(' ')[1]))
      .toEqual(['0001_create_users', '0002_add_email_to_users', '0003_seed_roles']);
    await page.keyboard.press('Alt+Shift+R');
    await waitForLog(page, 'Database reset');
    await expect.poll(async () => (await timeline(page)).ledger.length).toBe(0);
    expect(await page.getByRole('tabpanel', { name: 'Timeline' }).innerText()).toContain('The ledger is empty');
    expect((await timeline(page)).steps.at(-1)).toMatch(/Reset database emptied/);
    expect(errors).toEqual([]);
  });

  test('? opens the list of shortcuts (outside the editor); the small button does too', async () => {
    const { page, errors } = await freshPage();
    // In the editor ? types a question mark.
    await page.locator('.cm-content').click();
    await page.keyboard.press('End');
    const marks = async () => (await editorText(page)).split('?').length - 1;
    const before = await marks();
    await page.keyboard.press('?');
    await expect.poll(marks).toBe(before + 1);
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);

    await page.getByRole('region', { name: 'Log', exact: true }).click();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    const rows = await dialog.getByRole('row').allInnerTexts();
    const listed = rows.map((r) => r.replace(/\s+/g, ' ').trim());
    for (const [action, keys] of [
      ['Apply next', 'Ctrl+Enter'],
      ['Apply all', 'Ctrl+Shift+Enter'],
      ['Revert last', 'Alt+Shift+Z'],
      ['Revert all', 'Alt+Shift+X'],
      ['Redo', 'Alt+Shift+Y'],
      ['Verify', 'Alt+Shift+V'],
      ['Compare engines', 'Alt+Shift+C'],
      ['Reset database', 'Alt+Shift+R'],
      ['Stop (while a command runs)', 'Esc'],
      ['Keyboard shortcuts', '?'],
    ]) {
      expect(listed, action).toContain(`${action} ${keys}`);
    }
    // While it is open the shortcuts rest: Ctrl+Enter runs nothing.
    await page.keyboard.press('Control+Enter');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await text(page, 'Log')).not.toContain('Apply next:');

    await page.getByRole('button', { name: 'Keyboard shortcuts', exact: true }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('a long migration shows which of how many and a growing statement count; Escape stops it', async () => {
    const { page, errors } = await freshPage();
    await page.getByRole('button', { name: 'New migration' }).click();
    await page.getByRole('button', { name: '0004_new_migration.lua', exact: true }).waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(LONG);
    await expect.poll(() => editorText(page)).toContain('Many inserts');

    const head = page.locator('.log .panel-head');
    const headBefore = await head.boundingBox();
    await page.getByRole('region', { name: 'Log', exact: true }).click();
    await page.keyboard.press('Control+Shift+Enter');

    const progress = page.getByRole('group', { name: 'Run progress' });
    await progress.waitFor({ timeout: 10_000 });
    await expect
      .poll(() => progress.innerText(), { timeout: 10_000 })
      .toContain('Applying 0004_new_migration.lua — 4 of 4');
    const bar = progress.getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe('3');
    expect(await bar.getAttribute('aria-valuemax')).toBe('4');

    const statements = async () =>
      Number(/([\d,]+) statements?/.exec(await progress.innerText())?.[1]?.replace(/,/g, '') ?? 0);
    await expect.poll(statements, { timeout: 10_000 }).toBeGreaterThan(0);
    const first = await statements();
    await expect.poll(statements, { timeout: 10_000 }).toBeGreaterThan(first);

    // Nothing moved to make room, and Stop can be reached.
    expect(await head.boundingBox()).toEqual(headBefore);
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).isEnabled()).toBe(true);

    await page.keyboard.press('Escape');
    await waitForLog(page, 'stay applied', 10_000);
    await expect.poll(() => progress.count()).toBe(0);
    expect(await text(page, 'Log')).not.toContain('0004_new_migration applied');
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('SQLite ready');
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    // The Timeline keeps what happened: the Stop, with the three migrations Apply all had applied before the long one,
    // which stay applied.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const { ledger, steps } = await timeline(page);
    expect(ledger.map((row) => row.match(/\b000[1-4]_\w+/)?.[0])).toEqual([
      '0001_create_users',
      '0002_add_email_to_users',
      '0003_seed_roles',
    ]);
    const stop = steps.at(-1)!;
    expect(stop).toMatch(/Stop stopped/);
    expect(stop).toMatch(/Apply all was running\. It had finished 3 migrations \(listed\), kept\./);
    expect(stop.match(/\b000[1-4]_\w+/g)).toEqual(['0001_create_users', '0002_add_email_to_users', '0003_seed_roles']);
    expect(errors).toEqual([]);
  });
});
