/**
 * "Learning" and "Sharing and keeping" in the real page (Debian's Chromium through playwright-core, as
 * playground.test.ts): the Examples gallery, the guided tour, the DSL reference on hover and in its dialog, and Save
 * and load — the migrations zip (run unchanged by the real `moonwalk` command), its import, and the database
 * download (the SQLite file; the PostgreSQL SQL dump, restored into PGlite).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { EXAMPLE_SETS } from '../../src/web/gallery.ts';
import { ensureCliBuilt } from '../helpers/cli-process.ts';
import { root, usePlayground } from './harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-learning-'));
// The zip download is run by the real command: its dist/ is built first when older than its sources.
const playground = usePlayground(ensureCliBuilt);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function freshPage(options: { tourSeen?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await playground.context({ acceptDownloads: true });
  if (options.tourSeen ?? true) await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(playground.preview.url);
  return { page, errors };
}

const text = (page: Page, region: string) => page.getByRole('region', { name: region, exact: true }).innerText();

async function waitForStatus(page: Page, wanted: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => page.getByRole('status').textContent(), { timeout }).toBe(wanted);
}

async function waitForLog(page: Page, wanted: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => text(page, 'Log'), { timeout }).toContain(wanted);
}

async function fileNames(page: Page): Promise<string[]> {
  return page.locator('.file-list .file-button').allTextContents();
}

async function loadExample(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'Examples', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Examples' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: `Load ${title}`, exact: true }).click();
}

async function menuItem(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Save and load', exact: true }).click();
  await page.getByRole('group', { name: 'Save and load' }).getByRole('button', { name, exact: true }).click();
}

async function download(page: Page, item: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([page.waitForEvent('download'), menuItem(page, item)]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

async function importFiles(page: Page, files: Array<{ name: string; bytes: Uint8Array }>): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menuItem(page, 'Import migrations')]);
  await chooser.setFiles(
    files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) })),
  );
}

/** Replaces the editor's text (CodeMirror's own DOM) with `code`. */
async function setEditorText(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
  await expect.poll(() => page.locator('.cm-content').innerText()).toContain(code.split('\n')[0].trim());
}

/** Rests the pointer on the `nth` occurrence of `word` in the editor's text, where it is followed by `after`. */
async function hoverWord(page: Page, word: string, after = ''): Promise<void> {
  // CodeMirror renders only the lines near the viewport: scroll down the editor until the line is in the DOM.
  await page.evaluate(() => document.querySelector('.cm-scroller')!.scrollTo(0, 0));
  for (let i = 0; i < 40; i++) {
    const found = await page.evaluate(
      (text) => (document.querySelector('.cm-content')!.textContent ?? '').includes(text),
      word + after,
    );
    if (found) break;
    await page.evaluate(() => {
      const scroller = document.querySelector('.cm-scroller')!;
      scroller.scrollBy(0, scroller.clientHeight / 2);
    });
    await page.waitForTimeout(50);
  }
  const point = await page.evaluate(
    ([w, a]) => {
      const content = document.querySelector('.cm-content')!;
      const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
      const lines = [...content.querySelectorAll('.cm-line')];
      for (const line of lines) {
        const full = line.textContent ?? '';
        const at = full.indexOf(w + a);
        if (at < 0) continue;
        line.scrollIntoView({ block: 'center' });
        // Find the text node and offset of the word's middle character inside this line.
        let offset = at + Math.floor(w.length / 2);
        walker.currentNode = line;
        let node = walker.nextNode();
        while (node && line.contains(node)) {
          const length = node.textContent!.length;
          if (offset < length) {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            const r = range.getBoundingClientRect();
            return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
          }
          offset -= length;
          node = walker.nextNode();
        }
      }
      return null;
    },
    [word, after] as const,
  );
  expect(point, `${word}${after} in the editor`).not.toBeNull();
  await page.mouse.move(point!.x - 40, point!.y + 60);
  await page.mouse.move(point!.x, point!.y, { steps: 4 });
}

