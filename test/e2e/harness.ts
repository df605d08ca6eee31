/**
 * What the browser tests need (test/harness/site.ts does the work): the built playground in `dist-web/` (or
 * MOONWALK_WEB_OUT), a `vite preview` of it, Debian's Chromium, and `usePlayground()` to set all of it up per file.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildSite, launchChromium, startSitePreview, type Preview } from '../harness/site.ts';

export { CHROMIUM, CHROMIUM_ARGS, launchChromium, type Preview } from '../harness/site.ts';

export const root = join(import.meta.dirname, '..', '..');
/** The built site: `dist-web/`, or MOONWALK_WEB_OUT (relative to the repository) as vite.config.ts reads it. */
export const outDir = join(root, process.env.MOONWALK_WEB_OUT ?? 'dist-web');

/** Builds the playground unless it is newer than everything it is built from. */
export const ensureBuilt = () => buildSite(root, outDir);

/** `vite preview` of the built site on a free port; resolves once it answers. */
export const startPreview = () => startSitePreview(root, outDir);

export interface Playground {
  /** The preview of the built site (set once `beforeAll` has run). */
  readonly preview: Preview;
  readonly browser: Browser;
  /** A fresh browser profile (1280×720 unless `options` says otherwise), closed after the file's tests. */
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a fresh profile (tour already seen) open at the site until SQLite is ready; `errors` gets its page errors. */
  freshPage(): Promise<{ page: Page; errors: string[] }>;
}

/**
 * A test file's playground: before its tests, the site built (unless up to date) and served, and one Chromium;
 * after them, every context closed and both stopped. `setup` runs first in the same `beforeAll` (a CLI build).
 */
export function usePlayground(setup?: () => void): Playground {
  let preview: Preview | null = null;
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    const build = ensureBuilt();
    if (build.built) console.log(`built the playground in ${build.ms} ms`);
    setup?.();
    preview = await startPreview();
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await preview?.stop();
  });
  return {
    get preview() {
      if (!preview) throw new Error('the preview is not running (usePlayground: beforeAll has not run or failed)');
      return preview;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not running (usePlayground: beforeAll has not run or failed)');
      return browser;
    },
    async context(options = {}) {
      const context = await this.browser.newContext({ viewport: { width: 1280, height: 720 }, ...options });
      contexts.push(context);
      return context;
    },
    async freshPage() {
      const context = await this.context();
      await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(this.preview.url);
      await expect.poll(() => page.locator('.engine-status').textContent(), { timeout: 30_000 }).toBe('SQLite ready');
      return { page, errors };
    },
  };
}
