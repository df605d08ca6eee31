/**
 * `moonwalk play` in the real page (Debian's Chromium against the command's own server, issue 13 item 6): the
 * folder's migrations are in the page, `--from` a better-sqlite3 file is the starting database (its ledger read: the
 * first migration shows applied), an edit is written to the folder only when Save is pressed, a file changed on disk
 * meanwhile is an alert and is not overwritten, and the address without its token is refused; `--from` the harness's
 * PostgreSQL 15 starts the page on PostgreSQL from the copy, and migrations apply on top of it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeOwnSqlite, OWN_FILES } from '../helpers/own-database.ts';
import { startPlay, type PlayProcess } from '../helpers/play-process.ts';
import { ensureBuilt, launchChromium } from './harness.ts';
import { layoutProblems } from './layout.ts';
import { scratchDatabase, useServer } from '../harness/global-servers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-play-e2e-'));
let dir: string;
let play: PlayProcess;
let browser: Browser;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmp, 'migrations-'));
  for (const f of OWN_FILES) writeFileSync(join(dir, f.name), f.text);
  const own = await makeOwnSqlite(tmp);
  play = await startPlay(['--dir', dir, '--from', `sqlite:${own.path}`]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await play?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const notice = (page: Page) => page.getByRole('status').filter({ hasNotText: / ready$/ });

async function fileState(page: Page, name: string): Promise<string> {
  return (
    await page.locator('.file-list li', { has: page.getByRole('button', { name, exact: true }) }).innerText()
  ).replace(/\s+/g, ' ');
}

/** The page `moonwalk play` serves, in a new context with `options`, once SQLite is ready; its errors in `errors`. */
async function playPage(options: BrowserContextOptions) {
  const context = await browser.newContext(options);
  await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(play.url);
  await expect.poll(() => page.locator('.engine-status').textContent(), { timeout: 30_000 }).toBe('SQLite ready');
  return { context, page, errors };
}

async function typeAtEnd(page: Page, file: string, text: string): Promise<void> {
  await page.getByRole('button', { name: file, exact: true }).click();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText(text);
}

test('the folder and the --from database in the page; Save writes an edit, a disk edit meanwhile is a conflict', async () => {
  const { context, page, errors } = await playPage({ viewport: { width: 1280, height: 720 } });

  // The folder's files, and the copy of app.sqlite as the starting database, its ledger read.
  for (const f of OWN_FILES) await page.getByRole('button', { name: f.name, exact: true }).waitFor();
  await expect.poll(() => notice(page).innerText(), { timeout: 30_000 }).toContain('Opened a copy of app.sqlite');
  await expect.poll(() => fileState(page, OWN_FILES[0].name)).toContain('applied');
  expect(await fileState(page, OWN_FILES[1].name)).toContain('pending');
  await expect.poll(() => page.getByRole('region', { name: 'Schema', exact: true }).innerText()).toContain('orders');

  // An edit is not written by itself: only Save writes it.
  await typeAtEnd(page, OWN_FILES[1].name, '\n-- edited in the page');
  await expect.poll(() => page.locator('#save-note').innerText()).toContain('1 unsaved');
  await page.waitForTimeout(500);
  expect(readFileSync(join(dir, OWN_FILES[1].name), 'utf8')).toBe(OWN_FILES[1].text);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => notice(page).innerText()).toContain(`Saved 1 file to ${dir}: ${OWN_FILES[1].name}`);
  const saved = readFileSync(join(dir, OWN_FILES[1].name), 'utf8');
  expect(saved).toMatch(/^return require\("migration"\)[\s\S]*\n-- edited in the page$/);

  // The same file changed on disk (an editor, git) and in the page: Save shows the conflict and writes nothing.
  const disk = `${saved}\n-- edited on disk\n`;
  writeFileSync(join(dir, OWN_FILES[1].name), disk);
  await typeAtEnd(page, OWN_FILES[1].name, '\n-- edited again in the page');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect
    .poll(() => alert.innerText())
    .toContain(`${OWN_FILES[1].name} was changed on disk since the page read it`);
  expect(await alert.innerText()).toContain('Nothing was written');
  expect(readFileSync(join(dir, OWN_FILES[1].name), 'utf8')).toBe(disk);
  // The disk's text is in the Log to merge from.
  await expect
    .poll(() => page.getByRole('region', { name: 'Log', exact: true }).innerText())
    .toContain('-- edited on disk');
  expect(errors).toEqual([]);
  await context.close();
});

test('on a 390×844 phone the Save button is on screen and the page has no horizontal scroll', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
  const page = await context.newPage();
  await page.goto(play.url);
  await expect.poll(() => page.locator('.engine-status').textContent(), { timeout: 30_000 }).toBe('SQLite ready');
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.waitFor();
  expect(await save.isVisible()).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await context.close();
});

test.each([1280, 1024])(
  'at %i px the header with Save is one row, its folder note inside the window, also with an edit unsaved and "Link copied" shown',
  async (width) => {
    const { context, page, errors } = await playPage({
      viewport: { width, height: 720 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor();
    expect(await layoutProblems(page)).toEqual([]);
    await typeAtEnd(page, OWN_FILES[1].name, '\n-- unsaved\n');
    await expect.poll(() => page.locator('#save-note').textContent()).toMatch(/^1 unsaved in /);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).locator('.unsaved-count').textContent()).toBe(
      '1',
    );
    expect(await layoutProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await page.getByRole('banner').getByText('Link copied', { exact: true }).waitFor();
    expect(await layoutProblems(page)).toEqual([]);
    await page.getByLabel('Engine').selectOption('postgres');
    await expect.poll(() => page.locator('.engine-status').textContent(), { timeout: 60_000 }).toBe('PostgreSQL ready');
    expect(await layoutProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  },
  120_000,
);

test('the address without its token is refused in the browser too', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${play.origin}/`);
  expect(response?.status()).toBe(403);
  expect(await page.locator('body').innerText()).toContain('needs the token moonwalk play printed');
  await context.close();
});

test("--from the harness's PostgreSQL: the page starts on PostgreSQL from its copy, and applies on top of it", async () => {
  const server = await useServer('postgres');
  const url = await scratchDatabase(server, 'e2e_play');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`
    CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email text);
    CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), total numeric);
    INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', NULL);
    INSERT INTO orders (user_id, total) VALUES (1, 9.5), (2, 7.25);
  `);
  await client.end();
  const pgDir = mkdtempSync(join(tmp, 'migrations-pg-'));
  for (const f of OWN_FILES) writeFileSync(join(pgDir, f.name), f.text);
  const fromPostgres = await startPlay(['--dir', pgDir, '--from', url]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
    const page = await context.newPage();
    await page.goto(fromPostgres.url);
    await expect.poll(() => page.locator('.engine-status').textContent(), { timeout: 60_000 }).toBe('PostgreSQL ready');
    await expect.poll(() => notice(page).innerText(), { timeout: 60_000 }).toContain('as the starting database');
    await expect.poll(() => page.getByRole('region', { name: 'Schema', exact: true }).innerText()).toContain('orders');
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(() => fileState(page, OWN_FILES[1].name), { timeout: 60_000 }).toContain('applied');
    expect(await fileState(page, OWN_FILES[0].name)).toContain('applied');
    await expect.poll(() => page.getByRole('region', { name: 'Schema', exact: true }).innerText()).toContain('note');
  } finally {
    await context.close();
    await fromPostgres.stop();
  }
}, 180_000);