const tooltip = (page: Page) => page.locator('.cm-tooltip-hover .dsl-card');

// ---------------------------------------------------------------------------------------------------------------

describe('learning', () => {
  test('the tour shows once on a first visit, points at each part, never blocks the page, and comes back with Tour', async () => {
    const { page, errors } = await freshPage({ tourSeen: false });
    await waitForStatus(page, 'SQLite ready');
    const card = page.getByRole('dialog', { name: 'Your migrations' });
    await card.waitFor();
    expect(await card.textContent()).toContain('1 of 5');
    const ring = page.locator('.tour-ring');

    // Each step rings what it talks about.
    const steps: Array<[string, () => ReturnType<Page['locator']>]> = [
      ['Your migrations', () => page.getByRole('navigation', { name: 'Migrations' })],
      ['The editor', () => page.getByRole('region', { name: 'Editor', exact: true })],
      ['Apply next', () => page.getByRole('button', { name: 'Apply next', exact: true })],
      ['Schema and Diff', () => page.getByRole('region', { name: 'Schema', exact: true })],
      ['Share and keep', () => page.getByRole('button', { name: 'Share', exact: true })],
    ];
    for (const [i, [title, target]] of steps.entries()) {
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(`${i + 1} of 5`);
      await expect
        .poll(
          async () => {
            const r = await ring.boundingBox();
            const t = await target().boundingBox();
            return (
              r !== null &&
              t !== null &&
              r.x <= t.x &&
              r.y <= t.y &&
              r.x + r.width >= t.x + t.width &&
              r.y + r.height >= t.y + t.height
            );
          },
          { timeout: 3000 },
        )
        .toBe(true);
      if (i === 2) {
        // This step waits for the person (no Next): the page stays usable, the ringed button runs, and the tour goes
        // on by itself once a migration is applied.
        expect(await dialog.getByRole('button', { name: 'Next', exact: true }).count()).toBe(0);
        expect(await dialog.textContent()).toContain('Waiting for Apply next');
        await page.getByRole('button', { name: 'Apply next', exact: true }).click();
        await waitForLog(page, 'Apply next: 1 applied');
        continue;
      }
      if (i < steps.length - 1) await dialog.getByRole('button', { name: 'Next', exact: true }).click();
    }
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('dialog', { name: 'Schema and Diff' }).waitFor();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    expect(await page.locator('.tour-card').count()).toBe(0);
    expect(await ring.count()).toBe(0);

    // Shown once: not again after a reload; the Tour button opens it, Escape closes it.
    await page.reload();
    await waitForStatus(page, 'SQLite ready');
    await page.waitForTimeout(300);
    expect(await page.locator('.tour-card').count()).toBe(0);
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    await page.getByRole('dialog', { name: 'Your migrations' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toContain('tour-card');
    await page.keyboard.press('Escape');
    expect(await page.locator('.tour-card').count()).toBe(0);
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    await page.getByRole('button', { name: 'Close tour', exact: true }).click();
    expect(await page.locator('.tour-card').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test("the layout at 1280×720: one row of header buttons, nothing cut off, the contract's names all there once", async () => {
    const { page, errors } = await freshPage({ tourSeen: false });
    await waitForStatus(page, 'SQLite ready');
    const header = await page.locator('header.topbar').boundingBox();
    expect(header!.height).toBeLessThan(56);
    for (const name of ['Examples', 'Reference', 'Tour', 'Save and load', 'Share', 'Stop']) {
      const box = await page.getByRole('button', { name, exact: true }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.x + box!.width, name).toBeLessThanOrEqual(1280);
      expect(box!.y + box!.height, name).toBeLessThanOrEqual(header!.y + header!.height);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(720);
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
    expect(await page.getByRole('status').count()).toBe(1);
    for (const region of ['Schema', 'Diff', 'Log'])
      expect(await page.getByRole('region', { name: region }).count(), region).toBe(1);
    // Opening the menu and a dialog moves nothing.
    const before = await page.locator('main.layout').boundingBox();
    await page.getByRole('button', { name: 'Save and load', exact: true }).click();
    expect(await page.locator('main.layout').boundingBox()).toEqual(before);
    await page.screenshot({ path: join(tmp, 'layout.png') });
    expect(errors).toEqual([]);
  });

  test('Examples: every set loads (replacing untouched files without asking), runs nothing, and applies and reverts', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await page.getByRole('button', { name: 'Examples', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Examples' });
    await dialog.getByRole('heading', { name: 'Examples', level: 2 }).waitFor();
    for (const set of EXAMPLE_SETS)
      expect(await dialog.getByRole('heading', { name: set.title, exact: true }).count(), set.title).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);

    for (const set of EXAMPLE_SETS) {
      await loadExample(page, set.title);
      await waitForLog(page, `Loaded the example "${set.title}"`);
      expect(await page.getByRole('dialog', { name: 'Replace your files?' }).count(), set.title).toBe(0);
      expect(await fileNames(page), set.title).toEqual(set.files.map((f) => f.name));
      expect(await page.locator('.cm-content').innerText()).toContain(set.files[0].text.split('\n')[1].trim());
      expect(await page.locator('.badge-applied').count(), set.title).toBe(0);
      expect(await text(page, 'Schema')).toContain('No tables yet');
      await page.getByRole('button', { name: 'Apply all', exact: true }).click();
      await waitForLog(page, `Apply all: ${set.files.length} applied`);
      await page.getByRole('button', { name: 'Revert all', exact: true }).click();
      await waitForLog(page, `Revert all: ${set.files.length} reverted`);
      expect(await text(page, 'Schema'), set.title).toContain('No tables yet');
      await page.getByRole('button', { name: 'Clear log', exact: true }).click();
    }
    expect(await text(page, 'Log')).not.toContain('failed');
    expect(errors).toEqual([]);
  }, 90_000);

  test('Examples: changed files are replaced only after a confirm', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await page.getByRole('button', { name: 'New migration', exact: true }).click();
    await page.getByRole('button', { name: '0004_new_migration.lua', exact: true }).waitFor();

    await loadExample(page, 'Seed data');
    const confirm = page.getByRole('dialog', { name: 'Replace your files?' });
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain('the example "Seed data"');
    // The safe answer has the focus.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Keep my files');
    await confirm.getByRole('button', { name: 'Keep my files', exact: true }).click();
    await expect.poll(() => confirm.isVisible()).toBe(false);
    expect(await fileNames(page)).toContain('0004_new_migration.lua');

    // Still in the gallery: load it again, and say yes this time.
    const gallery = page.getByRole('dialog', { name: 'Examples' });
    await gallery.getByRole('button', { name: 'Load Seed data', exact: true }).click();
    await confirm.getByRole('button', { name: 'Replace files', exact: true }).click();
    await expect.poll(() => fileNames(page)).toEqual(['0001_create_roles.lua', '0002_seed_roles.lua']);
    // Untouched since loaded: the next one replaces it without asking.
    await loadExample(page, 'Create indexes');
    await expect.poll(() => fileNames(page)).toEqual(['0001_create_products.lua', '0002_index_products.lua']);
    expect(await confirm.isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  test('the DSL reference: hover tooltips in the editor, and the Reference dialog', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await loadExample(page, 'Prepared statements');
    await page.getByRole('button', { name: '0002_insert_people.lua', exact: true }).click();
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('insert_people');

    const cases: Array<[string, string, string[]]> = [
      ['prepare', '(', ['db:prepare(sql)', 'a statement with :execute(params)', 'db:prepare("INSERT']],
      ['query', '(', ['db:query(sql, params?)', 'an array of rows', 'nil, err']],
      ['execute', '(person)', ['stmt:execute(params)']],
      ['migration', '(', ['migration(description, function() … end)', 'exactly one per file']],
      ['database', '(', ['database(engine, function() … end)', '"sqlite", "postgres" or "mysql"']],
      ['up', '(insert', ['up(function(db) … end)', 'required']],
      ['down', '(delete', ['down(function(db) … end)', 'cannot be reverted']],
    ];
    for (const [word, after, wanted] of cases) {
      await hoverWord(page, word, after);
      await expect
        .poll(() => tooltip(page).count(), { timeout: 3000, message: `a tooltip over ${word}${after}` })
        .toBe(1);
      const shown = await tooltip(page).innerText();
      for (const w of wanted) expect(shown, `${word}: ${w}`).toContain(w);
      await page.mouse.move(640, 700);
      await expect.poll(() => tooltip(page).count(), { timeout: 3000 }).toBe(0);
    }

    // db:execute and after, in another file; nothing over comments.
    await loadExample(page, 'Seed data');
    await page.getByRole('button', { name: '0002_seed_roles.lua', exact: true }).click();
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('local function check');
    await hoverWord(page, 'execute', '([[');
    await expect.poll(() => tooltip(page).innerText(), { timeout: 3000 }).toContain('db:execute(sql, params?)');
    expect(await tooltip(page).innerText()).toContain('rows_affected');
    await page.mouse.move(640, 700);
    await hoverWord(page, 'after', '(check');
    await expect.poll(() => tooltip(page).innerText(), { timeout: 3000 }).toContain('after(function(db) … end)');
    await page.mouse.move(640, 700);
    await expect.poll(() => tooltip(page).count()).toBe(0);

    // Nothing in comments and strings.
    await page.getByRole('button', { name: 'New migration', exact: true }).click();
    await page.getByRole('button', { name: '0003_new_migration.lua', exact: true }).waitFor();
    await setEditorText(
      page,
      '-- in a comment: up(function(db) end) and db:query(sql)\nlocal s = "database(engine)"\nup(nil)',
    );
    for (const [word, after] of [
      ['up', '(function(db) end) and'],
      ['query', '(sql)'],
      ['database', '(engine)'],
    ] as const) {
      await hoverWord(page, word, after);
      await page.waitForTimeout(700);
      expect(await tooltip(page).count(), word).toBe(0);
      await page.mouse.move(640, 700);
    }
    await hoverWord(page, 'up', '(nil)');
    await expect.poll(() => tooltip(page).innerText(), { timeout: 3000 }).toContain('up(function(db) … end)');
    await page.mouse.move(640, 700);

    await page.getByRole('button', { name: 'Reference', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'DSL reference' });
    await dialog.getByRole('heading', { name: 'DSL reference' }).waitFor();
    const all = await dialog.innerText();
    for (const name of ['db:query', 'db:execute', 'db:prepare', 'up', 'down', 'after', 'migration', 'database']) {
      expect(
        await dialog
          .locator('dt')
          .filter({ hasText: new RegExp(`^${name}$`) })
          .count(),
        name,
      ).toBe(1);
    }
    expect(all).toContain('{ rows_affected = n, last_insert_id = n }');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe('sharing and keeping', () => {
  test('Download migrations gives a zip that `moonwalk up --dir migrations` runs unchanged; Import brings it back', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await loadExample(page, 'Rebuild a table (SQLite)');
    await waitForLog(page, 'Loaded the example');
    const set = EXAMPLE_SETS.find((s) => s.id === 'rebuild')!;

    const zip = await download(page, 'Download migrations');
    expect(zip.name).toBe('moonwalk-migrations.zip');
    const entries = Object.fromEntries(Object.entries(unzipSync(zip.bytes)).filter(([path]) => !path.endsWith('/')));
    expect(Object.keys(entries).sort()).toEqual(set.files.map((f) => `migrations/${f.name}`));
    for (const f of set.files) expect(new TextDecoder().decode(entries[`migrations/${f.name}`])).toBe(f.text);
    await waitForLog(page, 'Downloaded moonwalk-migrations.zip');

    // The real command, on the unzipped folder.
    const dir = join(tmp, 'unzipped');
    mkdirSync(join(dir, 'migrations'), { recursive: true });
    for (const [path, bytes] of Object.entries(entries)) writeFileSync(join(dir, path), bytes);
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin', 'moonwalk.js'), ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '' },
      });
    const up = cli(['up', '--db', 'sqlite::memory:', '--dir', 'migrations']);
    expect(up.status, up.stdout + up.stderr).toBe(0);
    for (const f of set.files) expect(up.stdout).toContain(f.name.replace(/\.lua$/, ''));
    const file = `sqlite:${join(dir, 'app.db')}`;
    const onFile = cli(['up', '--db', file, '--dir', 'migrations', '--json']);
    expect(onFile.status, onFile.stdout + onFile.stderr).toBe(0);
    expect((JSON.parse(onFile.stdout) as { results: Array<{ status: string }> }).results.map((r) => r.status)).toEqual([
      'applied',
      'applied',
    ]);
    const down = cli(['down', '--all', '--db', file, '--dir', 'migrations']);
    expect(down.status, down.stdout + down.stderr).toBe(0);

    // Import: the zip comes back, replacing the (changed) files after a confirm.
    await page.getByRole('button', { name: 'New migration', exact: true }).click();
    await page.getByRole('button', { name: '0003_new_migration.lua', exact: true }).waitFor();
    await importFiles(page, [zip]);
    const confirm = page.getByRole('dialog', { name: 'Replace your files?' });
    await confirm.getByRole('button', { name: 'Replace files', exact: true }).click();
    await expect.poll(() => fileNames(page)).toEqual(set.files.map((f) => f.name));
    await waitForLog(page, 'Loaded the migrations imported from moonwalk-migrations.zip: 2 files');
    await page.getByRole('button', { name: 'Apply all', exact: true }).click();
    await waitForLog(page, 'Apply all: 2 applied');

    // .lua files by themselves load too (untouched imported files: no question asked).
    await page.getByRole('button', { name: 'Revert all', exact: true }).click();
    await waitForLog(page, 'Revert all: 2 reverted');
    const lua = EXAMPLE_SETS.find((s) => s.id === 'errors')!.files;
    await importFiles(
      page,
      lua.map((f) => ({ name: f.name, bytes: new TextEncoder().encode(f.text) })),
    );
    await expect.poll(() => fileNames(page)).toEqual(lua.map((f) => f.name));
    expect(errors).toEqual([]);
  });

  test('Import refuses anything but .lua files with an alert, and loads nothing', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    const before = await fileNames(page);
    const enc = (s: string) => new TextEncoder().encode(s);
    const cases: Array<[string, { name: string; bytes: Uint8Array }, RegExp]> = [
      [
        'a text file',
        { name: 'notes.txt', bytes: enc('hello') },
        /only \.lua migration files can be imported, and "notes\.txt" is not one/,
      ],
      [
        'a zip with a README',
        { name: 'm.zip', bytes: zipSync({ migrations: { '0001_a.lua': enc('return 1'), 'README.md': enc('# hi') } }) },
        /"migrations\/README\.md" \(in "m\.zip"\) is not one/,
      ],
      [
        'a bad name',
        { name: 'x.zip', bytes: zipSync({ 'my migration.lua': enc('return 1') }) },
        /file name "my migration\.lua" is not allowed/,
      ],
      [
        'a name twice',
        { name: 'y.zip', bytes: zipSync({ a: { '0001_a.lua': enc('1') }, b: { '0001_a.lua': enc('2') } }) },
        /appears twice/,
      ],
      ['not UTF-8', { name: '0001_bad.lua', bytes: new Uint8Array([0xff, 0xfe, 0x00, 0xc3]) }, /not UTF-8 text/],
      [
        'a broken zip',
        { name: 'broken.zip', bytes: zipSync({ '0001_a.lua': enc('return 1') }).subarray(0, 30) },
        /not a readable zip file/,
      ],
      ['an empty zip', { name: 'empty.zip', bytes: zipSync({}) }, /holds no \.lua files/],
    ];
    for (const [label, file, message] of cases) {
      await importFiles(page, [file]);
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 5000 });
      const shown = await alert.innerText();
      expect(shown, label).toMatch(message);
      expect(shown, label).toContain('Nothing was loaded');
      expect(await fileNames(page), label).toEqual(before);
      await alert.getByRole('button', { name: 'Dismiss' }).click();
    }
    expect(errors).toEqual([]);
  });

  test('Download database on SQLite: the database file, tables, rows and ledger included', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await page.getByRole('button', { name: 'Apply all', exact: true }).click();
    await waitForLog(page, 'Apply all: 3 applied');
    const file = await download(page, 'Download database');
    expect(file.name).toBe('moonwalk.sqlite');
    expect(new TextDecoder().decode(file.bytes.subarray(0, 15))).toBe('SQLite format 3');
    const db = await openSqlJs({ data: file.bytes });
    try {
      expect(db.query('SELECT name FROM roles ORDER BY id', []).rows).toEqual([['admin'], ['user'], ['guest']]);
      expect(db.query('SELECT id FROM _migrations ORDER BY id', []).rows.map((r) => r[0])).toEqual([
        '0001_create_users',
        '0002_add_email_to_users',
        '0003_seed_roles',
      ]);
      expect(db.query("SELECT name FROM pragma_table_info('users')", []).rows.map((r) => r[0])).toContain('email');
    } finally {
      await db.close();
    }
    await waitForLog(page, 'Downloaded moonwalk.sqlite');
    // The page's database goes on working after the export.
    await page.getByRole('button', { name: 'Revert last', exact: true }).click();
    await waitForLog(page, 'Revert last: 1 reverted');
    expect(errors).toEqual([]);
  });

  test('Download database on PostgreSQL: an SQL dump that restores the tables, the data and the ledger', async () => {
    const { page, errors } = await freshPage();
    await waitForStatus(page, 'SQLite ready');
    await page.getByLabel('Engine').selectOption({ label: 'PostgreSQL' });
    await waitForStatus(page, 'PostgreSQL ready', 45_000);
    await loadExample(page, 'Engine-specific blocks');
    await waitForLog(page, 'Loaded the example "Engine-specific blocks"', 20_000);
    await page.getByRole('button', { name: 'Apply all', exact: true }).click();
    await waitForLog(page, 'Apply all: 2 applied', 20_000);
    expect(await text(page, 'Log')).toContain('postgres: disk at 91%');

    const file = await download(page, 'Download database');
    expect(file.name).toBe('moonwalk-postgres.sql');
    const dump = new TextDecoder().decode(file.bytes);
    expect(dump).toContain("CREATE TYPE event_kind AS ENUM ('info', 'warning', 'error');");
    expect(dump).toContain('CREATE TABLE events (');
    const db = await openPglite();
    try {
      await db.exec(dump);
      const events = await db.query('SELECT kind::text, payload::text FROM events ORDER BY id', []);
      expect(events.rows).toEqual([
        ['info', '{"app": "started"}'],
        ['warning', '{"disk": 91}'],
      ]);
      expect((await db.query('SELECT id FROM _migrations ORDER BY id', [])).rows.map((r) => r[0])).toEqual([
        '0001_create_events',
        '0002_log_events',
      ]);
      // The identity goes on after the restored rows.
      expect((await db.query("INSERT INTO events (kind) VALUES ('error') RETURNING id", [])).rows[0][0]).toBe(3);
    } finally {
      await db.close();
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
