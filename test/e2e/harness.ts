/**
 * What the browser tests need: the built playground (built once, reused while it is newer than its sources), a
 * `vite preview` of it on a free port, and Debian's Chromium driven by playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const root = join(import.meta.dirname, '..', '..');
/** The built site: `dist-web/`, or MOONWALK_WEB_OUT (relative to the repository) as vite.config.ts reads it. */
export const outDir = join(root, process.env.MOONWALK_WEB_OUT ?? 'dist-web');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
export const CHROMIUM = '/usr/bin/chromium';

/** The newest modification time under `path` (a file or a folder, recursively). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the playground unless `dist-web/` is newer than everything it is built from. */
export function ensureBuilt(): { built: boolean; ms: number } {
  const started = Date.now();
  const index = join(outDir, 'index.html');
  const inputs = ['src/web', 'src/core', 'src/drivers', 'index.html', 'vite.config.ts', 'public', 'scripts', 'package-lock.json', 'patches']
    .map((p) => newest(join(root, p)));
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(...inputs)) return { built: false, ms: 0 };
  // NODE_ENV: vitest sets it to `test`, which Vite would keep, building React's JSX in development mode (a third
  // larger): the tests drive the production build, the one people get.
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  return { built: true, ms: Date.now() - started };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Preview {
  url: string;
  stop(): Promise<void>;
}

/** `vite preview` of dist-web on a free port; resolves once it answers. */
export async function startPreview(): Promise<Preview> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath,
    [vite, 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(url);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`vite preview did not answer on ${url} within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 3000).unref();
    }),
  };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Debian's Chromium. playwright-core gives every launch a fresh, temporary user-data dir (and deletes it on close),
 * and every `newContext()` is a fresh profile of its own (no local storage, no cache).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium. Install it with ` +
      '`sudo apt-get install -y chromium` (or run `npm test`, which installs it where it can), then run the tests again.');
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface Playground {
  /** The preview of the built site (set once `beforeAll` has run). */
  readonly preview: Preview;
  readonly browser: Browser;
  /** A fresh browser profile (1280×720 unless `options` says otherwise), closed after the file's tests. */
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
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
  };
}
