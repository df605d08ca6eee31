/**
 * Issue 13 in the real page (Debian's Chromium): a SQLite file made by better-sqlite3 with a ledger and data opened
 * with the "Open database file" picker and by drag and drop, Reset database back to it, the database back after a
 * reload, Start empty; a real pg_dump of the harness's PostgreSQL 15 (COPY blocks included) pasted into "Load SQL dump"
 * on PostgreSQL, applied and verified on top of; a bad file and a bad dump refused with their alerts.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratchDatabase, useServer } from '../harness/global-servers.ts';
import { findPostgresBin } from '../harness/servers.ts';
import { makeOwnSqlite, OWN_FILES } from '../helpers/own-database.ts';
import { usePlayground } from './harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-own-db-e2e-'));
const playground = usePlayground();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const freshPage = () => playground.freshPage();

const engineStatus = (page: Page) => page.locator('.engine-status');
const notice = (page: Page) => page.getByRole('status').filter({ hasNotText: / ready$/ });
const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true }).innerText();

async function ready(page: Page, wanted: string, timeout = 30_000): Promise<void> {
  await expect.poll(() => engineStatus(page).textContent(), { timeout }).toBe(wanted);
}

async function idle(page: Page, timeout = 60_000): Promise<void> {
  await page.getByRole('button', { name: 'Apply next' }).waitFor();
  await expect.poll(() => page.getByRole('button', { name: 'Apply next' }).isEnabled(), { timeout }).toBe(true);
}

async function menu(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Save and load', exact: true }).click();
  await page.getByRole('group', { name: 'Save and load' }).getByRole('button', { name, exact: true }).click();
}

/** The page's files replaced by `OWN_FILES`, through "Migration files to import". */
async function useOwnFiles(page: Page, files = OWN_FILES): Promise<void> {
  await page
    .getByLabel('Migration files to import')
    .setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'text/plain', buffer: Buffer.from(f.text) })));
  // The page asks first only when the files it replaces were edited.
  const replace = page.getByRole('button', { name: 'Replace files', exact: true });
  const loaded = page.getByRole('button', { name: OWN_FILES[1].name, exact: true });
  await replace.or(loaded).first().waitFor();
  if (await replace.isVisible()) await replace.click();
  await page.getByRole('button', { name: files.at(-1)!.name, exact: true }).waitFor();
  await idle(page);
}

/** Opens `bytes` as app.sqlite with the picker and waits until the page says it opened it and is idle. */
async function openAppFile(page: Page, bytes: Uint8Array, opened = /^Opened app\.sqlite/): Promise<void> {
  await page.getByLabel('Open database file').setInputFiles({
    name: 'app.sqlite',
    mimeType: 'application/vnd.sqlite3',
    buffer: Buffer.from(bytes),
  });
  await expect.poll(() => notice(page).textContent()).toMatch(opened);
  await idle(page);
}

/** A new page of `context` on share `link`, once it has loaded the app.sqlite it carries; its errors go to `errors`. */
async function openLinkIn(context: BrowserContext, link: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link);
  await ready(page, 'SQLite ready');
  await expect
    .poll(() => notice(page).textContent(), { timeout: 20_000 })
    .toMatch(/^This link carries a starting database, app\.sqlite: loaded into SQLite/);
  await idle(page);
  return page;
}

/** What this browser keeps: the keys of IndexedDB's kept databases, and whether local storage has a link's edits. */
function keptInBrowser(page: Page): Promise<{ databases: string[]; editedLink: boolean }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('moonwalk-playground');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(new Error('IndexedDB could not be opened'));
    });
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      const request = db.transaction('database').objectStore('database').getAllKeys();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(new Error('IndexedDB could not be read'));
    });
    db.close();
    return { databases: keys.map(String).sort(), editedLink: localStorage.getItem('moonwalk.link.v1') !== null };
  });
}

/** After a reload (or a new address): the engine ready, the database restored with `note`, the page idle. */
async function restored(page: Page, note: string): Promise<void> {
  await ready(page, 'SQLite ready');
  await expect.poll(() => notice(page).textContent(), { timeout: 20_000 }).toBe(note);
  await idle(page);
}

async function fileState(page: Page, name: string): Promise<string> {
  return (
    await page.locator('.file-list li', { has: page.getByRole('button', { name, exact: true }) }).innerText()
  ).replace(/\s+/g, ' ');
}

