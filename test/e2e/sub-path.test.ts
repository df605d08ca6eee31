/**
 * The built site deploys anywhere static (issue 10 item 5): `dist-web/` served under `/tools/moonwalk/` by a plain
 * file server, as a static host or a reverse proxy's folder would, with nothing answering outside that folder and no
 * brotli negotiation. In Chromium the page loads, SQLite and PostgreSQL (PGlite from its prepared data directory)
 * start, migrations apply, and a share link keeps the sub-path; every request stays inside the folder.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuilt, launchChromium, outDir } from './harness.ts';

const BASE = '/tools/moonwalk/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Requests the server could not answer from the folder (outside the sub-path, or no such file). */
const misses: string[] = [];
let server: Server;
let site: string;
let browser: Browser;

/** `outDir` under BASE and nowhere else; `/tools/moonwalk` redirects to the folder, as static hosts do. */
function serveUnderBase(): Promise<string> {
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path === BASE.slice(0, -1)) {
      response.writeHead(301, { location: BASE }).end();
      return;
    }
    const relative = path.startsWith(BASE) ? path.slice(BASE.length) || 'index.html' : null;
    const file = relative === null ? null : normalize(join(outDir, relative));
    if (file === null || !file.startsWith(outDir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      misses.push(path);
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    });
  });
}

beforeAll(async () => {
  ensureBuilt();
  site = await serveUnderBase();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

async function open(url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    errors.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return { page, errors, requests };
}

const status = (page: Page) => page.getByRole('status').textContent();
const log = (page: Page) => page.getByRole('region', { name: 'Log' }).innerText();

describe(`the built site served from ${BASE}`, () => {
  test('loads, applies the examples on SQLite and on PostgreSQL, and every request stays under the sub-path', async () => {
    const { page, errors, requests } = await open(`${site}/tools/moonwalk`);
    expect(new URL(page.url()).pathname).toBe(BASE);
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('SQLite ready');
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(() => log(page), { timeout: 15_000 }).toContain('Apply all: 3 applied');
    expect(await page.getByRole('region', { name: 'Schema' }).innerText()).toContain('users');

    await page.getByLabel('Engine').selectOption({ label: 'PostgreSQL' });
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('PostgreSQL ready');
    await page.getByRole('button', { name: 'Apply all' }).click();
    await expect.poll(() => log(page), { timeout: 30_000 }).toMatch(/Apply all: 3 applied[\s\S]*Apply all: 3 applied/);
    expect(await page.getByRole('region', { name: 'Schema' }).innerText()).toContain('PostgreSQL database');

    const paths = requests.map((r) => new URL(r)).filter((u) => u.protocol.startsWith('http'));
    expect(paths.length).toBeGreaterThan(5);
    // Only the address typed without its slash, which the server redirects, is outside the folder.
    expect(paths.filter((u) => !u.pathname.startsWith(BASE)).map((u) => u.pathname)).toEqual([BASE.slice(0, -1)]);
    expect(paths.some((u) => /\.wasm$/.test(u.pathname))).toBe(true);
    expect(paths.some((u) => /\/pglite-datadir-[\w-]+\.bin$/.test(u.pathname))).toBe(true);
    expect(misses).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  test('a share link keeps the sub-path and opens there', async () => {
    const { page } = await open(`${site}${BASE}`);
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('SQLite ready');
    await page.getByRole('button', { name: 'Share' }).click();
    await expect.poll(() => page.url()).toMatch(/#v3\.[A-Za-z0-9_-]+$/);
    const link = new URL(page.url());
    expect(link.pathname).toBe(BASE);

    const { page: other, errors } = await open(link.href);
    await expect.poll(() => status(other), { timeout: 15_000 }).toBe('SQLite ready');
    expect(await log(other)).toContain('Nothing has run');
    expect(misses).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
