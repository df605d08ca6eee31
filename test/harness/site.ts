/**
 * The built playground for the browser tests and the browser bench: built with `vite build` unless newer than its
 * sources, served by `vite preview` on a free port, and Debian's Chromium driven by playwright-core. No vitest here
 * (the bench runs in plain Node); test/e2e/harness.ts wraps it for the tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** What the site is built from: a build older than any of these is built again. */
const BUILD_INPUTS = [
  'src/web',
  'src/core',
  'src/drivers',
  'index.html',
  'vite.config.ts',
  'public',
  'scripts',
  'package-lock.json',
  'patches',
];

/** The newest modification time under `path` (a file or a folder, recursively). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds the playground into `outDir`: `auto` unless it is newer than everything it is built from, `always`, or
 * `never` (then it must be there).
 */
export function buildSite(
  root: string,
  outDir: string,
  mode: 'auto' | 'always' | 'never' = 'auto',
): { built: boolean; ms: number } {
  const started = Date.now();
  const index = join(outDir, 'index.html');
  if (mode === 'never') {
    if (!existsSync(index)) throw new Error(`${outDir} holds no built site (build: 'never')`);
    return { built: false, ms: 0 };
  }
  if (
    mode === 'auto' &&
    existsSync(index) &&
    statSync(index).mtimeMs > Math.max(...BUILD_INPUTS.map((p) => newest(join(root, p))))
  )
    return { built: false, ms: 0 };
  // NODE_ENV: vitest sets it to `test`, which Vite would keep, building React's JSX in development mode (a third
  // larger): tests and bench drive the production build, the one people get.
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
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

/** `vite preview` of the site in `outDir` on a free port; resolves once it answers. */
export async function startSitePreview(root: string, outDir: string): Promise<Preview> {
  const port = await freePort();
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [vite, 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => {
          if (child.exitCode === null) child.kill('SIGKILL');
        }, 3000).unref();
      }),
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium. playwright-core gives every launch a fresh, temporary user-data dir (and deletes it on close),
 * and every `newContext()` is a fresh profile of its own (no local storage, no cache).
 */
export async function launchChromium(executable = CHROMIUM): Promise<Browser> {
  if (!existsSync(executable)) {
    throw new Error(
      `${executable} is missing: the browser tests need Debian's chromium. Install it with ` +
        '`sudo apt-get install -y chromium` (or run `npm test`, which installs it where it can), then run the tests again.',
    );
  }
  return chromium.launch({ executablePath: executable, headless: true, args: CHROMIUM_ARGS });
}