describe('a SQLite file of ones own', () => {
  let bytes: Uint8Array<ArrayBuffer>;
  beforeAll(async () => {
    ({ bytes } = await makeOwnSqlite(tmp));
  });

  /** Apply all with `runaway` last: 0002 commits, 0003 runs forever, Stop; until the database is put back. */
  async function stopDuringRunaway(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(() => region(page, 'Log'), { timeout: 30_000 }).toMatch(/0002_add_notes applied/);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect
      .poll(() => region(page, 'Log'), { timeout: 30_000 })
      .toContain('The database is back as it was after the last migration that committed');
    await idle(page);
  }

  /** A runaway third migration after `OWN_FILES`: its `up` never ends. */
  const runaway = {
    name: '0003_runaway.lua',
    text: OWN_FILES[1].text
      .replace('add notes', 'runaway')
      .replace(/up\(function\(db\) .* end\)/, 'up(function(db) while true do end end)'),
  };

  test('opened with the picker: its ledger and data; Apply, Reset back to it; back after a reload; Start empty', async () => {
    const { page, errors } = await freshPage();
    await useOwnFiles(page);
    await openAppFile(page, bytes, /^Opened app\.sqlite .*2 tables/);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);
    expect(await region(page, 'Schema')).toMatch(/users[\s\S]*orders|orders[\s\S]*users/);

    await page.getByRole('button', { name: 'Apply all' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    await page.getByRole('button', { name: 'Reset database' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);
    expect(await region(page, 'Schema')).toContain('users');

    await page.getByRole('button', { name: 'Apply next' }).click();
    await idle(page);
    await page.waitForTimeout(500); // kept when the command ends
    await page.reload();
    await restored(page, 'Restored the database you had: 2 applied.');
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    await page.getByRole('button', { name: 'Reset database' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);

    await menu(page, 'Start empty');
    await idle(page);
    expect(await region(page, 'Schema')).not.toContain('users');
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/pending/);
    expect(errors).toEqual([]);
  }, 120_000);

  test('Stop during a runaway migration keeps the file: what committed on top of it stays, Reset goes back to it', async () => {
    const { page, errors } = await freshPage();
    expect(runaway.text).toContain('while true do end');
    await useOwnFiles(page, [...OWN_FILES, runaway]);
    await openAppFile(page, bytes);
    await stopDuringRunaway(page);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    expect(await fileState(page, runaway.name)).toMatch(/pending/);
    expect(await region(page, 'Schema')).toMatch(/orders[\s\S]*note/);
    expect(await region(page, 'Schema')).toContain('users');
    await page.getByRole('button', { name: 'Reset database' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);
    expect(await region(page, 'Schema')).toMatch(/orders[\s\S]*users/);
    expect(errors).toEqual([]);
  }, 120_000);

  test('the file changed on disk after it was opened: Stop still puts the database back, and says its starting database is gone', async () => {
    const { page, errors } = await freshPage();
    await useOwnFiles(page, [...OWN_FILES, runaway]);
    // The page keeps the File the picker gave (not a copy of its bytes): a fresh worker after Stop reads it again.
    const { path } = await makeOwnSqlite(tmp);
    await page.getByLabel('Open database file').setInputFiles(path);
    await expect.poll(() => notice(page).textContent()).toMatch(/^Opened app\.sqlite/);
    await idle(page);
    appendFileSync(path, 'changed by the app meanwhile'); // the browser can no longer read the File it gave
    await stopDuringRunaway(page);
    const log = await region(page, 'Log');
    expect(log).toContain(
      'app.sqlite can no longer be read by the browser (changed, moved or deleted since it was opened). Open it again to use it as the starting database. Until then, Reset database starts from an empty database.',
    );
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    expect(await region(page, 'Schema')).toMatch(/orders[\s\S]*note/);
    await page.getByRole('button', { name: 'Reset database' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/pending/);
    expect(await region(page, 'Schema')).not.toContain('users');
    expect(errors).toEqual([]);
  }, 120_000);

  test('Share carries the file as the starting database: the link opened in a fresh browser context starts from it', async () => {
    const { page, errors } = await freshPage();
    await useOwnFiles(page);
    await openAppFile(page, bytes);
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await expect.poll(() => page.url()).toMatch(/#v3\./);
    await expect
      .poll(() => region(page, 'Log'))
      .toContain('It carries your starting database, app.sqlite, schema and data.');
    const link = page.url();

    const context = await playground.context();
    await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
    const otherErrors: string[] = [];
    const other = await openLinkIn(context, link, otherErrors);
    expect(await fileState(other, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(other, OWN_FILES[1].name)).toMatch(/pending/);
    expect(await region(other, 'Schema')).toMatch(/orders[\s\S]*users/);
    // the data itself: clicking a table in the Schema tree shows its rows
    const schema = other.getByRole('region', { name: 'Schema', exact: true });
    await schema.getByRole('button', { name: 'users', exact: true }).click();
    const grid = schema.getByRole('group', { name: 'Rows of users' });
    await expect.poll(() => grid.innerText()).toMatch(/Rows 1–3 of 3[\s\S]*Ada[\s\S]*ada@example\.com/);
    await other.getByRole('button', { name: 'Apply all' }).click();
    await idle(other);
    await other.getByRole('button', { name: 'Reset database' }).click();
    await idle(other);
    expect(await fileState(other, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(other, OWN_FILES[1].name)).toMatch(/pending/);
    expect([...errors, ...otherErrors]).toEqual([]);
  }, 120_000);

  test("an edited share link saved in the browser keeps its starting database; a reload shows the same state, the own database stays apart, and Clear workspace forgets the link's copies", async () => {
    const { page: own, errors } = await freshPage();
    await useOwnFiles(own);
    await openAppFile(own, bytes);
    await own.getByRole('button', { name: 'Share', exact: true }).click();
    await expect.poll(() => own.url()).toMatch(/#v3\./);
    const link = own.url();
    await own.close();

    // The link in the same browser: its files and the file it carries, apart from the person's own.
    const page = await own.context().newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(link);
    await ready(page, 'SQLite ready');
    await expect
      .poll(() => notice(page).textContent(), { timeout: 20_000 })
      .toMatch(/^This link carries a starting database, app\.sqlite/);
    await idle(page);
    // Edited (saved in the browser as the link's copy), then one migration applied on top of the link's database.
    await page.getByRole('button', { name: OWN_FILES[1].name, exact: true }).click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\n-- edited on the link\n');
    await page.getByRole('button', { name: 'Apply next' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    await page.waitForTimeout(500); // the files are saved and the database kept when the command ends

    await page.reload();
    await restored(page, 'Restored the database you had: 2 applied.');
    await page.getByRole('button', { name: OWN_FILES[1].name, exact: true }).click();
    expect(await page.locator('.cm-content').innerText()).toContain('-- edited on the link');
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    expect(await region(page, 'Schema')).toMatch(/orders[\s\S]*note/);
    // Reset goes back to the link's starting database (the file's own ledger: the first migration applied).
    await page.getByRole('button', { name: 'Reset database' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);
    expect(await region(page, 'Schema')).toMatch(/orders[\s\S]*users/);

    // The plain address: the person's own files on their own database, untouched by the link's commands.
    await page.waitForTimeout(500);
    await page.goto(playground.preview.url);
    await restored(page, 'Restored the database you had: 1 applied.');
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);
    await page.getByRole('button', { name: OWN_FILES[1].name, exact: true }).click();
    expect(await page.locator('.cm-content').innerText()).not.toContain('-- edited on the link');

    // Clear workspace forgets the link's copies too: its database (IndexedDB) and its edited files (local storage).
    expect(await keptInBrowser(page)).toEqual({ databases: ['current', 'link'], editedLink: true });
    await menu(page, 'Clear workspace');
    const dialog = page.getByRole('dialog', { name: 'Clear workspace?' });
    expect(await dialog.innerText()).toContain('the copies it keeps of share links you opened');
    await dialog.getByRole('button', { name: 'Clear workspace', exact: true }).click();
    await expect
      .poll(() => notice(page).textContent(), { timeout: 20_000 })
      .toMatch(/its copies of share links you opened are forgotten/);
    await idle(page);
    await expect.poll(() => keptInBrowser(page)).toEqual({ databases: [], editedLink: false });
    // The old link, opened again, is as it was made, from the starting database it carries: nothing restored, no edits.
    const again = await openLinkIn(page.context(), link, errors);
    expect(await region(again, 'Log')).toMatch(/Opened a shared link: 2 files for SQLite/);
    expect(await region(again, 'Log')).not.toContain('Restored the database you had');
    expect(await fileState(again, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await fileState(again, OWN_FILES[1].name)).toMatch(/pending/);
    await again.getByRole('button', { name: OWN_FILES[1].name, exact: true }).click();
    expect(await again.locator('.cm-content').innerText()).not.toContain('-- edited on the link');
    expect(errors).toEqual([]);
  }, 180_000);

  test('Clear workspace asks first, then forgets the files and the kept database (a reload restores nothing)', async () => {
    const { page, errors } = await freshPage();
    await useOwnFiles(page);
    await openAppFile(page, bytes);
    await menu(page, 'Clear workspace');
    const dialog = page.getByRole('dialog', { name: 'Clear workspace?' });
    await dialog.getByRole('button', { name: 'Clear workspace', exact: true }).click();
    await expect
      .poll(() => notice(page).textContent(), { timeout: 20_000 })
      .toMatch(
        /^Cleared the workspace: your files, the database kept in this browser and its copies of share links you opened are forgotten/,
      );
    await idle(page);
    expect(await page.getByRole('button', { name: OWN_FILES[0].name, exact: true }).count()).toBe(0);
    expect(await region(page, 'Schema')).not.toContain('users');
    await page.waitForTimeout(500); // the database is kept (here: forgotten) when the command ends
    await page.reload();
    await ready(page, 'SQLite ready');
    await idle(page);
    await page.waitForTimeout(500);
    expect(await page.locator('p.notice').count()).toBe(0); // no 'Restored the database you had'
    expect(await region(page, 'Schema')).not.toContain('users');
    expect(await page.getByRole('button', { name: OWN_FILES[0].name, exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);

  test('dropped on the page; a file that is not a database is an alert that changes nothing', async () => {
    const { page, errors } = await freshPage();
    await useOwnFiles(page);
    const drop = async (name: string, data: number[]) => {
      const transfer = await page.evaluateHandle(
        ({ name, data }) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(data)], name));
          return dt;
        },
        { name, data },
      );
      await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
    };
    await drop('shop.db', [...bytes]);
    await expect.poll(() => notice(page).textContent()).toMatch(/^Opened shop\.db/);
    await idle(page);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);

    await page.getByLabel('Open database file').setInputFiles({
      name: 'notes.sqlite',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('these are notes, not a database'),
    });
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/notes\.sqlite is not a SQLite database.*Nothing was changed/);
    expect(await fileState(page, OWN_FILES[0].name)).toMatch(/applied/);
    expect(await region(page, 'Schema')).toContain('orders');
    expect(errors).toEqual([]);
  }, 60_000);
});

describe('a real pg_dump on PostgreSQL', () => {
  let dump = '';
  beforeAll(async () => {
    const server = await useServer('postgres');
    const url = await scratchDatabase(server, 'e2e_dump');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text);
      CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), total numeric);
      INSERT INTO users VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, E'Tab\\there', 'x@example.com');
      INSERT INTO orders (user_id, total) VALUES (1, 9.5), (1, 20), (2, 7.25);
    `);
    await client.end();
    dump = execFileSync(join(findPostgresBin(), 'pg_dump'), ['--dbname', url], { encoding: 'utf8' });
  }, 60_000);

  test('pasted into Load SQL dump: applied and verified on top of it; a bad dump is an alert naming its statement', async () => {
    expect(dump).toMatch(/^COPY public\.orders .* FROM stdin;$/m);
    const { page, errors } = await freshPage();
    await useOwnFiles(page);
    await page.getByLabel('Engine').selectOption({ label: 'PostgreSQL' });
    await ready(page, 'PostgreSQL ready', 60_000);
    await idle(page);

    // a broken dump first: the alert names the statement and line; nothing changes, the dialog stays open
    const broken = dump.replace(/^COPY public\.orders/m, 'CREATE TABLE public.users (x int);\nCOPY public.orders');
    const line = broken.split('\n').findIndex((l) => l === 'CREATE TABLE public.users (x int);') + 1;
    await menu(page, 'Load SQL dump');
    const dialog = page.getByRole('dialog', { name: 'Load SQL dump' });
    await dialog.getByLabel('SQL dump').fill(broken);
    await dialog.getByRole('button', { name: 'Load', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`failed at statement \\d+ \\(line ${line}\\): relation "users" already exists`));
    expect(await region(page, 'Schema')).not.toContain('orders');

    await dialog.getByLabel('SQL dump').fill(dump);
    await dialog.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => dialog.isVisible(), { timeout: 30_000 }).toBe(false);
    await expect.poll(() => notice(page).textContent()).toMatch(/Loaded the SQL dump into PostgreSQL/);
    await idle(page);
    expect(await region(page, 'Schema')).toMatch(/orders[\s\S]*users/);

    await page.getByRole('button', { name: 'Apply all' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/applied/);
    await page.getByRole('button', { name: 'Verify' }).click();
    await idle(page);
    await page.getByRole('button', { name: 'Reset database' }).click();
    await idle(page);
    expect(await fileState(page, OWN_FILES[1].name)).toMatch(/pending/);
    await page.getByRole('button', { name: 'Verify' }).click();
    await idle(page);
    const log = await region(page, 'Log');
    expect(log).toMatch(/0001_index_emails.*reversible/);
    expect(log).toMatch(/0002_add_notes.*reversible/);
    expect(log).not.toMatch(/does not exist/);
    expect(errors).toEqual([]);
  }, 180_000);
});
